"""What a careful or an unlucky user leaves behind does not break a sweep or a resume: a
damaged record elsewhere, an edited config or data file, a second resume at once, a run that
stopped on another machine, a report that fails. Sweeps here run stand-in point runners
(``stand_in_runs``: the real protocol, no Keras); processes and files are real."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

from recipes.cli.main import main
from recipes.errors import RecipeError
from recipes.outcome import PointRequest, RunOutcome
from recipes.plugins import REPORTS
from recipes.records import RecordError, RunRecord, read_run
from recipes.registry import Entry
from recipes.status import HEARTBEAT_STALE_S, RunStatus, shown_status
from recipes.sweeps.driver import resume_sweep, run_sweep
from recipes.training.door import check_resumable

GRID = {"loss": ["hinge", "log_cosh"], "seed": [0]}


def recipe_file(tmp_path: Path, epochs: int) -> Path:
    path = tmp_path / "my_hinge.yaml"
    hinge = PROJECT_ROOT / "configs" / "hinge.yaml"
    path.write_text(f"extends: {hinge}\ntrain:\n  epochs: {epochs}\n", encoding="utf-8")
    return path


def damaged_records(root: Path) -> None:
    """Run and sweep folders whose records are valid JSON but not records."""
    for name, text in [("null", "null"), ("list", "[1, 2]"), ("typed", '{"status": 5}')]:
        folder = root / "hinge" / f"damaged-{name}"
        folder.mkdir(parents=True)
        (folder / "run.json").write_text(text)
    sweep = root / "sweeps" / "hinge-damaged"
    sweep.mkdir(parents=True)
    (sweep / "sweep.json").write_text('{"runs": 7, "grid": null}')


# ------------------------------------------------------------------ damaged records elsewhere


def test_a_damaged_record_elsewhere_does_not_fail_a_sweep(stand_in_runs, tmp_path, capsys):
    damaged_records(tmp_path)
    code = main(["sweep", "hinge", "--grid", "seed=0,1", "--set", "loss=hinge",
                 "--output-root", str(tmp_path)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    record = json.loads(Path(captured.out.strip().splitlines()[-1], "sweep.json").read_text())
    assert [run["status"] for run in record["runs"]] == ["completed", "completed"]
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 4 and all("skipped" in line for line in warnings)
    assert "Traceback" not in captured.err
    assert "hinge-0" in (tmp_path / "index.html").read_text()


def test_a_damaged_sweep_record_is_one_line_on_resume(tmp_path, capsys):
    damaged_records(tmp_path)
    assert main(["sweep", "--resume", str(tmp_path / "sweeps" / "hinge-damaged")]) == 2
    err = capsys.readouterr().err.strip()
    path = tmp_path / "sweeps" / "hinge-damaged" / "sweep.json"
    assert err == f"error: {path}: damaged sweep record (status: Field required); start a new sweep"


# ------------------------------------------------------------------------ inputs pinned


def test_sweep_resume_refuses_an_edited_config_and_force_records_it(stand_in_runs, tmp_path):
    recipe = recipe_file(tmp_path, epochs=2)
    sweep = run_sweep(str(recipe), GRID, output_root=tmp_path / "out", progress=io.StringIO())
    assert [r.status for r in sweep.runs] == ["completed", "failed"]
    recipe_file(tmp_path, epochs=7)  # the user edits the recipe, then resumes
    with pytest.raises(RecipeError) as caught:
        resume_sweep(sweep.folder, progress=io.StringIO())
    assert str(caught.value) == (
        f"{sweep.folder}: its config changed (train.epochs 2 -> 7) since the sweep started; "
        "resuming would mix runs of different inputs. Start a new sweep, or add --force to "
        "resume anyway (sweep.json records it)"
    )
    assert stand_in_runs.commands == ["hinge-0", "log_cosh-0"]  # nothing ran again

    stand_in_runs.succeed.add("log_cosh")
    resumed = resume_sweep(sweep.folder, progress=io.StringIO(), force=True)
    assert [r.status for r in resumed.runs] == ["completed", "completed"]
    record = json.loads((sweep.folder / "sweep.json").read_text())
    assert record["resumes"][-1]["forced"] == "its config changed (train.epochs 2 -> 7)"


def test_a_sweep_whose_executor_changes_is_no_change_of_inputs(stand_in_runs, tmp_path):
    sweep = run_sweep("hinge", GRID, output_root=tmp_path, progress=io.StringIO())
    record = json.loads((sweep.folder / "sweep.json").read_text())
    record["overrides"] = ["sweep.jobs=2"]
    (sweep.folder / "sweep.json").write_text(json.dumps(record))
    stand_in_runs.succeed.add("log_cosh")
    resumed = resume_sweep(sweep.folder, progress=io.StringIO())
    assert resumed.runs[1].status == "completed"


def stopped_csv_run(tmp_path: Path) -> tuple[Path, Path]:
    """A run folder of an interrupted csv run (its data file pinned), and the data file."""
    from recipes.config.inputs import fingerprint
    from recipes.config.resolve import resolve_recipe

    data = tmp_path / "points.csv"
    data.write_text("x1,x2,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40)))
    recipe = resolve_recipe("csv_moons", [f"data.path={data}", "data.label=label"])
    folder = tmp_path / "out" / "csv_moons" / "run-1"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(json.dumps(recipe.config.as_mapping()))
    record = {"status": "interrupted", "recipe": "csv_moons", "run_id": "run-1",
              "inputs": fingerprint(recipe.config)}  # fmt: skip
    (folder / "run.json").write_text(json.dumps(record))
    return folder, data


def test_resume_refuses_a_changed_data_file_and_force_lets_it_through(tmp_path, capsys):
    folder, data = stopped_csv_run(tmp_path)
    check_resumable(folder, force=False)  # unchanged: resumable
    with data.open("a") as stream:
        stream.write("99,1,0\n")
    assert main(["resume", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: {folder}: the data file {data.resolve()} changed since the run started; "
        "resuming would mix inputs. Start a new run, or add --force to resume anyway "
        "(run.json records it)"
    )
    assert not (tmp_path / "out" / "index.html").exists()  # refused: nothing written
    _, entry = check_resumable(folder, force=True)
    assert entry == {"forced": f"the data file {data.resolve()} changed"}


# --------------------------------------------------------------------------- one at a time


def hold_lock(folder: Path) -> subprocess.Popen:
    """Another process holding the folder's lock, as a running resume does."""
    code = (
        "import sys, time; from recipes.locks import FolderLock; "
        "FolderLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(folder)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_resume_of_a_sweep_is_one_line(stand_in_runs, tmp_path, capsys):
    sweep = run_sweep("hinge", GRID, output_root=tmp_path, progress=io.StringIO())
    holder = hold_lock(sweep.folder)
    try:
        assert main(["sweep", "--resume", str(sweep.folder)]) == 2
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: {sweep.folder}: another process (pid {holder.pid}) is running or resuming this "
        "sweep; wait for it to end, or stop it first"
    )
    assert len(stand_in_runs.commands) == 2  # nothing ran twice
    stand_in_runs.succeed.add("log_cosh")  # the holder is gone: the resume goes ahead
    assert main(["sweep", "--resume", str(sweep.folder)]) == 0


def test_a_second_resume_of_a_run_is_one_line(tmp_path, capsys):
    folder, _ = stopped_csv_run(tmp_path)
    holder = hold_lock(folder)
    try:
        assert main(["resume", str(folder)]) == 2
    finally:
        holder.kill()
        holder.wait()
    assert capsys.readouterr().err.strip() == (
        f"error: {folder}: another process (pid {holder.pid}) is running or resuming this run; "
        "wait for it to end, or stop it first"
    )


# ------------------------------------------------------------------------ liveness


def test_a_run_that_stopped_on_another_machine_shows_stopped_and_resumes(tmp_path):
    folder, _ = stopped_csv_run(tmp_path)
    record = json.loads((folder / "run.json").read_text())
    elsewhere = {**record, "status": "running", "pid": 12345, "host": {"name": "gone-node"}}
    elsewhere["heartbeat_at"] = time.time() - HEARTBEAT_STALE_S - 60
    (folder / "run.json").write_text(json.dumps(elsewhere))
    assert shown_status(read_run(folder)) == RunStatus.STOPPED
    check_resumable(folder, force=False)  # accepted

    elsewhere["heartbeat_at"] = time.time()  # alive a moment ago: still running
    (folder / "run.json").write_text(json.dumps(elsewhere))
    assert shown_status(read_run(folder)) == RunStatus.RUNNING
    with pytest.raises(RecipeError, match="this run is still running .pid 12345, last heartbeat"):
        check_resumable(folder, force=False)


def test_a_record_of_this_host_whose_process_is_gone_is_stopped(tmp_path):
    record = {"status": "running", "pid": 2**22 + 7, "host": {"name": socket.gethostname()}}
    assert shown_status(RunRecord.model_validate(record)) == RunStatus.STOPPED
    (tmp_path / "run.json").write_text(json.dumps({"status": "running", "pid": "x", "host": 5}))
    with pytest.raises(RecordError, match="damaged run record .pid: Input should be"):
        read_run(tmp_path)  # never guessed at
    assert shown_status(None) == RunStatus.UNKNOWN


# ------------------------------------------------------------------------ the report fails


def failing_report(sweep):
    raise ValueError("cannot draw $x^$")


def test_a_failed_report_keeps_the_runs_and_sweep_report_rebuilds_it(
    stand_in_runs, tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(REPORTS._entries, "table", Entry("table", failing_report))
    arguments = ["sweep", "hinge", "--grid", "seed=0,1", "--set", "loss=hinge"]
    assert main([*arguments, "--output-root", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    folder = Path(captured.out.strip().splitlines()[-1])
    record = json.loads((folder / "sweep.json").read_text())
    assert record["status"] == "failed"
    assert record["report_error"] == "ValueError: cannot draw $x^$"
    assert [run["status"] for run in record["runs"]] == ["completed", "completed"]
    assert "error: the sweep's report failed: ValueError: cannot draw $x^$" in captured.err
    assert "cannot draw" in (folder / "report_traceback.txt").read_text()

    monkeypatch.undo()  # the report is fixed
    assert main(["sweep", "--report", str(folder)]) == 0
    record = json.loads((folder / "sweep.json").read_text())
    assert record["status"] == "completed" and record["report_error"] == ""
    assert "comparison.md" in record["comparison"] and (folder / "comparison.md").is_file()
    assert not (folder / "report_traceback.txt").exists()
    assert len(stand_in_runs.commands) == 2  # nothing was trained again


# -------------------------------------------------------------------------- the protocol


def test_requests_and_outcomes_are_plain_json():
    request = PointRequest(
        recipe="hinge", overrides=("seed=1",), backend="jax", output_root="/tmp/out", folder="/x"
    )
    assert PointRequest.model_validate(json.loads(json.dumps(request.model_dump()))) == request
    outcome = RunOutcome(
        status=RunStatus.FAILED, run_folder=Path("/tmp/x"), reason="nan", exit_status=1
    )
    again = RunOutcome.model_validate_json(outcome.model_dump_json())
    assert again == outcome and again.status is RunStatus.FAILED
    assert RunOutcome.model_validate({"status": "gibberish"}).status is RunStatus.UNKNOWN
    stopped = RunOutcome(status=RunStatus.INTERRUPTED, exit_status=143)
    assert stopped.stop_signal == 15 and outcome.stop_signal is None


def test_a_mistyped_resume_path_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").mkdir()
    assert main(["resume", "outputs/hinge/no-such-run"]) == 2
    assert "no such run folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["outputs"]


def test_an_open_run_beats_its_heartbeat_from_a_thread(tmp_path, monkeypatch):
    import recipes.status as status
    import recipes.training.lifecycle as lifecycle

    monkeypatch.setattr(status, "HEARTBEAT_EVERY_S", 0.05)
    record = lifecycle.OpenRecord(tmp_path, recipe="hinge")
    first = json.loads((tmp_path / "run.json").read_text())["heartbeat_at"]
    heartbeat = status.Heartbeat(lambda: record.update(heartbeat_at=time.time()))
    deadline = time.monotonic() + 10
    while json.loads((tmp_path / "run.json").read_text())["heartbeat_at"] == first:
        assert time.monotonic() < deadline, "no heartbeat in 10 s"
        time.sleep(0.02)
    heartbeat.stop()
    assert not heartbeat.thread.is_alive()  # the run's end stops its heartbeat
    assert json.loads((tmp_path / "run.json").read_text())["recipe"] == "hinge"
