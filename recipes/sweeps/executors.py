"""Sweep executors: where and when a sweep's points run. Every point goes through the one
door (:func:`recipes.training.door.run_point`), so the run folders, records, resume and backups do
not depend on which executor runs them.

An executor is made with ``Executor(jobs=N)`` and runs with ``executor.run(sweep, progress)``:
it fills in each :class:`~recipes.sweeps.records.RunResult` of ``sweep.runs`` whose status
is ``not started`` (from the point's :class:`~recipes.outcome.RunOutcome`) and calls
``progress.started(result)`` and ``progress.done(result)`` as each one starts and finishes.
On Ctrl-C it stops starting new points, lets the running ones end (each records
``interrupted``), and re-raises KeyboardInterrupt. Executors are registered by name in
:data:`recipes.plugins.EXECUTORS` and chosen with ``sweep.executor`` in a config.

- ``processes``: each point in a fresh runner process (:mod:`recipes.child`), ``jobs``
  at a time, so each gets a fresh Keras (a grid may even vary ``backend``) and a crash stays
  inside its point.
- ``workers``: ``jobs`` long-lived runner processes, each importing Keras once and running
  point after point with fresh Keras state (a Keras import costs 3-6 s here). A runner serves
  one backend; a point on another backend gets a new one. A runner that dies fails its point
  and is replaced.
"""

from __future__ import annotations

import concurrent.futures
import functools
import queue
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recipes.child import Children, Runner
from recipes.config.layering import names_a_file
from recipes.files import create_unique_folder
from recipes.outcome import PointRequest
from recipes.status import RunStatus
from recipes.sweeps.records import RunResult, SweepResults


def point_request(sweep: SweepResults, result: RunResult) -> PointRequest:
    """The request that runs a point: a stopped point continues in its run folder from its
    backup; any other gets a new run folder, reserved here so its outcome can always be read
    back, whatever happens to the process that runs it."""
    if result.resume_from is not None:
        request = PointRequest(
            recipe=sweep.recipe_argument,
            output_root=str(sweep.output_root),
            folder=str(result.resume_from),
            resume=True,
            force=sweep.force,
        )
    else:
        recipe, argument = result.point.recipe, sweep.recipe_argument
        request = PointRequest(  # a recipe file's path made absolute: a runner may work elsewhere
            recipe=str(Path(argument).resolve()) if names_a_file(argument) else argument,
            overrides=tuple(result.point.overrides),
            backend=sweep.backend,
            output_root=str(sweep.output_root),
            folder=str(create_unique_folder(sweep.output_root / recipe.name)),
            varies=dict(result.point.labels),
        )
    result.command = request.command_line()
    result.run_folder = request.folder
    return request


def log_path(sweep: SweepResults, result: RunResult) -> Path:
    """``logs/run-07.log``: the console output of a point, recorded as its ``log``."""
    width = len(str(len(sweep.runs)))
    (sweep.folder / "logs").mkdir(exist_ok=True)
    result.log = f"logs/run-{result.point.index:0{width}d}.log"
    return sweep.folder / result.log


def run_in_slots(
    sweep: SweepResults,
    jobs: int,
    serve: Callable[[int, Callable[[], RunResult | None]], None],
    stop: Callable[[], None],
) -> None:
    """``serve(slot, take)`` on ``jobs`` threads, each taking the points not started one at
    a time (``take()`` gives None when none is left). On Ctrl-C, SIGTERM or SIGHUP
    (:mod:`recipes.signals`) ``stop()`` stops what runs, the threads end, and the interrupt
    goes on."""
    pending: queue.Queue[RunResult] = queue.Queue()
    for result in sweep.runs:
        if result.status == RunStatus.NOT_STARTED:
            pending.put(result)

    def take() -> RunResult | None:
        try:
            return pending.get_nowait()
        except queue.Empty:
            return None

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            list(pool.map(lambda slot: serve(slot, take), range(jobs)))
        except KeyboardInterrupt:
            stop()  # first; leaving the pool waits for its threads
            raise


class ProcessExecutor:
    """``processes``: points on runner processes, ``jobs`` at a time, a fresh runner per point
    unless ``reuse``. On Ctrl-C, SIGTERM or SIGHUP every runner is stopped and waited for: none
    is left behind."""

    def __init__(self, jobs: int = 1, reuse: bool = False) -> None:
        self.jobs = jobs
        self.reuse = reuse

    def run(self, sweep: SweepResults, progress: Any) -> None:
        children = Children()

        def serve(slot: int, take: Callable[[], RunResult | None]) -> None:
            runner: Runner | None = None
            try:
                while not children.stopping and (result := take()) is not None:
                    backend = result.point.recipe.config.backend
                    if runner is not None and not (
                        self.reuse and runner.alive and runner.backend == backend
                    ):
                        runner.close()
                        runner = None
                    log = log_path(sweep, result)
                    if runner is None:
                        name = f"worker-{slot + 1}.log" if self.reuse else log.name
                        runner = Runner(backend, children, log.parent / name)
                    if runner.process is None:  # the sweep is stopping
                        return
                    request = point_request(sweep, result)
                    progress.started(result)
                    started = time.perf_counter()
                    result.apply(runner.run(request, log), started)
                    progress.done(result)
            finally:
                if runner is not None:
                    runner.close()

        run_in_slots(sweep, self.jobs, serve, children.stop_all)


# ``workers``: ``jobs`` runner processes, each running point after point
WorkerExecutor = functools.partial(ProcessExecutor, reuse=True)
