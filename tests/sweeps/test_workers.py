"""The ``workers`` executor: one process runs several points, each as a fresh run."""

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
from conftest import PROJECT_ROOT, shrink_overrides

from recipes.records import read_run
from recipes.status import RunStatus, shown_status
from recipes.sweeps.driver import run_sweep


def test_a_reused_worker_gives_the_metrics_of_a_fresh_process(
    tmp_path, tensorflow_command_line_run
):
    overrides = [*shrink_overrides("hinge"), "sweep.executor=workers"]
    sweep = run_sweep(
        "hinge", {"seed": [0, 1]}, overrides, "tensorflow", tmp_path / "sweep", jobs=1,
        progress=io.StringIO(),
    )  # fmt: skip
    assert [result.status for result in sweep.runs] == ["completed", "completed"]
    records = [json.loads((r.folder / "run.json").read_text()) for r in sweep.runs]
    assert records[0]["pid"] == records[1]["pid"]  # both points ran in the same process
    assert (
        (sweep.folder / "logs" / "run-1.log")
        .read_text()
        .strip()
        .endswith(str(sweep.runs[0].run_folder))
    )

    _, alone = tensorflow_command_line_run  # seed 1 in a fresh process
    reused = sweep.runs[1].folder
    assert json.loads((reused / "metrics.json").read_text()) == json.loads(
        (alone / "metrics.json").read_text()
    )
    assert (reused / "history.csv").read_text() == (alone / "history.csv").read_text()


@pytest.mark.slow  # about 30 s: a TensorFlow worker, killed, and a second one
def test_a_killed_worker_fails_its_point_and_the_next_point_gets_a_new_worker(tmp_path):
    # small data, many epochs: the first point is still training when its worker is killed
    overrides = [*shrink_overrides("hinge"), "train.epochs=60", "data.n_samples=400"]
    command = [
        sys.executable, "-m", "recipes", "sweep", "hinge", "--grid", "seed=0,1",
        "--backend", "tensorflow", "--jobs", "1", "--set", "sweep.executor=workers",
        *(f"--set={text}" for text in overrides), "--output-root", str(tmp_path),
    ]  # fmt: skip
    sweep = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    first = wait_for_history(tmp_path)
    worker_pid = json.loads((first / "run.json").read_text())["pid"]
    os.kill(worker_pid, signal.SIGKILL)
    stdout, _ = sweep.communicate(timeout=300)
    assert sweep.returncode == 1  # one run failed

    record = json.loads((Path(stdout.strip().splitlines()[-1]) / "sweep.json").read_text())
    killed, second = record["runs"]
    assert killed["status"] == "failed"
    assert killed["reason"] == "its worker process died (exit status -9)"
    assert shown_status(read_run(first)) == RunStatus.STOPPED
    assert second["status"] == "completed"
    second_record = json.loads((Path(second["run_folder"]) / "run.json").read_text())
    assert second_record["pid"] != worker_pid


def wait_for_history(root: Path, timeout: float = 120) -> Path:
    """The first run folder whose history.csv has two epochs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for history in root.glob("hinge/*/history.csv"):
            if len(history.read_text().splitlines()) > 2:
                return history.parent
        time.sleep(0.1)
    raise AssertionError("no run reached two epochs")
