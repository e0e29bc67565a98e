"""``python -m recipes clean`` (``make clean-outputs``) deletes what the project wrote under an
output root, and nothing a user put there."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

from recipes.report.outputs_index import build_index


def _run_folder(root: Path, recipe: str, run_id: str, **record) -> Path:
    folder = root / recipe / run_id
    (folder / "tensorboard").mkdir(parents=True)
    (folder / "tensorboard" / "events").write_text("x")
    record = {"status": "completed", "recipe": recipe, "run_id": run_id, **record}
    (folder / "run.json").write_text(json.dumps(record))
    (folder / "model.keras").write_text("x")
    return folder


@pytest.fixture
def output_root(tmp_path) -> Path:
    root = tmp_path / "outputs"
    _run_folder(root, "hinge", "run-01")
    _run_folder(root, "hinge", "run-02", status="failed")
    _run_folder(root, "mnist", "run-03")
    sweep = root / "sweeps" / "hinge-01"
    sweep.mkdir(parents=True)
    (sweep / "sweep.json").write_text(
        json.dumps({"status": "completed", "recipe": "hinge", "grid": [], "runs": []})
    )
    (sweep / "accuracy.png").write_text("x")
    build_index(root)  # index.html and its lock
    (root / ".index-cache.json").write_text("{}")  # left by the index of an earlier version
    # what a user keeps there
    (root / "README.md").write_text("mine")
    (root / "notes.txt").write_text("mine")
    (root / "my_data" / "deep").mkdir(parents=True)
    (root / "my_data" / "deep" / "table.csv").write_text("a,b\n")
    (root / "mnist" / "my_notes.md").write_text("mine")  # keeps its recipe folder
    (root / "hinge" / "not-a-run").mkdir()
    (root / "hinge" / "not-a-run" / "run.json").write_text("[1, 2]")  # not our record
    (root / "mine").mkdir()
    (root / "mine" / "x").mkdir()
    (root / "mine" / "x" / "run.json").write_text(json.dumps({"status": "completed"}))
    return root


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_clean_removes_only_what_the_project_wrote(cli, output_root):
    result = cli("clean", "--output-root", str(output_root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "removed 3 run folders",
        "removed 1 sweep folder",
        "removed 1 empty folder",  # sweeps/ (hinge/ and mnist/ still hold the user's files)
        "removed index.html",
        "removed .index-cache.json",
        "removed .index.lock",
    ]
    assert _tree(output_root) == [
        "README.md",
        "hinge",
        "hinge/not-a-run",
        "hinge/not-a-run/run.json",
        "mine",
        "mine/x",
        "mine/x/run.json",
        "mnist",
        "mnist/my_notes.md",
        "my_data",
        "my_data/deep",
        "my_data/deep/table.csv",
        "notes.txt",
    ]
    again = cli("clean", "--output-root", str(output_root))
    assert again.returncode == 0 and again.stdout.splitlines() == ["nothing to remove"]


@pytest.fixture
def live_process():
    """A live process whose command line names this project (as a run's does)."""
    sleeper = "import time; print('ready', flush=True); time.sleep(60)"
    process = subprocess.Popen([sys.executable, "-c", sleeper, "recipes"], stdout=subprocess.PIPE)
    process.stdout.readline()
    yield process
    process.kill()
    process.wait()


def test_clean_keeps_a_foreign_index_and_a_running_run(cli, tmp_path, live_process):
    root = tmp_path / "outputs"
    running = _run_folder(root, "hinge", "run-01", status="running", pid=live_process.pid,
                          host={"name": socket.gethostname()})  # fmt: skip
    _run_folder(root, "hinge", "run-02")
    (root / "index.html").write_text("<html>my own page</html>")
    result = cli("clean", "--output-root", str(root))
    assert result.returncode == 0, result.stderr
    assert "removed 1 run folder" in result.stdout.splitlines()
    assert f"kept {running} (still running)" in result.stdout
    assert running.is_dir() and (root / "index.html").read_text() == "<html>my own page</html>"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_clean_outputs_calls_the_clean_command_after_setup():
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    rule = re.search(r"^clean-outputs: (.*)\n\t(.*)", makefile, re.M)
    assert rule.group(1).startswith("$(STAMP) ##")  # works on a fresh clone: sets up .venv
    assert rule.group(2) == "$(BIN)/python -m recipes clean"
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "clean-outputs"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert dry.returncode == 0 and ".venv/bin/python -m recipes clean" in dry.stdout
