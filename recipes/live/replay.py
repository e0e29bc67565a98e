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
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

import recipes.records as records  # the module alone: the package recipes imports the lab
from recipes.errors import RecipeError
from recipes.live.watch import epoch_logs, region_fields, rounded
from recipes.paths import display_path
from recipes.recording import RECORDING_FILE, Recording

NO_RECORDING = (
    "{folder}: no recording.npz to replay (only a run of two-feature data records one, and "
    "runs made before recordings did not); python -m recipes run {recipe} records a new run"
)


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


@dataclass
class Replay:
    """One run folder's replay: its events, in order, as (name, data)."""

    folder: Path
    events: list[tuple[str, dict[str, Any]]]

    @property
    def id(self) -> str:
        return replay_id(self.folder)


def replay_id(folder: Path) -> str:
    """An id for a replayed folder, apart from the lab's own runs' (its folder's name)."""
    return f"replay-{folder.name}"


def replay(folder: Path | str) -> Replay:
    """The run folder's events, from its recording; NotReplayable without one."""
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
    events.append(("end", _end(folder, record)))
    return Replay(folder, events)


def _start(folder: Path, record: Any, recording: Recording, rows: list) -> dict[str, Any]:
    levels = recording.levels
    # what trains the same run again (run.json's own command is the process's: a notebook's
    # kernel, say), as the lab's page shows it for a live run
    command = record.command or ""
    if record.recipe:
        sets = [f"--set {shlex.quote(text)}" for text in record.overrides]
        command = " ".join(["python -m recipes run", shlex.quote(record.recipe), *sets])
    return {
        "id": replay_id(folder),
        "folder": display_path(folder),
        "command": command,
        "epochs": len(rows) or int(recording.epochs[-1]),
        "grid_x": rounded(recording.grid_x),
        "grid_y": rounded(recording.grid_y),
        "points": rounded(recording.points),
        "labels": np.asarray(recording.labels).tolist(),
        "class_names": {str(key): str(name) for key, name in recording.class_names.items()},
        "margin_levels": [levels.low, levels.threshold, levels.high] if levels else [],
        "output_kind": recording.output_kind,
        "label_kind": recording.label_kind,
        "initial_weights": "",
        "replay": True,
        "recipe": record.recipe,
        "varies": records.varies_text(record.varies),  # a sweep's run: what it varies
        "config": _config(folder),  # the page's controls start from the run's settings
        "history": rows,
    }


def _config(folder: Path) -> dict[str, Any]:
    """The run's config.yaml, as a mapping ({} without one)."""
    path = folder / "config.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}


def _end(folder: Path, record: Any) -> dict[str, Any]:
    status = getattr(record.status, "value", record.status)
    end: dict[str, Any] = {"status": status, "folder": display_path(folder), "replay": True}
    if record.reason:
        end["reason"] = record.reason
    metrics = folder / "metrics.json"
    if metrics.is_file():
        # a value that is not finite is null, as in a live run's events (JSON has no NaN)
        end["metrics"] = json.loads(metrics.read_text(encoding="utf-8"), parse_constant=_null)
    return end


def _null(constant: str) -> None:
    return None


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
        message = NO_RECORDING.format(folder=display_path(folder), recipe=record.recipe or "hinge")
        raise NotReplayable(message)
    return record
