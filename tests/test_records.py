"""run.json and sweep.json are each one typed model (recipes/records.py): every record the
project writes reads back through it, and a record of another version or a damaged one is
refused in one line naming the file, never guessed at."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from recipes import records
from recipes.config.resolve import resolve_recipe
from recipes.errors import TrainingFailed
from recipes.records import RecordError, RunRecord, SweepRecord
from recipes.status import RunStatus
from recipes.training.lifecycle import OpenRun, reopen_record


def _declared(path: Path, model: type) -> dict:
    """The record's JSON, checked to be exactly what the model reads back."""
    data = json.loads(path.read_text(encoding="utf-8"))
    record = records.read(path, model)
    assert data["schema_version"] == records.SCHEMA_VERSION
    assert record.model_dump(mode="json", exclude_unset=True) == data
    return data


def test_a_shrunk_runs_record_reads_through_the_typed_model(shrunk_run):
    result, root = shrunk_run("hinge")
    assert result.returncode == 0, result.stderr[-3000:]
    [path] = root.glob("hinge/*/run.json")
    data = _declared(path, RunRecord)
    record = records.read_run(path.parent)
    assert record.status == RunStatus.COMPLETED and record.figures.status == "drawn"
    assert record.schedule.epochs == 2 and record.metrics["epochs_run"] == 2
    assert {"versions", "host", "inputs", "durations_s", "forces", "speed_settings"} <= set(data)
    assert "varies" not in data  # a run outside any sweep


def test_a_shrunk_sweeps_records_read_through_the_typed_model(shrunk_run):
    result, root = shrunk_run("compare_hinge")
    assert result.returncode == 0, result.stderr[-3000:]
    [path] = root.glob("sweeps/*/sweep.json")
    _declared(path, SweepRecord)
    sweep = records.read_sweep(path.parent)
    assert [axis.key for axis in sweep.grid] == ["loss", "seed"]
    assert sweep.runs and all(run.status == RunStatus.COMPLETED for run in sweep.runs)
    for run in sweep.runs:
        _declared(Path(run.run_folder) / "run.json", RunRecord)
    together = [records.read_run(run.run_folder).trained_together for run in sweep.runs]
    assert all(entry is not None and entry.runs >= 1 for entry in together)  # vectorized
    # each run says what the sweep varies for it (trained together, recorded as it started)
    assert [records.read_run(run.run_folder).varies for run in sweep.runs] == [
        run.labels for run in sweep.runs
    ]


def test_failed_interrupted_resumed_and_redrawn_records_read_back(tmp_path):
    """The other writers of run.json, without training: a run that failed, one interrupted,
    one reopened to resume, and a finished one whose figures are recorded later."""
    recipe = resolve_recipe("hinge", backend=os.environ["KERAS_BACKEND"])  # this process's
    for error, status in [
        (TrainingFailed("loss became nan at epoch 1"), RunStatus.FAILED),
        (KeyboardInterrupt(), RunStatus.INTERRUPTED),
    ]:
        with pytest.raises(type(error)), OpenRun(recipe, tmp_path) as run:
            raise error
        record = records.read_run(run.context.folder)
        assert record.status == status and record.reason and "total" in record.durations_s
        _declared(run.context.folder / "run.json", RunRecord)

    folder = run.context.folder  # the interrupted one
    reopened = reopen_record(folder, {"forced": "its config changed"})
    record = records.read_run(folder)
    assert record.status == RunStatus.RUNNING and record.resumes[-1].forced
    assert record.resumes[-1].previous_status == RunStatus.INTERRUPTED
    reopened.update(status=RunStatus.COMPLETED)
    command = ["python", "-m", "recipes", "plot", str(folder)]
    records.update_run(folder, figures={"status": "pending", "reason": "x", "command": command})
    assert records.read_run(folder).figures.command == command
    _declared(folder / "run.json", RunRecord)


def test_writing_an_undeclared_field_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        records.write(tmp_path / "run.json", RunRecord, {"status": "completed", "colour": "x"})
    assert not (tmp_path / "run.json").exists()


def _refusal(folder: Path, text: str) -> str:
    (folder / "run.json").write_text(text)
    with pytest.raises(RecordError) as raised:
        records.read_run(folder)
    line = str(raised.value)
    assert "\n" not in line and line.startswith(f"{folder / 'run.json'}: ")
    return line.removeprefix(f"{folder / 'run.json'}: ")


def test_a_record_of_another_version_is_refused_in_one_line(tmp_path):
    assert _refusal(tmp_path, json.dumps({"schema_version": 2, "status": "completed"})) == (
        "a record of schema_version 2 (this keras-loss-recipes reads 1); open it with the "
        "version of keras-loss-recipes that wrote it"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not valid JSON"),
        ("null", "not a record (null)"),
        ("[1]", "not a record (a list)"),
        ('{"status": "finished"}', "damaged run record (status: Input should be 'not started'"),
        ('{"status": "completed", "seed": "3"}', "damaged run record (seed: Input should be"),
        ('{"status": "completed", "figures": {"status": "drawn"}}', "(figures.drawn.where: "),
    ],
)
def test_a_damaged_record_is_refused_in_one_line(tmp_path, text, problem):
    line = _refusal(tmp_path, text)
    assert line.startswith(problem) or problem in line, line
    assert line.endswith("; move the run folder away or delete it")


def test_a_record_written_before_the_version_reads_as_version_1_or_is_refused(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"status": "failed", "reason": "x"}))
    record = records.read_run(tmp_path)
    assert record.schema_version == 1 and record.reason == "x"
    assert _refusal(tmp_path, json.dumps({"status": "failed", "reason": 3})).startswith(
        "damaged run record (reason: Input should be a valid string)"
    )


def test_a_damaged_sweep_record_says_to_start_a_new_sweep(tmp_path):
    (tmp_path / "sweep.json").write_text(json.dumps({"status": "completed", "runs": []}))
    with pytest.raises(RecordError) as raised:
        records.read_sweep(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / 'sweep.json'}: damaged sweep record (recipe: Field required); "
        "start a new sweep"
    )
