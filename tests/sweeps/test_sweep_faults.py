"""Sweeps that survive: a dry run creates nothing, a resume reruns only the points that did not
complete, and a stopped sweep leaves no process behind."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import PROJECT_ROOT, read_csv, shrink_overrides

from recipes.cli.main import main
from recipes.sweeps.driver import resume_sweep, run_sweep

GRID = {"loss": ["hinge", "log_cosh", "squared_hinge"], "seed": [0, 1]}


def test_dry_run_prints_every_point_and_creates_nothing(tmp_path, capsys):
    arguments = ["sweep", "hinge", "--grid", "seed=0,1,2", "--grid", "loss=hinge,squared_hinge"]
    assert main([*arguments, "--dry-run", "--output-root", str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 7 and lines[-1] == "6 runs; nothing was created (--dry-run)"
    assert lines[0] == (
        "[1/6] seed=0, loss=hinge: python -m recipes run hinge --set seed=0 --set loss=hinge "
        "--set 'grid={}'"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        ("seed=0..2", "3 runs; nothing was created (--dry-run)"),
        ("seed=0..1,5", "3 runs; nothing was created (--dry-run)"),
    ],
)
def test_a_seed_range_expands_to_every_integer(grid, expected, tmp_path, capsys):
    assert main(["sweep", "hinge", "--grid", grid, "--dry-run"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == expected


def test_an_empty_seed_range_is_one_line(capsys):
    assert main(["sweep", "hinge", "--grid", "seed=4..1", "--dry-run"]) == 2
    assert capsys.readouterr().err.strip() == "error: --grid: seed: range 4..1 is empty; write 1..4"


def test_resume_reruns_only_the_points_that_did_not_complete(stand_in_runs, tmp_path):
    sweep = run_sweep("hinge", GRID, output_root=tmp_path, jobs=2, progress=io.StringIO())
    assert [r.status for r in sweep.runs].count("failed") == 2
    first_commands = list(stand_in_runs.commands)
    stand_in_runs.succeed.add("log_cosh")  # the cause is fixed; resume the sweep
    progress = io.StringIO()
    resumed = resume_sweep(sweep.folder, progress=progress)
    assert resumed.folder == sweep.folder
    assert stand_in_runs.commands[len(first_commands) :] in (
        ["log_cosh-0-again", "log_cosh-1-again"],
        ["log_cosh-1-again", "log_cosh-0-again"],
    )
    assert "resuming 2 of 6 runs" in progress.getvalue()
    rows = read_csv(sweep.folder / "summary.csv")
    assert [row["status"] for row in rows] == ["completed"] * 6
    assert rows[2]["run_folder"].endswith("log_cosh-0-again")
    record = json.loads((sweep.folder / "sweep.json").read_text())
    assert record["status"] == "completed" and record["resumes"][0]["points"] == 2
    assert (sweep.folder / "comparison.md").is_file()
    assert main(["sweep", "--resume", str(sweep.folder)]) == 2  # nothing left to resume


def child_pids(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    children = set()
    for status in os.listdir("/proc"):
        if status.isdigit():
            try:
                text = open(f"/proc/{status}/stat").read()
            except OSError:
                continue
            if int(text.rsplit(")", 1)[1].split()[1]) == pid:
                children.add(int(status))
    return children


@pytest.mark.system  # real signals to a real sweep and its runs (make test-system)
@pytest.mark.parametrize(
    ("signal_number", "whole_group", "reason"),
    [
        (signal.SIGTERM, False, "stopped by SIGTERM"),  # a scheduler signals the sweep only
        (signal.SIGINT, True, "interrupted by the user (Ctrl-C)"),  # Ctrl-C: every process
    ],
)
def test_a_stopped_sweep_stops_its_children_and_records_them(
    tmp_path, signal_number, whole_group, reason
):
    sets = [*shrink_overrides("hinge"), "train.epochs=300", "data.n_samples=400"]
    command = [sys.executable, "-m", "recipes", "sweep", "hinge", "--grid", "seed=0,1,2"]
    command += [*(f"--set={text}" for text in sets), "--jobs", "2"]
    process = subprocess.Popen(
        [*command, "--output-root", str(tmp_path)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KERAS_BACKEND": "jax"},
        start_new_session=True,  # so the test can clean up whatever is left
    )
    try:
        deadline = time.monotonic() + 120
        while len(list(tmp_path.glob("hinge/*/history.csv"))) < 2:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.1)
        children = child_pids(process.pid)
        assert len(children) == 2
        if whole_group:
            os.killpg(process.pid, signal_number)
        else:
            process.send_signal(signal_number)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 128 + signal_number, stderr[-2000:]
        assert not [pid for pid in children if os.path.exists(f"/proc/{pid}")]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    record = json.loads(next(tmp_path.glob("sweeps/*/sweep.json")).read_text())
    assert record["status"] == "interrupted"
    statuses = [(run["status"], run["reason"]) for run in record["runs"]]
    assert statuses[:2] == [("interrupted", reason)] * 2
    assert statuses[2] == ("not started", "the sweep was interrupted before this run started")
    for run_json in tmp_path.glob("hinge/*/run.json"):
        assert json.loads(run_json.read_text())["status"] == "interrupted"
