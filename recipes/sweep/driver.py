"""Sweeps: one run per combination of config values, then one report comparing them.

``python -m recipes sweep <recipe> --grid loss=mse,categorical_crossentropy --grid seed=0,1``
trains the product of the values (here 4 runs), each in its own ordinary run folder
(``outputs/<recipe>/<run-id>``), and writes a sweep folder ``outputs/sweeps/<recipe>-<id>/``:

- ``summary.csv`` / ``summary.md`` and ``sweep.json`` (:mod:`recipes.sweep.records`);
- ``logs/``: each run's console output (process executor);
- the report the config names (``report:``, default ``table``; :data:`recipes.plugins.REPORTS`).

Every combination is validated before any training starts (:mod:`recipes.sweep.grid`); the
executor the config names (``sweep.executor``) runs the points (:mod:`recipes.sweep.executors`);
a run that fails is recorded and the others go on. :func:`resume_sweep` reruns the points of
a sweep folder that did not complete; :func:`print_plan` is ``--dry-run``.
"""

from __future__ import annotations

import shlex
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from recipes.errors import RecipeError
from recipes.files import create_unique_folder, now_iso, read_json
from recipes.paths import DEFAULT_OUTPUT_ROOT, display_path
from recipes.plugins import EXECUTORS, REPORTS
from recipes.status import shown_status
from recipes.sweep.grid import plan_sweep
from recipes.sweep.records import (
    RunResult,
    Sweep,
    load_sweep,
    write_summary,
    write_sweep_record,
)


def _describe_result(result: RunResult, metric: str | None) -> str:
    if result.status != "completed":
        return f"{result.status}: {result.reason}"
    text = f"completed in {result.wall_s:.1f} s"
    if "fit" in result.durations:
        text += f" (fit {result.durations['fit']:.1f} s)"
    for key in (f"test_{metric}", "test_accuracy", "test_loss"):
        if key in result.metrics:
            return f"{text}, {key} {result.metrics[key]:.4f}"
    return text


def run_sweep(
    recipe: str,
    grid: Mapping[str, Sequence[Any]] | None = None,
    overrides: Sequence[str] = (),
    backend: str | None = None,
    output_root: Path | str = DEFAULT_OUTPUT_ROOT,
    jobs: int | None = None,
    progress: TextIO | None = None,
    compare: bool = True,
) -> Sweep:
    """Validate every combination, run them with the config's executor (``jobs`` at a time;
    default: the config's ``sweep.jobs``), write the sweep folder (summary, sweep.json, the
    report) and return the :class:`Sweep`. Progress lines go to ``progress`` (default:
    standard error).

    Raises RecipeError (before anything is created) when any combination is invalid.
    Ctrl-C, SIGTERM or SIGHUP stop the sweep after writing what finished (KeyboardInterrupt
    is re-raised with ``sweep_folder`` set).
    """
    _check_jobs(jobs)
    base, axes, points, _ = plan_sweep(recipe, grid, list(overrides), backend)
    settings = base.config.sweep
    output_root = Path(output_root).resolve()
    _preflight(settings, output_root)
    sweep = Sweep(
        recipe=base.name,
        folder=create_unique_folder(output_root / "sweeps", prefix=f"{base.name}-"),
        base=base,
        axes=axes,
        results=[RunResult(point=point) for point in points],
        overrides=list(overrides),
        backend=backend,
        jobs=jobs or settings.jobs,
        recipe_argument=recipe,
        output_root=output_root,
        executor=settings.executor,
        grid_spec={**base.config.grid, **(grid or {})},
        started_at=now_iso(),
    )
    return _execute(sweep, progress, compare)


def resume_sweep(
    folder: Path | str, jobs: int | None = None, progress: TextIO | None = None
) -> Sweep:
    """Rerun the points of a sweep folder that did not complete (each in a new run folder),
    then rewrite the summary and the report over all points."""
    _check_jobs(jobs)
    folder = Path(folder).resolve()
    sweep = load_sweep(folder)
    record = read_json(folder / "sweep.json")
    if shown_status(record) == "running":
        raise RecipeError(f"{folder}: this sweep is still running (pid {record.get('pid')})")
    base, _, points, _ = plan_sweep(
        sweep.recipe_argument, sweep.grid_spec, sweep.overrides, sweep.backend
    )
    if [p.labels for p in points] != [r.point.labels for r in sweep.results]:
        raise RecipeError(
            f"{folder}: the recipe's grid no longer gives this sweep's points; start a new sweep"
        )
    todo = [result for result in sweep.results if result.status != "completed"]
    if not todo:
        raise RecipeError(f"{folder}: every point completed; nothing to resume")
    _preflight(base.config.sweep, sweep.output_root)
    for result, point in zip(sweep.results, points, strict=True):
        result.point = point
        if result.status != "completed":
            result.reset()
    sweep.base, sweep.jobs = base, jobs or sweep.jobs
    sweep.resumes = [*sweep.resumes, {"at": now_iso(), "points": len(todo)}]
    return _execute(sweep, progress, compare=True)


def print_plan(
    recipe: str,
    grid: Mapping[str, Sequence[Any]] | None = None,
    overrides: Sequence[str] = (),
    backend: str | None = None,
) -> int:
    """``sweep --dry-run``: every point's run, one line each; creates nothing."""
    base, _, points, _ = plan_sweep(recipe, grid, list(overrides), backend)
    for point in points:
        sets = " ".join(f"--set {shlex.quote(text)}" for text in point.overrides)
        print(f"[{point.index}/{len(points)}] {point.label}: python -m recipes run {recipe} {sets}")
    describe = getattr(EXECUTORS.get(base.config.sweep.executor), "describe", None)
    if describe is not None:  # e.g. ray: where the points would run, with what resources
        print(f"executor {base.config.sweep.executor}: {describe(base.config.sweep)}")
    print(f"{len(points)} runs; nothing was created (--dry-run)")
    return 0


def _preflight(settings: Any, output_root: Path) -> None:
    """An executor may check, before the sweep creates anything, that it can run its points
    (the ray executor: Ray installed, cluster reachable, output root shared): its optional
    ``preflight(sweep settings, output root)`` raises RecipeError (one line, exit status 2)."""
    preflight = getattr(EXECUTORS.get(settings.executor), "preflight", None)
    if preflight is not None:
        preflight(settings, output_root)


def _check_jobs(jobs: int | None) -> None:
    if jobs is not None and jobs < 1:
        raise RecipeError(f"--jobs must be at least 1, got {jobs}")


def _execute(sweep: Sweep, progress: TextIO | None, compare: bool) -> Sweep:
    """Run the sweep's points that have not started, then write its records and report."""
    progress = progress if progress is not None else sys.stderr
    executor = EXECUTORS.get(sweep.executor)(jobs=sweep.jobs)
    write_sweep_record(sweep, status="running")
    _announce(sweep, progress)
    started = time.perf_counter()
    try:
        executor.run(sweep, ProgressLines(sweep, progress))
    except KeyboardInterrupt as error:
        for result in sweep.results:
            if result.status == "not started" and result.exit_status is None:
                result.reason = "the sweep was interrupted before this run started"
        _finish(sweep, started, "interrupted", compare=False)
        error.sweep_folder = sweep.folder
        error.run_folder = sweep.folder  # the command line prints it as its last line
        raise
    status = "completed" if all(r.status == "completed" for r in sweep.results) else "failed"
    _finish(sweep, started, status, compare=compare)
    return sweep


class ProgressLines:
    """What an executor reports as points start and finish: one line each, e.g.
    ``[3/10] loss=hinge, seed=2: completed in 9.1 s (fit 6.2 s), test_sign_accuracy 1.0000
    (3/10 done)``. Safe to call from several threads."""

    def __init__(self, sweep: Sweep, stream: TextIO) -> None:
        self.stream = stream
        self.total = len(sweep.results)
        self.finished = 0
        self.lock = threading.Lock()
        metrics = sweep.base.config.metrics
        self.metric = metrics[0].name if metrics else None

    def _print(self, result: RunResult, text: str) -> None:
        line = f"[{result.point.index}/{self.total}] {result.point.label}: {text}"
        print(line, file=self.stream, flush=True)

    def started(self, result: RunResult) -> None:
        with self.lock:
            self._print(result, "started")

    def done(self, result: RunResult) -> None:
        with self.lock:
            self.finished += 1
            described = _describe_result(result, self.metric)
            self._print(result, f"{described} ({self.finished}/{self.total} done)")


def _announce(sweep: Sweep, progress: TextIO) -> None:
    shape = " x ".join(f"{axis.key} ({len(axis.values)})" for axis in sweep.axes)
    todo = sum(result.status == "not started" for result in sweep.results)
    runs = (
        f"{len(sweep.results)} runs"
        if todo == len(sweep.results)
        else (f"resuming {todo} of {len(sweep.results)} runs")
    )
    print(
        f"sweep {sweep.recipe}: {runs} over {shape}, {sweep.jobs} at a time "
        f"({sweep.executor}); folder {display_path(sweep.folder)}",
        file=progress,
        flush=True,
    )


def write_report(sweep: Sweep) -> list[Path]:
    """The report the sweep's config names (``report:``); returns the files it wrote."""
    return REPORTS.get(sweep.base.config.report)(sweep)


def _finish(sweep: Sweep, started: float, status: str, compare: bool) -> None:
    sweep.ended_at = now_iso()
    sweep.wall_s = time.perf_counter() - started
    write_summary(sweep)
    outputs: list[str] = []
    if compare and any(result.status == "completed" for result in sweep.results):
        outputs = [path.name for path in write_report(sweep)]
    write_sweep_record(sweep, status=status, comparison=outputs)
