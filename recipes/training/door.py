"""One door for every run: whichever way a run starts (the command line, the Python API, a
sweep executor in this process, in a worker, in a child process or on Ray), it goes through
:func:`run_point`: a resolved recipe (or a stopped run folder to resume) in, a
:class:`RunOutcome` out. Executors decide only where and when a point runs; resume, locks,
the pinned inputs, the run folder and its record behave the same whichever runs it.

A child process or a worker gets a :class:`~recipes.outcome.PointRequest` (plain JSON) and
answers with the outcome as JSON (:mod:`recipes.child`); nothing
is read back from a log.

:func:`run_point` never raises for what happens inside a run: a bad config, a failed or
interrupted run, a fault, are all outcomes (``status``, ``exit_status``, ``message``). The
caller decides what an interruption means for it (the command line exits 130 or 143, a sweep
stops, the Python API raises KeyboardInterrupt).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recipes.config.inputs import changes_since, fingerprint
from recipes.config.schema import ResolvedRecipe
from recipes.errors import RecipeError, TrainingFailed, first_line
from recipes.locks import FolderLock
from recipes.outcome import PointRequest, RunOutcome, outcome_from_folder
from recipes.plugins import TASKS
from recipes.records import read_run
from recipes.signals import describe_stop, exit_status_of
from recipes.status import RunStatus, refuse_running
from recipes.training.drawing import pending_reason
from recipes.training.lifecycle import OpenRun, existing_run


def outcome_of_error(error: BaseException, folder: Path | None) -> RunOutcome:
    """What an exception that ended a run (or stopped it before it began) means."""
    if isinstance(error, RecipeError):
        exit_status, message = error.exit_status, f"error: {error}"
    elif isinstance(error, TrainingFailed):
        exit_status, message = error.exit_status, f"error: training failed: {error}"
    elif isinstance(error, KeyboardInterrupt):
        exit_status, detail = exit_status_of(error), f" ({error})" if str(error) else ""
        message = f"interrupted{detail}: the run's record says status 'interrupted'"
    elif isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        exit_status, message = 1, f"error: could not write{where}: {error.strerror or error}"
    else:
        exit_status = 1
        where = (
            f"(run.json records it; the traceback is in {folder}/traceback.txt)"
            if folder is not None
            else "(before its run folder was made)"
        )
        message = f"error: the run failed: {type(error).__name__}: {first_line(error)} {where}"
    if folder is not None and (folder / "run.json").is_file():
        return outcome_from_folder(folder, exit_status, message)
    status = RunStatus.INTERRUPTED if isinstance(error, KeyboardInterrupt) else RunStatus.FAILED
    reason = describe_stop(error) if isinstance(error, KeyboardInterrupt) else str(error)
    details = "" if isinstance(error, RecipeError) else "".join(traceback.format_exception(error))
    return RunOutcome(
        status=status, reason=reason, exit_status=exit_status, message=message, details=details
    )


def fresh_keras_state() -> None:
    """Forget the models and names of earlier runs in this process (a worker, a notebook);
    every run seeds itself."""
    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()


def run_point(
    recipe: ResolvedRecipe | None,
    output_root: Path | str | None = None,
    *,
    folder: Path | None = None,
    resume_folder: Path | str | None = None,
    force: bool = False,
    verbose: int | None = None,
    varies: dict[str, str] | None = None,
    watch: Callable[[Any, Any], list[Any]] | None = None,
    figures_pending: str | None = None,
) -> RunOutcome:
    """Run one point: ``recipe`` in a new run folder under ``output_root`` (or in
    ``folder``, an empty folder reserved for it), or continue the stopped run in
    ``resume_folder`` (``recipe`` None: the folder says what it was), refusing changed inputs
    unless ``force``; ``varies``: a sweep's point's grid labels, recorded in run.json.
    ``watch(config, split)``: more callbacks for the fit (a live view watches each epoch;
    :class:`~recipes.training.lifecycle.RunContext`); ``figures_pending``: why the run leaves
    its figures to be drawn when asked, if it does. Returns how it ended; never raises for
    what happens in the run."""
    run: OpenRun | None = None
    lock: FolderLock | None = None
    try:
        resume_entry: dict[str, Any] = {}
        if resume_folder is not None:
            resume_folder = Path(resume_folder).resolve()
            existing_run(resume_folder)  # one line for what is no run folder
            lock = FolderLock(resume_folder, "run").acquire()
            recipe, resume_entry = check_resumable(resume_folder, force)
            output_root = resume_folder.parent.parent
        fresh_keras_state()
        task = TASKS.get(recipe.config.task)
        run = OpenRun(
            recipe, output_root, verbose, resume_folder, folder=folder, lock=lock,
            resume_entry=resume_entry, varies=varies,
        )  # fmt: skip
        lock = None  # the run holds it now and releases it when it ends
        run.context.watch, run.context.figures_pending = watch, figures_pending
        with run:
            if resume_entry.get("forced"):
                run.context.record.update(inputs=fingerprint(recipe.config))
            run.complete(task(run.context))
    except (Exception, KeyboardInterrupt) as error:
        return outcome_of_error(error, run.context.folder if run else None)
    finally:
        if lock is not None:
            lock.release()
    return outcome_from_folder(run.context.folder)


def check_resumable(folder: Path, force: bool) -> tuple[ResolvedRecipe, dict[str, Any]]:
    """The recipe a stopped run folder was started with, and what its resume entry records;
    RecipeError (one line) when the run completed, is still running elsewhere, its task
    cannot resume, or its inputs changed (unless ``force``)."""
    from recipes.config.resolve import resolve_run_folder_config

    record = read_run(folder)
    recipe = record.recipe or folder.parent.name
    if record.status == RunStatus.COMPLETED:
        raise RecipeError(
            f"{folder}: this run already completed; nothing to resume "
            f"(a new run: python -m recipes run {recipe})"
        )
    refuse_running(folder, record, "run")
    config = resolve_run_folder_config(folder)
    if not TASKS.entry(config.task).info.get("resumable"):
        raise RecipeError(
            f"{folder}: task '{config.task}' has nothing to resume; run it again "
            f"(python -m recipes run {recipe})"
        )
    entry: dict[str, Any] = {}
    pinned = record.inputs.model_dump(exclude_unset=True) if record.inputs else None
    changes = changes_since(pinned, fingerprint(config))
    if changes:
        if not force:
            raise RecipeError(
                f"{folder}: {changes} since the run started; resuming would mix inputs. "
                "Start a new run, or add --force to resume anyway (run.json records it)"
            )
        entry["forced"] = changes
    sources, overrides = record.sources, record.overrides
    return ResolvedRecipe(name=recipe, config=config, sources=sources, overrides=overrides), entry


def run_request(request: PointRequest) -> RunOutcome:
    """Resolve and run a point given as a request, in this process (a runner does this): a
    sweep's point, whose figures ``plots.draw: auto`` leaves to be drawn when asked for."""
    if request.resume:
        return run_point(None, resume_folder=request.folder, force=request.force)
    from recipes.config.resolve import resolve_recipe

    try:
        recipe = resolve_recipe(request.recipe, request.overrides, request.backend)
    except (Exception, KeyboardInterrupt) as error:
        return outcome_of_error(error, None)
    folder = Path(request.folder) if request.folder else None
    pending = pending_reason(recipe.config, sweep_point=True)
    return run_point(
        recipe, request.output_root, folder=folder, varies=request.varies, figures_pending=pending
    )
