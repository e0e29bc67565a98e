"""Runs trained together: sweep points that share everything but their seed train as one
compiled program (:mod:`recipes.training.compiled`, vmapped over the models), and each still gets
its own run folder with the files and metrics it would have had alone."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from recipes.config.schema import ResolvedRecipe
from recipes.outcome import RunOutcome, outcome_from_folder
from recipes.report.forces import compiled_gradient
from recipes.signals import signals_deferred
from recipes.training.compiled import CompiledGroup
from recipes.training.door import fresh_keras_state, outcome_of_error
from recipes.training.drawing import pending_reason
from recipes.training.evaluation import share_compiled_functions
from recipes.training.fitting import compiled_member
from recipes.training.lifecycle import OpenRun
from recipes.training.schedule import split_schedule
from recipes.training.train import finish_training, prepare_training


def train_together(
    recipes: Sequence[ResolvedRecipe],
    output_root: Path,
    on_finished: Callable[[int, RunOutcome], None],
    on_epoch: Callable[[int, int], None] | None = None,
    varies: Sequence[dict[str, str]] | None = None,
) -> list[RunOutcome]:
    """Train ``recipes`` (same config but the seed; JAX backend) as one program, then finish
    each run folder in turn (each a sweep's run: ``plots.draw: auto`` leaves its figures
    pending); ``on_finished(index, outcome)`` follows each run's final status; ``varies``: what
    the sweep varies for each run (run.json). An error in the shared part marks every run
    failed (or interrupted). Returns every run's outcome."""
    runs: list[OpenRun] = []
    outcomes: dict[int, RunOutcome] = {}

    def report(index: int, error: BaseException | None = None) -> None:
        """Once a run's final status is recorded (or the group stopped before it began)."""
        if index in outcomes:
            return
        if index < len(runs) and runs[index].status is not None:
            outcomes[index] = outcome_from_folder(runs[index].context.folder)
        elif error is not None:
            outcomes[index] = outcome_of_error(error, None)
            if not isinstance(error, KeyboardInterrupt):
                outcomes[index].reason = f"its group failed before it started: {error}"
        else:
            return
        on_finished(index, outcomes[index])

    fresh_keras_state()
    try:
        _train(recipes, output_root, runs, report, on_epoch, varies)
    except (Exception, KeyboardInterrupt) as error:  # the shared part failed or was stopped
        for index in range(len(recipes)):  # each open run has recorded it as it closed
            report(index, error)
    return [outcomes[index] for index in range(len(recipes))]


def _train(
    recipes: Sequence[ResolvedRecipe],
    output_root: Path,
    runs: list[OpenRun],
    report: Callable[[int], None],
    on_epoch: Callable[[int, int], None] | None,
    varies: Sequence[dict[str, str]] | None,
) -> None:
    """Open a run folder for each recipe (into ``runs``), train them as one program, then
    finish each and ``report(index)`` it."""
    config = recipes[0].config
    with contextlib.ExitStack() as stack:
        for index, recipe in enumerate(recipes):
            point_varies = varies[index] if varies else None
            run = OpenRun(recipe, output_root, verbose=0, varies=point_varies)
            runs.append(stack.enter_context(run))
            runs[-1].context.figures_pending = pending_reason(recipe.config, sweep_point=True)
        prepared = [prepare_training(run.context) for run in runs]
        members = [
            compiled_member(item.model, item.split, run.context.config, item.callbacks, 0)
            for run, item in zip(runs, prepared, strict=True)
        ]
        epochs = split_schedule(config.train, prepared[0].split).epochs  # same data shapes
        clock = time.perf_counter()
        with signals_deferred():
            group = CompiledGroup(members, config.train.batch_size, config.train.shuffle)
            group.fit(epochs, on_epoch)
        shared_fit_s = time.perf_counter() - clock
        share_compiled_functions([item.model for item in prepared])
        gradient_of = compiled_gradient(prepared[0].model.loss)  # the forces': compiled once
        for item in prepared:
            item.gradient_of = gradient_of
        for index, (run, item) in enumerate(zip(runs, prepared, strict=True)):
            run.context.durations["fit"] = shared_fit_s
            run.context.record.update(trained_together={"runs": len(runs), "fit_s": shared_fit_s})
            try:
                run.complete(finish_training(run.context, item))
            except Exception as error:  # this run alone failed (e.g. its loss became NaN)
                run.fail(error)
            report(index)
