"""The ``vectorized`` sweep executor: points whose configs differ only in their seed train
together as one compiled JAX program (the task's ``together`` plug-in; for ``train``,
:func:`recipes.training.group.train_together`), in this process, so a sweep over 50 seeds pays
Keras' start-up and the compilation once. Each point still gets its own complete run folder
(its figures pending unless ``plots.draw: in_run``: :mod:`recipes.training.drawing`).
Points that cannot share (another backend, a task that cannot train together,
``train.trainer: fit``, a run resumed from its backup) go to the
:class:`~recipes.sweeps.executors.ProcessExecutor`, ``jobs`` at a time.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from recipes.config.schema import ResolvedRecipe
from recipes.outcome import RunOutcome
from recipes.plugins import TASKS
from recipes.signals import Stopped
from recipes.status import RunStatus
from recipes.sweeps.executors import ProcessExecutor
from recipes.sweeps.records import RunResult, SweepResults

PROGRESS_EVERY_S = 2.0  # at most one "epoch k/N" line per group this often


def shared_program_key(recipe: ResolvedRecipe) -> str | None:
    """What points must share to train as one program: the whole config but the seed. None
    for a point that cannot train in this process's compiled JAX program."""
    config = recipe.config
    loaded = sys.modules.get("keras")
    if (
        config.backend != "jax"
        or "together" not in TASKS.entry(config.task).info
        or config.train.trainer == "fit"
        or (loaded is not None and loaded.backend.backend() != "jax")
    ):
        return None
    mapping = {key: value for key, value in config.as_mapping().items() if key != "seed"}
    return json.dumps(mapping, sort_keys=True, default=str)


class VectorizedExecutor:
    """Same-shape points as one program each group; the others one process each."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs

    def run(self, sweep: SweepResults, progress: Any) -> None:
        groups: dict[str, list[RunResult]] = {}
        for result in sweep.runs:
            if result.status != RunStatus.NOT_STARTED or result.resume_from is not None:
                continue
            key = shared_program_key(result.point.recipe)
            if key is not None:
                groups.setdefault(key, []).append(result)
        for number, results in enumerate(groups.values(), start=1):
            _train_group(sweep, results, progress, f"group {number}/{len(groups)}")
        ProcessExecutor(self.jobs).run(sweep, progress)  # whatever is left


def _train_group(
    sweep: SweepResults,
    results: list[RunResult],
    progress: Any,
    name: str,
) -> None:
    recipes = [result.point.recipe for result in results]
    for result in results:
        progress.started(result)
    clock = time.perf_counter()
    epochs = recipes[0].config.train.epochs  # None for train.steps: known once data is

    def on_epoch(epoch: int, training: int) -> None:
        progress.line(
            f"{name} ({len(results)} runs as one program): epoch {epoch + 1}"
            f"{f'/{epochs}' if epochs else ''}, {training} still training",
            every_s=0.0 if epoch + 1 == epochs else PROGRESS_EVERY_S,
            passing=True,
        )

    def on_finished(index: int, outcome: RunOutcome) -> None:
        results[index].apply(outcome, clock)
        progress.done(results[index])

    train_together = TASKS.entry(recipes[0].config.task).info["together"].load()
    outcomes = train_together(
        recipes,
        sweep.output_root,
        on_finished,
        on_epoch,
        [dict(result.point.labels) for result in results],
    )
    for outcome in outcomes:  # a signal stopped the group: the sweep stops too
        if outcome.stop_signal is not None:
            raise Stopped(outcome.stop_signal)
