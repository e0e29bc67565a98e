"""Every way a run can end is recorded, and a stopped run resumes: real signals sent to real
``python -m recipes`` processes, output locations that cannot be written, odd but valid
inputs."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, read_csv, run_cli, shrink_overrides

from recipes.cli.main import main
from recipes.records import RunRecord
from recipes.status import RunStatus, shown_status

# Small data but many epochs: training is under way for seconds, epoch after epoch.
LONG = [*shrink_overrides("hinge"), "train.epochs=40", "data.n_samples=400", "data.test_size=100"]
LONG.append("train.checkpoint_every_s=0")  # a backup after every epoch
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


def start_run(root: Path, *arguments: str) -> subprocess.Popen:
    sets = [f"--set={text}" for text in LONG]
    return subprocess.Popen(
        [sys.executable, "-m", "recipes", *arguments, *sets, "--output-root", str(root)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "KERAS_BACKEND": "jax"},
    )


def wait_for_epochs(root: Path, epochs: int, timeout: float = 120) -> Path:
    """The run folder, once its history.csv holds ``epochs`` rows (it grows every epoch)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for history in root.glob("*/*/history.csv"):
            if len(history.read_text().splitlines()) > epochs:
                return history.parent
        time.sleep(0.05)
    raise AssertionError(f"no run reached {epochs} epochs in {timeout} s")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("whole")
    process = start_run(root, "run", "hinge")
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr[-2000:]
    return json.loads((Path(stdout.splitlines()[-1]) / "metrics.json").read_text())


def stop_a_run(root: Path, signal_number: int) -> tuple[subprocess.Popen, str, str, Path]:
    """A run stopped by ``signal_number`` after its third epoch."""
    process = start_run(root, "run", "hinge")
    folder = wait_for_epochs(root, 3)
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=120)
    return process, stdout, stderr, folder


@pytest.fixture(scope="module")
def stopped_by_sigterm(tmp_path_factory):
    return stop_a_run(tmp_path_factory.mktemp("stopped"), signal.SIGTERM)


@pytest.mark.system  # real signals to real runs (make test-system)
@pytest.mark.parametrize(
    "signal_number",
    [
        signal.SIGTERM,
        pytest.param(signal.SIGINT, marks=pytest.mark.slow),  # the same path, another signal
        pytest.param(signal.SIGHUP, marks=pytest.mark.slow),
    ],
)
def test_a_signal_during_training_is_recorded_and_keeps_the_curve(tmp_path, signal_number, request):
    if signal_number == signal.SIGTERM:
        process, stdout, stderr, folder = request.getfixturevalue("stopped_by_sigterm")
    else:
        process, stdout, stderr, folder = stop_a_run(tmp_path, signal_number)
    assert process.returncode == EXIT_STATUS[signal_number], stderr[-2000:]
    assert "Traceback" not in stderr
    assert Path(stdout.strip().splitlines()[-1]) == folder
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "interrupted" and record["pid"] == process.pid
    name = signal.Signals(signal_number).name
    expected = "interrupted by the user (Ctrl-C)" if name == "SIGINT" else f"stopped by {name}"
    assert record["reason"] == expected
    rows = read_csv(folder / "history.csv")
    assert len(rows) >= 3 and [int(row["epoch"]) for row in rows] == list(range(1, len(rows) + 1))
    assert (folder / "backup" / "training_metadata.json").is_file()


@pytest.mark.system  # resumes the real run stopped by SIGTERM above
def test_resume_continues_to_the_configured_epochs_with_the_same_metrics(
    tmp_path, uninterrupted, stopped_by_sigterm
):
    folder = tmp_path / "hinge" / stopped_by_sigterm[3].name  # a copy: the fixture stays as is
    shutil.copytree(stopped_by_sigterm[3], folder)
    stopped_at = json.loads((folder / "backup" / "training_metadata.json").read_text())["epoch"]

    result = run_cli("resume", str(folder), timeout=300, env={"KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "completed" and record["resumed_from_epoch"] == stopped_at >= 3
    assert record["resumes"][0]["previous_status"] == "interrupted"
    assert len(read_csv(folder / "history.csv")) == 40 and not (folder / "backup").exists()
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["epochs_run"] == 40
    # Measured: identical on TensorFlow; on JAX the losses agree to about 1e-3 relative.
    for key in ("test_accuracy", "test_sign_accuracy"):
        assert metrics[key] == uninterrupted[key]
    for key in ("test_loss", "final_loss", "final_val_loss"):
        assert metrics[key] == pytest.approx(uninterrupted[key], rel=0.05, abs=1e-6)

    again = main(["resume", str(folder)])
    assert again == 2  # a completed run: one line, no second training
    assert json.loads((folder / "run.json").read_text())["resumes"] == record["resumes"]


def test_resume_says_what_is_wrong_in_one_line(tmp_path, capsys):
    assert main(["resume", str(tmp_path)]) == 2
    assert "not a run folder" in capsys.readouterr().err
    (tmp_path / "run.json").write_text(json.dumps({"status": "completed", "recipe": "hinge"}))
    (tmp_path / "config.yaml").write_text("seed: 0\n")
    assert main(["resume", str(tmp_path)]) == 2
    assert "already completed; nothing to resume" in capsys.readouterr().err


def test_a_running_record_whose_process_is_gone_says_so(tmp_path):
    import socket

    from recipes.report.outputs_index import build_index

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    host = {"name": socket.gethostname()}
    record = {"status": "running", "pid": int(gone.stdout), "host": host, "recipe": "hinge"}
    assert shown_status(RunRecord.model_validate(record)) == RunStatus.STOPPED
    sleeper = "import time; print('ready', flush=True); time.sleep(60)"
    alive = subprocess.Popen([sys.executable, "-c", sleeper, "recipes"], stdout=subprocess.PIPE)
    try:
        alive.stdout.readline()  # started: its command line is its own, not pytest's
        alive_record = RunRecord.model_validate({**record, "pid": alive.pid})
        assert shown_status(alive_record) == "running"  # alive: still running
    finally:
        alive.kill()
        alive.wait()
    elsewhere = RunRecord.model_validate({**record, "host": {"name": "elsewhere"}})
    assert shown_status(elsewhere) == "running"  # can't tell
    folder = tmp_path / "hinge" / "run-1"
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps(record))
    assert f'class="status stopped">{RunStatus.STOPPED}</span>' in build_index(tmp_path).read_text()


# ------------------------------------------------------------------------- output locations


def test_an_output_root_that_is_a_file_is_one_line(tmp_path, capsys):
    target = tmp_path / "outputs"
    target.write_text("keep me")
    assert main(["run", "hinge", "--output-root", str(target)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "is a file, not a folder" in error
    assert target.read_text() == "keep me"


def test_an_output_root_that_cannot_be_written_is_one_line(capsys):
    assert main(["sweep", "hinge", "--grid", "seed=0,1", "--output-root", "/proc/outputs"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "cannot write there" in error


def test_a_full_disk_during_a_run_is_one_line_and_an_honest_record(tmp_path, monkeypatch, capsys):
    import recipes.training.train

    def full(path, *arguments):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(recipes.training.train, "write_json", full)
    overrides = [f"--set={text}" for text in shrink_overrides("hinge")]
    assert main(["run", "hinge", *overrides, "--output-root", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "could not write" in captured.err and "No space left on device" in captured.err
    assert "Traceback" not in captured.err
    folder = Path(captured.out.strip().splitlines()[-1])
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "failed" and "No space left on device" in record["reason"]


# ------------------------------------------------------------------- odd but valid inputs


@pytest.mark.parametrize(
    "overrides",
    [
        ["model.hidden_units=[]"],  # no hidden layer: a linear score into tanh
        ["train.batch_size=100000"],  # a batch larger than the data: one batch an epoch
        ["data.n_samples=10", "data.test_size=5"],  # the smallest circles
    ],
)
def test_odd_but_valid_inputs_train(tmp_path, overrides, capsys):
    sets = [f"--set={text}" for text in [*shrink_overrides("hinge"), *overrides]]
    assert main(["run", "hinge", *sets, "--output-root", str(tmp_path)]) == 0
    folder = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert json.loads((folder / "run.json").read_text())["status"] == "completed"


def test_too_little_data_to_split_is_one_line(tmp_path, capsys):
    sets = ["--set=data.n_samples=10", "--set=data.test_size=9"]
    assert main(["run", "hinge", *sets, "--output-root", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "train.validation_split: 0.2 of 1 training sample(s)" in error
    assert "Traceback" not in error
