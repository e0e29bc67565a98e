"""Replays: a finished run's events, built from its folder alone (recording.npz, run.json,
metrics.json), without Keras or the model, in the format of a live run's events
(:mod:`recipes.live.watch`): a ``start``, one ``epoch`` per recorded epoch, an ``end``. The
page draws them with the same view as a live run, so every run ever made can be looked at
epoch by epoch; a sweep folder gives its runs, to be shown side by side.

A replay's ``start`` carries ``replay: true`` and ``history`` (every epoch's logged values, the
loss curves'), since a recording holds the grid at some epochs only (every epoch of a short
run, ten log-spaced ones of a long one): the scrubber steps through the recorded epochs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import recipes.records as records  # the module alone: the package recipes imports the lab
from recipes.errors import RecipeError
from recipes.live.watch import command_line, epoch_logs, region_fields, view_fields
from recipes.paths import display_path
from recipes.recording import Recording
from recipes.records import RECORDING_FILE


class NotReplayable(RecipeError):
    """A folder that is no run with a recording, nor a sweep of such runs (exit status 2)."""


def history_rows(recording: Recording) -> list[dict[str, Any]]:
    """Each epoch's logged values (history.csv's columns) as a live run's epoch event gives
    them: ``epoch`` 1-based, non-finite values None, ``accuracy`` for the recipe's metric."""
    columns = {key: value for key, value in recording.history.items() if key != "epoch"}
    count = max((len(value) for value in columns.values()), default=0)
    return [
        epoch_logs(
            index, {key: value[index] for key, value in columns.items() if index < len(value)}
        )
        for index in range(count)
    ]


def replay(folder: Path | str) -> list[tuple[str, dict[str, Any]]]:
    """The run folder's events, (name, data) in order, from its recording; NotReplayable
    without one."""
    folder = Path(folder)
    record = check_replayable(folder)
    recording = Recording.load(folder / RECORDING_FILE)
    rows, levels = history_rows(recording), recording.levels
    events: list[tuple[str, dict[str, Any]]] = [("start", _start(folder, record, recording, rows))]
    for index, epoch in enumerate(recording.epochs.tolist()):
        data = dict(rows[epoch - 1]) if epoch <= len(rows) else {"epoch": epoch}
        grid, points = recording.grid_scores[index], recording.point_scores[index]
        data.update(region_fields(levels, grid, points, recording.point_forces[index]))
        events.append(("epoch", data))
    events.append(("end", {**end_event(folder, display_path(folder)), "replay": True}))
    return events


def _start(folder: Path, record: Any, recording: Recording, rows: list) -> dict[str, Any]:
    command = record.command or ""  # the process's (a notebook's kernel) for a run of a file
    return {
        "id": f"replay-{folder.name}",  # apart from the lab's own runs' (the folder's name)
        "folder": display_path(folder),
        "command": command_line(record.recipe, record.overrides) if record.recipe else command,
        "epochs": len(rows) or int(recording.epochs[-1]),
        **view_fields(recording),
        "initial_weights": "",
        "replay": True,
        "recipe": record.recipe,
        "varies": records.varies_text(record.varies),  # a sweep's run: what it varies
        "config": records.read_config(folder),  # the page's controls start from the run's settings
        "history": rows,
    }


def end_event(folder: Path, shown_folder: str) -> dict[str, Any]:
    """A run's end event, from its finished folder (a lab's run, or a replay): its status,
    reason and metrics (metrics.json's: the test set's scores, the final losses)."""
    record = records.read_run(folder)
    end: dict[str, Any] = {"status": str(record.status), "folder": shown_folder}
    if record.reason:
        end["reason"] = record.reason
    metrics = folder / "metrics.json"
    if metrics.is_file():
        # a value that is not finite is null, as in an epoch's event (JSON has no NaN)
        text = metrics.read_text(encoding="utf-8")
        end["metrics"] = json.loads(text, parse_constant=lambda constant: None)
    return end


def replayable_folders(folder: Path | str) -> list[Path]:
    """The run folders a folder opens: itself (a run's), or a sweep's runs that have a
    recording, in order; NotReplayable when there is none, with why."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotReplayable(f"{display_path(folder)}: no such folder; give a run or sweep folder")
    if not (folder / records.SWEEP_FILE).is_file():
        check_replayable(folder)
        return [folder]
    runs = sweep_run_folders(folder)
    recorded = [run for run in runs if (run / RECORDING_FILE).is_file()]
    if not recorded:
        raise NotReplayable(
            f"{display_path(folder)}: none of this sweep's {len(runs)} runs has a recording.npz "
            "to replay (only runs of two-feature data record one)"
        )
    return recorded


def sweep_run_folders(folder: Path) -> list[Path]:
    """A sweep's run folders, in its points' order, as sweep.json names them (absolute, or
    relative to where the sweep ran: then tried from here and from the sweep's folder)."""
    found = []
    for run in records.read_sweep(folder).runs:
        if not run.run_folder:
            continue
        path = Path(run.run_folder)
        found.append(path if path.is_absolute() or path.is_dir() else folder / path)
    return found


def check_replayable(folder: Path) -> Any:
    """The run's record; NotReplayable, with why and the fix, unless ``folder`` is a run
    with a recording."""
    if not (folder / records.RUN_FILE).is_file():
        raise NotReplayable(
            f"{display_path(folder)}: not a run folder (no run.json); give "
            "outputs/<recipe>/<run-id> or a sweep's folder"
        )
    record = records.read_run(folder)
    if not (folder / RECORDING_FILE).is_file():
        raise NotReplayable(
            f"{display_path(folder)}: no recording.npz to replay (only a run of two-feature data "
            "records one, and runs made before recordings did not); python -m recipes run "
            f"{record.recipe or 'hinge'} records a new run"
        )
    return record
