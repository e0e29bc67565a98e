"""A sweep stopped mid-way and resumed continues its stopped point from its backup, whichever
executor resumes it: every executor runs the point through the one door
(``recipes.training.door``). One real sweep is stopped by SIGTERM after its point's third epoch;
each executor then resumes a copy of it."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, read_csv, shrink_overrides

from recipes.sweeps.driver import resume_sweep

pytestmark = pytest.mark.system  # a real sweep stopped by a real signal (make test-system)

EPOCHS = 12
LONG = [
    *shrink_overrides("hinge"),
    f"train.epochs={EPOCHS}",
    "data.n_samples=400",
    "data.test_size=100",
    "train.checkpoint_every_s=0",  # a backup after every epoch
]


@pytest.fixture(scope="module")
def stopped_sweep(tmp_path_factory) -> Path:
    """The output root of a one-point sweep stopped by SIGTERM after its third epoch."""
    root = tmp_path_factory.mktemp("stopped-sweep")
    command = [sys.executable, "-m", "recipes", "sweep", "hinge", "--grid", "seed=3"]
    command += [*(f"--set={text}" for text in LONG), "--output-root", str(root)]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KERAS_BACKEND": "jax", "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_for_epochs(root, 3)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143, stderr[-2000:]
    return root


def wait_for_epochs(root: Path, epochs: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for history in root.glob("hinge/*/history.csv"):
            if len(history.read_text().splitlines()) > epochs:
                return
        time.sleep(0.05)
    raise AssertionError(f"no run reached {epochs} epochs in {timeout} s")


def copy_of(root: Path, destination: Path, executor: str, extra: list[str]) -> Path:
    """The stopped sweep copied under ``destination`` (paths in sweep.json rewritten), set to
    resume on ``executor``; returns the sweep folder."""
    shutil.copytree(root, destination)
    sweep_json = next(destination.glob("sweeps/*/sweep.json"))
    record = json.loads(sweep_json.read_text().replace(str(root), str(destination)))
    record["executor"] = executor
    record["overrides"] = [*record["overrides"], *extra]
    sweep_json.write_text(json.dumps(record))
    return sweep_json.parent


@pytest.mark.parametrize(
    "executor",
    [
        "processes",
        "workers",
        # a resumed point is never trained in the vectorized group: it goes to the processes
        # executor (the case above), so this twin runs in make test-full
        pytest.param("vectorized", marks=pytest.mark.slow),
        "ray",
    ],
)
def test_a_stopped_point_continues_from_its_backup_on_every_executor(
    executor, stopped_sweep, tmp_path, request, monkeypatch
):
    extra = []
    if executor == "ray":
        extra = [f"sweep.ray.address={request.getfixturevalue('ray_address')}"]
    folder = copy_of(stopped_sweep, tmp_path / "out", executor, extra)
    stopped = json.loads((folder / "sweep.json").read_text())["runs"][0]
    assert stopped["status"] == "interrupted"
    run_folder = Path(stopped["run_folder"])
    backed_up = json.loads((run_folder / "backup" / "training_metadata.json").read_text())["epoch"]

    progress = io.StringIO()
    monkeypatch.setenv("KERAS_BACKEND", "jax")  # as the sweep was started
    sweep = resume_sweep(folder, progress=progress)
    assert f"resuming 1 of 1 runs over seed (1), 1 at a time ({executor})" in progress.getvalue()
    result = sweep.runs[0]
    assert result.status == "completed", (result.reason, progress.getvalue())
    assert result.folder == run_folder  # the same folder, continued
    record = json.loads((run_folder / "run.json").read_text())
    assert record["status"] == "completed"
    assert record["resumed_from_epoch"] == backed_up >= 3
    assert record["resumes"][-1]["previous_status"] == "interrupted"
    epochs = [int(row["epoch"]) for row in read_csv(run_folder / "history.csv")]
    assert epochs == list(range(1, EPOCHS + 1))
    assert json.loads((folder / "sweep.json").read_text())["status"] == "completed"
