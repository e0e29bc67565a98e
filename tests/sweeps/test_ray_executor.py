"""The ray executor: the same runs, records and report as the processes executor, on the session's
local Ray cluster (tests/ray_head.py; those tests are in the system tier: make test-system), and one
clear line for each way it cannot start (in the fast suite)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import (
    FIGURE_FILES,
    PROJECT_ROOT,
    RUN_FILES,
    read_csv,
    run_cli,
    shrink_overrides,
    shrunk_command,
)

import recipes.sweeps.ray_cluster
from recipes.errors import RecipeError
from recipes.sweeps.driver import resume_sweep, run_sweep

# Columns that differ between two honest runs of the same point: timings and folder names.
VARYING = {"fit_s", "total_s", "wall_s", "run_folder"}


@pytest.mark.system  # the session's Ray cluster
def test_a_shrunk_sweep_on_ray_matches_the_local_executor(shrunk_run, ray_address, tmp_path):
    local, _ = shrunk_run("compare_hinge")  # the same command, processes executor, on JAX
    arguments = [*shrunk_command("compare_hinge"), "--executor", "ray", "--address", ray_address]
    result = run_cli(*arguments, "--output-root", str(tmp_path), env={"KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-3000:]
    local_folder = Path(local.stdout.strip().splitlines()[-1])
    ray_folder = Path(result.stdout.strip().splitlines()[-1])
    assert ray_folder.parent == tmp_path / "sweeps"
    local_rows = read_csv(local_folder / "summary.csv")
    ray_rows = read_csv(ray_folder / "summary.csv")
    assert [row["status"] for row in ray_rows] == ["completed"] * 4
    assert list(ray_rows[0]) == list(local_rows[0])
    for local_row, ray_row in zip(local_rows, ray_rows, strict=True):
        for column, value in local_row.items():
            if column in VARYING:
                continue
            try:
                assert float(ray_row[column]) == pytest.approx(float(value), rel=1e-5), column
            except ValueError:  # loss, status, reason
                assert ray_row[column] == value, column
        run_folder = Path(ray_row["run_folder"])
        assert run_folder.parent == tmp_path / "compare_hinge"
        # a sweep's run: its records and recording; its figures pending until someone looks
        names = {path.name for path in run_folder.iterdir()}
        assert RUN_FILES - FIGURE_FILES <= names and not names & FIGURE_FILES
        record = json.loads((run_folder / "run.json").read_text())
        assert record["status"] == "completed" and record["figures"]["status"] == "pending"
    # the same files, but the ray executor's logs/ (each point's console output)
    local_files = {p.name for p in local_folder.iterdir()}
    assert {p.name for p in ray_folder.iterdir()} == local_files | {"logs"}
    record = json.loads((ray_folder / "sweep.json").read_text())
    assert record["executor"] == "ray" and record["status"] == "completed"
    assert (
        record["comparison"] == json.loads((local_folder / "sweep.json").read_text())["comparison"]
    )
    assert ray_folder.name in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "(ray); folder" in result.stderr
    assert not list(tmp_path.glob(".ray-storage-check-*"))


GRID = {"loss": ["hinge", "log_cosh"], "seed": [0]}


@pytest.mark.system  # the session's Ray cluster
def test_a_failed_point_is_recorded_as_locally_and_resume_reruns_it(
    stand_in_runs, ray_driver, tmp_path
):
    local = run_sweep("hinge", GRID, output_root=tmp_path / "local", progress=io.StringIO())
    on_ray = ["sweep.executor=ray", f"sweep.ray.address={ray_driver}"]
    sweep = run_sweep("hinge", GRID, on_ray, output_root=tmp_path, jobs=2, progress=io.StringIO())
    assert [(r.status, r.reason, r.exit_status) for r in sweep.runs] == [
        (r.status, r.reason, r.exit_status) for r in local.runs
    ]
    assert sweep.runs[1].reason == "loss became nan at epoch 1, batch 3"
    assert (
        "loss became nan" in (sweep.folder / sweep.runs[1].log).read_text()
    )  # the run's output, logged

    stand_in_runs.succeed.add("log_cosh")  # the cause is fixed; resume the sweep
    progress = io.StringIO()
    resumed = resume_sweep(sweep.folder, progress=progress)
    assert stand_in_runs.commands[-1] == "log_cosh-0-again"
    assert "resuming 1 of 2 runs over loss (2) x seed (1), 2 at a time (ray)" in progress.getvalue()
    rows = read_csv(resumed.folder / "summary.csv")
    assert [row["status"] for row in rows] == ["completed", "completed"]
    assert rows[1]["run_folder"].endswith("log_cosh-0-again")
    record = json.loads((sweep.folder / "sweep.json").read_text())
    assert record["executor"] == "ray" and record["resumes"][0]["points"] == 1


@pytest.mark.system  # the session's Ray cluster
def test_a_node_that_does_not_see_the_output_root_stops_the_sweep_before_it_starts(
    monkeypatch, ray_driver, tmp_path
):
    original = recipes.sweeps.ray_cluster._probe

    def probe_on_another_disk(path: str, token: str, node_id: str) -> str:
        return original(path.replace(str(tmp_path), "/nonexistent-disk"), token, node_id)

    monkeypatch.setattr(recipes.sweeps.ray_cluster, "_probe", probe_on_another_disk)
    on_ray = ["sweep.executor=ray", f"sweep.ray.address={ray_driver}"]
    with pytest.raises(RecipeError) as caught:
        run_sweep("hinge", {"seed": [0, 1]}, on_ray, output_root=tmp_path)
    message = str(caught.value)
    assert message.startswith("Ray node ") and "\n" not in message
    assert f"cannot share the run folders under {tmp_path}: it cannot read /nonexistent-disk/" in (
        message
    )
    assert "shared storage" in message or "share, at the same path" in message
    assert list(tmp_path.iterdir()) == []  # no sweep folder, no check file left


@pytest.mark.system  # the session's Ray cluster
def test_a_run_bigger_than_every_node_stops_the_sweep_before_it_starts(ray_driver, tmp_path):
    on_ray = ["sweep.executor=ray", f"sweep.ray.address={ray_driver}", "sweep.ray.gpus_per_run=1"]
    with pytest.raises(RecipeError, match=r"no Ray node has 1 CPU\(s\) and 1 GPU\(s\) for a run"):
        run_sweep("hinge", {"seed": [0, 1]}, on_ray, output_root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_without_ray_installed_the_sweep_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    with pytest.raises(RecipeError, match=r"needs Ray, which is not installed: pip install -e"):
        run_sweep("hinge", {"seed": [0, 1]}, ["sweep.executor=ray"], output_root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_cluster_is_one_line_and_dry_run_names_the_resources(tmp_path):
    closed = "127.0.0.1:9"  # the discard port: nothing listens there
    arguments = ["sweep", "hinge", "--grid", "seed=0,1", "--executor", "ray", "--address", closed]
    result = run_cli(*arguments, "--output-root", str(tmp_path / "out"), timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot reach the Ray cluster at {closed} (")
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert not (tmp_path / "out" / "sweeps").exists()
    dry = run_cli(*arguments, "--gpus-per-run", "0.5", "--dry-run", timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert f"executor ray: on the Ray cluster at {closed}, 1 CPU(s) and 0.5 GPU(s) a run" in (
        dry.stdout
    )
    assert "--set sweep.ray.gpus_per_run=0.5" in dry.stdout.splitlines()[0]


def run_processes(output_root: Path) -> set[int]:
    """The processes running the runs under ``output_root`` (each run.json's ``pid``: a point
    runner, ``python -m recipes.child``), those still alive."""
    pids = {json.loads(path.read_text())["pid"] for path in output_root.glob("hinge/*/run.json")}
    return {pid for pid in pids if os.path.exists(f"/proc/{pid}")}


@pytest.mark.slow
@pytest.mark.system
def test_a_stopped_ray_sweep_stops_its_runs_and_resumes(ray_address, tmp_path):
    sets = [*shrink_overrides("hinge"), "train.epochs=60", "data.n_samples=400"]
    command = [sys.executable, "-m", "recipes", "sweep", "hinge", "--grid", "seed=0,1,2"]
    command += [*(f"--set={text}" for text in sets), "--jobs", "2"]
    command += ["--executor", "ray", "--address", ray_address, "--output-root", str(tmp_path)]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KERAS_BACKEND": "jax"},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while len(list(tmp_path.glob("hinge/*/history.csv"))) < 2:
            assert process.poll() is None, process.communicate()[1][-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.1)
        runs = run_processes(tmp_path)
        assert len(runs) == 2  # on Ray's workers, not children of the sweep
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 143, stderr[-2000:]
        assert not [pid for pid in runs if os.path.exists(f"/proc/{pid}")]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    sweep_folder = next(tmp_path.glob("sweeps/*"))
    record = json.loads((sweep_folder / "sweep.json").read_text())
    assert record["status"] == "interrupted"
    statuses = [(run["status"], run["reason"]) for run in record["runs"]]
    assert statuses[:2] == [("interrupted", "stopped by SIGTERM")] * 2
    assert statuses[2] == ("not started", "the sweep was interrupted before this run started")
    for run_json in tmp_path.glob("hinge/*/run.json"):
        assert json.loads(run_json.read_text())["status"] == "interrupted"

    resumed = run_cli("sweep", "--resume", str(sweep_folder), env={"KERAS_BACKEND": "jax"})
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "3 runs over seed (3), 2 at a time (ray)" in resumed.stderr
    rows = read_csv(sweep_folder / "summary.csv")
    assert [row["status"] for row in rows] == ["completed"] * 3
