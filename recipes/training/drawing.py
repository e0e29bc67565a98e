"""When a training run's figures are drawn (:mod:`recipes.training.figures` draws them), as
``plots.draw`` says:

- ``auto`` (default): a run alone draws its figures before it returns (``make hinge``); a
  sweep's runs do not (the sweep draws its own comparison figures), and run.json says
  ``figures: {status: pending}`` with the command that draws them;
- ``in_run``: every run draws its own, in a sweep too;
- ``deferred``: none does.

``python -m recipes plot <run folder>`` (:func:`plot_run_folder`) draws them from what the
folder holds, in a fresh process as well as in the run: config.yaml, metrics.json, the history
(history.csv) and the recording (recording.npz); no model, no Keras, no data.

run.json's ``figures`` records the outcome: ``drawn`` (where, the files written, the
seconds), ``pending`` (why, and the command that draws them) or ``failed`` (why).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recipes.config.schema import RecipeConfig
from recipes.errors import first_line
from recipes.files import now_iso, read_csv_columns, read_json
from recipes.records import (
    FiguresDrawn,
    FiguresFailed,
    run_or_none,
    update_run,
    varies_text,
)

DRAWN = "drawn"


def pending_reason(config: RecipeConfig, sweep_point: bool) -> str | None:
    """Why a run leaves its figures pending, or None when it draws them."""
    draw = config.plots.draw
    if draw == "deferred":
        return "plots.draw: deferred"
    if draw == "auto" and sweep_point:
        return "a sweep's run (plots.draw: auto): the sweep draws its comparison"
    return None


def draw_from_folder(
    folder: Path, where: str = "plot", config: RecipeConfig | None = None
) -> FiguresDrawn:
    """Draw a run folder's figures (:func:`recipes.training.figures.write_run_figures`) from its
    config (``config``: already resolved from it), metrics, history and recording, in the run
    or later; returns run.json's ``figures`` entry (where, the files written, the seconds), and
    changes no record. A sweep's run says in its titles what the sweep varies (run.json's
    ``varies``: ``loss.gamma = 2``)."""
    from recipes.config.resolve import resolve_run_folder_config
    from recipes.recording import Recording
    from recipes.records import RECORDING_FILE
    from recipes.training.figures import write_run_figures

    started = time.perf_counter()
    folder = Path(folder)
    config = config or resolve_run_folder_config(folder)
    recording_file = folder / RECORDING_FILE
    recording = Recording.load(recording_file) if recording_file.is_file() else None
    history = recording.history if recording else read_csv_columns(folder / "history.csv")
    metrics = read_json(folder / "metrics.json")
    record = run_or_none(folder)
    varies = varies_text(record.varies if record else None)
    files = write_run_figures(folder, config, history, metrics, recording, varies=varies)
    seconds = round(time.perf_counter() - started, 4)
    return FiguresDrawn(where=where, files=files, seconds=seconds, drawn_at=now_iso())


def draw_and_record(
    folder: Path, where: str, config: RecipeConfig, update: Callable[..., Any]
) -> FiguresDrawn:
    """:func:`draw_from_folder`, its outcome recorded with ``update(figures=...)`` (run.json's
    ``figures``): drawn, or failed (and the error raised)."""
    try:
        drawn = draw_from_folder(folder, where, config)
    except Exception as error:
        reason = f"{type(error).__name__}: {first_line(error)}"
        update(figures=FiguresFailed(where=where, reason=reason).model_dump())
        raise
    update(figures=drawn.model_dump())
    return drawn


def figures_status(folder: Path) -> str | None:
    """run.json's ``figures.status`` (None for a run recorded before it was kept)."""
    record = run_or_none(folder)
    return record.figures.status if record and record.figures else None


def plot_run_folder(folder: Path | str) -> FiguresDrawn:
    """``python -m recipes plot <run folder>``: draw the run's figures from what its folder
    holds, holding its lock, and record them in run.json (``figures``). RecipeError (one line)
    for a folder that is not a finished training run's; a drawing error is recorded
    (``figures.status: failed``) and raised."""
    from recipes.locks import FolderLock

    folder = Path(folder).resolve()
    config = check_run_folder(folder)
    with FolderLock(folder, "run"):  # a run that has ended: its record changed in place
        return draw_and_record(folder, "plot", config, functools.partial(update_run, folder))


def check_run_folder(folder: Path) -> RecipeConfig:
    """The run's config, resolved from its folder; RecipeError unless ``folder`` holds a
    finished training run whose figures can be drawn (its config, metrics and history)."""
    from recipes.config.resolve import resolve_run_folder_config
    from recipes.errors import RecipeError
    from recipes.status import refuse_running
    from recipes.training.lifecycle import existing_run

    record = existing_run(folder)
    refuse_running(folder, record, "run")
    config = resolve_run_folder_config(folder)
    if config.task != "train":
        raise RecipeError(f"{folder}: task '{config.task}' has no run figures to draw")
    if not (folder / "metrics.json").is_file() or not (folder / "history.csv").is_file():
        raise RecipeError(
            f"{folder}: no metrics.json and history.csv (the run {record.status} before "
            "writing its records); nothing to draw from"
        )
    return config
