"""Runs trained together: sweep points that share everything but their seed train as one
compiled program (:mod:`recipes.training.compiled`, vmapped over the models), and each still gets
its own run folder with the files and metrics it would have had alone."""

from __future__ import annotations

import concurrent.futures
import contextlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from recipes.config.schema import ResolvedRecipe
from recipes.signals import signals_deferred
from recipes.training import drawing
from recipes.training.compiled import fit_compiled
from recipes.training.drawing import FiguresFailed
from recipes.training.evaluation import share_compiled_functions
from recipes.training.figure_pool import FigurePools
from recipes.training.fitting import compiled_member
from recipes.training.lifecycle import OpenRun
from recipes.training.schedule import split_schedule
from recipes.training.train import (
    Prepared,
    Records,
    finish_training,
    prepare_training,
    write_records,
)


def train_together(
    recipes: Sequence[ResolvedRecipe],
    output_root: Path,
    on_finished: Callable[[int, OpenRun], None],
    on_epoch: Callable[[int, int], None] | None = None,
    figures: FigurePools | None = None,
) -> None:
    """Train ``recipes`` (same config but the seed; JAX backend) as one program, then finish
    each run folder in turn; ``on_finished(index, run)`` follows each run's final status. An
    error in the shared part marks every run failed (or interrupted) and propagates.
    ``figures``: the sweep's figure pools; a pool, when ``plots.draw`` asks for one, draws
    the runs' figures while this process writes the others' records (each run completes once
    its figures are drawn)."""
    config = recipes[0].config
    runs: list[OpenRun] = []
    reported: set[int] = set()

    def report(index: int) -> None:
        if index not in reported and index < len(runs) and runs[index].status is not None:
            reported.add(index)
            on_finished(index, runs[index])

    with contextlib.ExitStack() as stack:
        for index, recipe in enumerate(recipes):
            stack.callback(report, index)  # after the run's own exit has recorded its status
            runs.append(stack.enter_context(OpenRun(recipe, output_root, verbose=0)))
        prepared = [prepare_training(run.context) for run in runs]
        pool = figures.pool_for(config, len(runs)) if figures is not None else None
        members = [
            compiled_member(item.model, item.split, run.context.config, item.callbacks, 0)
            for run, item in zip(runs, prepared, strict=True)
        ]
        epochs = split_schedule(config.train, prepared[0].split).epochs  # same data shapes
        clock = time.perf_counter()
        with signals_deferred():
            fit_compiled(
                members, epochs, config.train.batch_size, config.train.shuffle, on_epoch
            )  # fmt: skip
        shared_fit_s = time.perf_counter() - clock
        share_compiled_functions([item.model for item in prepared])
        drawing_now: dict[concurrent.futures.Future, tuple[int, Records]] = {}
        for index, (run, item) in enumerate(zip(runs, prepared, strict=True)):
            run.context.durations["fit"] = shared_fit_s
            run.context.record.update(trained_together={"runs": len(runs), "fit_s": shared_fit_s})
            try:
                if pool is None:
                    run.complete(finish_training(run.context, item))
                else:
                    records = write_records(run.context, item)
                    drawing_now[pool.submit(run.context.folder)] = (index, records)
            except Exception as error:  # this run alone failed (e.g. its loss became NaN)
                run.fail(error)
            report(index)
        for future in concurrent.futures.as_completed(drawing_now):
            index, records = drawing_now[future]
            _complete_drawn(runs[index], prepared[index], records, future, figures)
            report(index)


def _complete_drawn(
    run: OpenRun,
    item: Prepared,
    records: Records,
    future: concurrent.futures.Future,
    figures: FigurePools,
) -> None:
    """Complete a run whose figures a pool drew, or fail it saying why they were not. A pool
    whose worker died draws nothing more: this run's figures are drawn here, and later
    groups draw in the run."""
    context = run.context
    try:
        try:
            drawn = future.result()
        except BrokenProcessPool:
            figures.mark_broken()
            drawn = drawing.draw(
                context.folder, context.config, item.model, item.history_file.history,
                records.evaluation, records.recording, "run (the figure pool broke)",
            )  # fmt: skip
    except Exception as error:
        context.record.update(figures=drawing.failed_record(error, "pool"))
        run.fail(FiguresFailed(f"drawing its figures failed: {type(error).__name__}: {error}"))
        return
    context.durations["plots"] = context.durations.get("plots", 0.0) + drawn.seconds
    drawing.apply_drawn(context.record, context.folder, records.metrics, drawn)
    run.complete(records.result())
