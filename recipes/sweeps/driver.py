"""Sweeps: one run per combination of config values, then one report comparing them.

``python -m recipes sweep <recipe> --grid loss=mse,categorical_crossentropy --grid seed=0,1``
trains the product of the values (here 4 runs), each in its own ordinary run folder
(``outputs/<recipe>/<run-id>``), and writes a sweep folder ``outputs/sweeps/<recipe>-<id>/``:

- ``summary.csv`` / ``summary.md`` and ``sweep.json`` (:mod:`recipes.sweeps.records`);
- ``logs/``: each run's console output (process executor);
- ``boundaries_and_forces.png`` for two-feature data: the runs side by side, each titled by what
  the sweep varies (``loss.gamma = 2``; :data:`recipes.plugins.SIDE_BY_SIDE`);
- the report the config names (``report:``, default ``table``; :data:`recipes.plugins.REPORTS`).

Every combination is validated before any training starts (:mod:`recipes.sweeps.grid`); the
executor the config names (``sweep.executor``) runs the points (:mod:`recipes.sweeps.executors`);
a run that fails is recorded and the others go on. :func:`resume_sweep` reruns the points of
a sweep folder that did not complete; :func:`print_plan` is ``--dry-run``.
"""

from __future__ import annotations

import shlex
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from recipes.config.inputs import changes_since, config_sha256, data_file_hashes
from recipes.errors import RecipeError, first_line
from recipes.files import atomic_write_text, create_unique_folder, now_iso
from recipes.locks import FolderLock
from recipes.outcome import PointRequest
from recipes.paths import default_output_root, display_path
from recipes.plugins import EXECUTORS, REPORTS, SIDE_BY_SIDE
from recipes.progress import Progress
from recipes.records import Inputs, SweepResume
from recipes.signals import exit_status_of
from recipes.status import Heartbeat, RunStatus, refuse_running
from recipes.sweeps.grid import plan_sweep
from recipes.sweeps.records import (
    RunResult,
    SweepResults,
    load_sweep,
    point_result,
    write_summary,
    write_sweep_record,
)


def _describe_result(result: RunResult, metric: str | None) -> str:
    if result.status != RunStatus.COMPLETED:
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
    output_root: Path | str | None = None,
    jobs: int | None = None,
    progress: TextIO | None = None,
    in_place: bool = False,
) -> SweepResults:
    """Validate every combination, run them with the config's executor (``jobs`` at a time;
    default: the config's ``sweep.jobs``), write the sweep folder (summary, sweep.json, the
    report) and return the :class:`SweepResults`. Progress lines go to ``progress`` (default:
    standard error); ``in_place`` (a notebook): one line per run, its passing states rewritten
    in place (:class:`~recipes.progress.Progress`).

    Raises RecipeError (before anything is created) when any combination is invalid.
    Ctrl-C, SIGTERM or SIGHUP stop the sweep after writing what finished: the returned sweep
    then has ``stop_signal`` set (the command line exits 128 + it).
    """
    _check_jobs(jobs)
    base, axes, points = plan_sweep(recipe, grid, list(overrides), backend)
    settings = base.config.sweep
    output_root = Path(output_root or default_output_root()).resolve()
    _preflight(settings, output_root)
    sweep = SweepResults(
        recipe=base.name,
        folder=create_unique_folder(output_root / "sweeps", prefix=f"{base.name}-"),
        base=base,
        grid=axes,
        runs=[point_result(point) for point in points],
        status=RunStatus.NOT_STARTED,
        overrides=list(overrides),
        backend=backend,
        jobs=jobs or settings.jobs,
        recipe_argument=recipe,
        output_root=output_root,
        executor=settings.executor,
        grid_spec={**base.config.grid, **(grid or {})},
        started_at=now_iso(),
        inputs=sweep_inputs(base, points),
    )
    with FolderLock(sweep.folder):
        return _execute(sweep, progress, in_place)


# Where and how the points run, not what they compute: a resume may change these.
NOT_PINNED = ("sweep", "description")


def _pinned(config: Any) -> dict[str, Any]:
    return {k: v for k, v in config.as_mapping().items() if k not in NOT_PINNED}


def sweep_inputs(base: Any, points: Sequence[Any]) -> dict[str, Any]:
    """What a sweep pins: the hash of its points' configs, its base config (to name what
    changed) and its data files; not ``sweep:``, which says only where and how points run."""
    return {
        "config_sha256": config_sha256({"points": [_pinned(p.recipe.config) for p in points]}),
        "config": _pinned(base.config),
        "data_files": data_file_hashes(base.config),
    }


def resume_sweep(
    folder: Path | str,
    jobs: int | None = None,
    progress: TextIO | None = None,
    force: bool = False,
) -> SweepResults:
    """Rerun the points of a sweep folder that did not complete (a point stopped with a
    backup continues in its run folder, any other starts in a new one), then rewrite the
    summary and the report over all points. A sweep whose points all completed but whose
    report failed gets its report rebuilt. RecipeError (one line) when another process works
    on the sweep, or its inputs changed since it started (unless ``force``)."""
    _check_jobs(jobs)
    folder = Path(folder).resolve()
    with FolderLock(folder, "sweep"):
        sweep = load_sweep(folder)
        refuse_running(folder, sweep, "sweep")
        base, _, points = plan_sweep(
            sweep.recipe_argument, sweep.grid_spec, sweep.overrides, sweep.backend
        )
        if [p.labels for p in points] != [r.point.labels for r in sweep.runs]:
            raise RecipeError(
                f"{folder}: the recipe's grid no longer gives this sweep's points; start a new "
                "sweep"
            )
        changed = changes_since(sweep.inputs and dict(sweep.inputs), sweep_inputs(base, points))
        if changed and not force:
            raise RecipeError(
                f"{folder}: {changed} since the sweep started; resuming would mix runs of "
                "different inputs. Start a new sweep, or add --force to resume anyway "
                "(sweep.json records it)"
            )
        todo = [result for result in sweep.runs if result.status != RunStatus.COMPLETED]
        if not todo and not sweep.report_error:
            raise RecipeError(f"{folder}: every point completed; nothing to resume")
        _preflight(base.config.sweep, sweep.output_root)
        for result, point in zip(sweep.runs, points, strict=True):
            result.point = point
            if result.status != RunStatus.COMPLETED:
                result.reset()
        sweep.base, sweep.jobs, sweep.force = base, jobs or sweep.jobs, force
        entry = SweepResume(at=now_iso(), points=len(todo))
        if changed:
            entry.forced = changed
            sweep.inputs = Inputs(**sweep_inputs(base, points))
        sweep.resumes.append(entry)
        return _execute(sweep, progress)


def rebuild_report(folder: Path | str) -> SweepResults:
    """``sweep --report``: the sweep's summary and report written again from its run folders,
    without training anything."""
    folder = Path(folder).resolve()
    with FolderLock(folder, "sweep"):
        sweep = load_sweep(folder)
        status = sweep.status
        _finish(sweep, None, status if status.finished else RunStatus.FAILED, compare=True)
        return sweep


def print_plan(
    recipe: str,
    grid: Mapping[str, Sequence[Any]] | None = None,
    overrides: Sequence[str] = (),
    backend: str | None = None,
) -> int:
    """``sweep --dry-run``: every point's run, one line each; creates nothing."""
    base, _, points = plan_sweep(recipe, grid, list(overrides), backend)
    lines = Progress(len(points), sys.stdout)
    for point in points:
        request = PointRequest(recipe=recipe, overrides=tuple(point.overrides), backend=backend)
        command = request.command_line()
        lines.line(f"{point.label}: {shlex.join(command)}", point.index)
    describe = getattr(EXECUTORS.get(base.config.sweep.executor), "describe", None)
    if describe is not None:  # e.g. ray: where the points would run, with what resources
        lines.line(f"executor {base.config.sweep.executor}: {describe(base.config.sweep)}")
    lines.line(f"{len(points)} runs; nothing was created (--dry-run)")
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


def _execute(sweep: SweepResults, progress: TextIO | None, in_place: bool = False) -> SweepResults:
    """Run the sweep's points that have not started, then write its records and report."""
    lines = SweepProgress(sweep, progress, in_place)
    executor = EXECUTORS.get(sweep.executor)(jobs=sweep.jobs)
    write_sweep_record(sweep, status=RunStatus.RUNNING)
    lines.announce(sweep)
    started = time.perf_counter()
    heartbeat = Heartbeat(lambda: write_sweep_record(sweep, status=RunStatus.RUNNING))
    try:
        executor.run(sweep, lines)
    except KeyboardInterrupt as error:
        sweep.stop_signal = exit_status_of(error) - 128
    finally:  # the heartbeat stops before sweep.json is written for the last time
        heartbeat.stop()
    if sweep.stop_signal is not None:
        for result in sweep.runs:
            if result.status == RunStatus.NOT_STARTED and result.exit_status is None:
                result.reason = "the sweep was interrupted before this run started"
        _finish(sweep, started, RunStatus.INTERRUPTED, compare=False)
        return sweep
    completed = all(r.status == RunStatus.COMPLETED for r in sweep.runs)
    _finish(sweep, started, RunStatus.COMPLETED if completed else RunStatus.FAILED, compare=True)
    return sweep


class SweepProgress(Progress):
    """What an executor reports as points start and finish: one line each, e.g.
    ``[3/10] loss=hinge, seed=2: completed in 9.1 s (fit 6.2 s), test_sign_accuracy 1.0000
    (3/10 done)``. Safe to call from several threads."""

    def __init__(self, sweep: SweepResults, stream: TextIO, in_place: bool = False) -> None:
        super().__init__(len(sweep.runs), stream, in_place=in_place)
        self.finished = 0
        metrics = sweep.base.config.metrics
        self.metric = metrics[0].name if metrics else None

    def started(self, result: RunResult) -> None:
        self.line(f"{result.point.label}: started", result.point.index, passing=True)

    def done(self, result: RunResult) -> None:
        with self.lock:
            self.finished += 1
            described = _describe_result(result, self.metric)
            text = f"{result.point.label}: {described} ({self.finished}/{self.total} done)"
            self.line(text, result.point.index)

    def announce(self, sweep: SweepResults) -> None:
        shape = " x ".join(f"{axis.key} ({len(axis.values)})" for axis in sweep.grid)
        todo = sum(result.status == RunStatus.NOT_STARTED for result in sweep.runs)
        runs = f"resuming {todo} of {self.total} runs" if sweep.resumes else f"{self.total} runs"
        self.line(
            f"sweep {sweep.recipe}: {runs} over {shape}, {sweep.jobs} at a time "
            f"({sweep.executor}); folder {display_path(sweep.folder)}"
        )


def write_report(sweep: SweepResults) -> list[Path]:
    """The runs' boundaries and forces side by side, labelled by what the sweep varies (for
    two-feature data, whatever the report), then the report the sweep's config names
    (``report:``); returns the files written."""
    side_by_side = SIDE_BY_SIDE.load()(sweep)
    return [*side_by_side, *REPORTS.get(sweep.base.config.report)(sweep)]


def _finish(sweep: SweepResults, started: float | None, status: RunStatus, compare: bool) -> None:
    """summary.csv/md, the report, then sweep.json. A report that fails leaves the completed
    runs recorded, the sweep ``failed`` with ``report_error`` (its traceback in
    ``report_traceback.txt``), and ``sweep --report`` rebuilds it."""
    if started is not None:
        sweep.ended_at = now_iso()
        sweep.wall_s = time.perf_counter() - started
    write_summary(sweep)
    outputs: list[str] = []
    sweep.report_error = ""
    if compare and any(result.status == RunStatus.COMPLETED for result in sweep.runs):
        try:
            outputs = [path.name for path in write_report(sweep)]
        except Exception as error:  # a plot or a table failed: the runs are still recorded
            sweep.report_error = f"{type(error).__name__}: {first_line(error)}"
            atomic_write_text(
                sweep.folder / "report_traceback.txt", "".join(traceback.format_exception(error))
            )
            status = RunStatus.FAILED
        else:
            (sweep.folder / "report_traceback.txt").unlink(missing_ok=True)
            if status == RunStatus.FAILED and all(
                r.status == RunStatus.COMPLETED for r in sweep.runs
            ):
                status = RunStatus.COMPLETED  # only the report had failed, and now it is done
    write_sweep_record(sweep, status=status, comparison=outputs)
