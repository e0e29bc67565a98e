"""The life of one run folder, the same for every task.

Order matters: the backend is chosen before Keras is imported; the run folder, its
``config.yaml`` and ``run.json`` exist before the task starts, so a failed or interrupted run
is still auditable. ``run.json`` says whether the run is ``running``, ``completed``, ``failed``
or ``interrupted``.
"""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recipes.config.schema import ResolvedRecipe
from recipes.errors import RecipeError, TrainingFailed
from recipes.files import (
    atomic_write_text,
    create_unique_folder,
    now_iso,
    read_json,
    write_json,
    write_yaml,
)
from recipes.paths import DEFAULT_OUTPUT_ROOT
from recipes.plugins import TASKS
from recipes.run.backend import library_versions, select_backend
from recipes.signals import describe_stop


class RunRecord:
    """The ``run.json`` of one run, rewritten atomically on every change."""

    def __init__(self, folder: Path, **fields: Any) -> None:
        self.path = Path(folder) / "run.json"
        self.data: dict[str, Any] = {"status": "running", **fields}
        self.save()

    def update(self, **fields: Any) -> None:
        self.data.update(fields)
        self.save()

    def save(self) -> None:
        write_json(self.path, self.data)


@dataclass
class RunContext:
    """What a task gets: the recipe, its run folder and record, and a clock for each stage."""

    recipe: ResolvedRecipe
    folder: Path
    record: RunRecord
    durations: dict[str, float] = field(default_factory=dict)
    verbose: int | None = None  # Keras progress output; None: bars on a terminal, else lines
    resuming: bool = False  # the folder holds an interrupted or failed run to continue

    @property
    def config(self) -> Any:
        return self.recipe.config

    @contextlib.contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the seconds spent in the ``with`` block to ``durations[stage]`` (run.json)."""
        clock = time.perf_counter()
        try:
            yield
        finally:
            self.durations[stage] = self.durations.get(stage, 0.0) + time.perf_counter() - clock


Task = Callable[[RunContext], dict[str, Any]]


def run_recipe(
    recipe: ResolvedRecipe,
    output_root: Path | str = DEFAULT_OUTPUT_ROOT,
    verbose: int | None = None,
) -> Path:
    """Run the recipe's task (``task:`` in its config, default ``train``); returns the run
    folder. Raises TrainingFailed (status ``failed`` in run.json) when the task cannot finish,
    and re-raises KeyboardInterrupt after marking the run ``interrupted``."""
    return execute_run(recipe, output_root, TASKS.get(recipe.config.task), verbose=verbose)


def _new_run_folder(recipe: ResolvedRecipe, output_root: Path | str) -> tuple[Path, RunRecord]:
    """``output_root/<recipe>/<run-id>`` with config.yaml and run.json (status running)."""
    config = recipe.config
    folder = create_unique_folder(Path(output_root) / recipe.name)
    write_yaml(folder / "config.yaml", config.as_mapping())
    record = RunRecord(
        folder,
        recipe=recipe.name,
        task=config.task,
        run_id=folder.name,
        description=config.description,
        sources=recipe.sources,
        overrides=recipe.overrides,
        backend=config.backend,
        seed=config.seed,
        started_at=now_iso(),
        command=" ".join(sys.argv),
        versions=library_versions(),
        host={
            "name": socket.gethostname(),
            "platform": platform.platform(),
            "processor": platform.machine(),
        },
        pid=os.getpid(),
    )
    return folder, record


def execute_run(
    recipe: ResolvedRecipe,
    output_root: Path | str,
    task: Task,
    verbose: int | None = None,
    resume_folder: Path | None = None,
) -> Path:
    """Choose the backend, create the run folder (or reopen ``resume_folder``), call
    ``task(context)`` and record the outcome in run.json: ``completed`` with what the task
    returns, or ``failed`` / ``interrupted`` with the reason (the exception then carries
    ``run_folder``)."""
    with OpenRun(recipe, output_root, verbose, resume_folder) as run:
        run.complete(task(run.context))
    return run.context.folder


class OpenRun:
    """One run from its folder's creation to its final status, as a context manager: the
    ``with`` block does the work and calls :meth:`complete`; an exception leaving the block
    (or given to :meth:`fail`) is recorded as ``failed`` or ``interrupted``. Several may be
    open at once (runs trained together, ``recipes.run.group``)."""

    def __init__(
        self,
        recipe: ResolvedRecipe,
        output_root: Path | str,
        verbose: int | None = None,
        resume_folder: Path | None = None,
    ) -> None:
        select_backend(recipe.config.backend)
        self.started = time.perf_counter()
        if resume_folder is None:
            folder, record = _new_run_folder(recipe, output_root)
        else:
            folder, record = Path(resume_folder), reopen_record(resume_folder)
        self.context = RunContext(
            recipe, folder, record, verbose=verbose, resuming=resume_folder is not None
        )
        self.context.durations["setup"] = time.perf_counter() - self.started  # backend, folder
        self.status: str | None = None

    def __enter__(self) -> OpenRun:
        return self

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> bool:
        if error is not None and self.status is None:
            self.fail(error)
        return False

    def complete(self, result: dict[str, Any]) -> None:
        self._finish("completed", reason="", **result)

    def fail(self, error: BaseException) -> None:
        """Record why the run stopped; ``error.run_folder`` then names its folder."""
        error.run_folder = self.context.folder
        if isinstance(error, TrainingFailed):
            self._finish("failed", reason=str(error))
        elif isinstance(error, KeyboardInterrupt):  # Ctrl-C, or SIGTERM / SIGHUP
            self._finish("interrupted", reason=describe_stop(error))
        else:
            if not isinstance(error, (RecipeError, OSError)):  # a fault: keep the details
                atomic_write_text(
                    self.context.folder / "traceback.txt",
                    "".join(traceback.format_exception(error)),
                )
            self._finish("failed", reason=f"{type(error).__name__}: {error}")

    def _finish(self, status: str, **fields: Any) -> None:
        self.status = status
        self.context.durations["total"] = time.perf_counter() - self.started
        try:
            self.context.record.update(
                status=status, ended_at=now_iso(), durations_s=self.context.durations, **fields
            )
        except OSError:  # e.g. the disk is full: the error that caused it is what matters
            if status == "completed":
                raise


def reopen_record(folder: Path) -> RunRecord:
    """The run.json of a run being resumed: status running again, this process's pid, and
    one more entry under ``resumes``."""
    data = read_json(Path(folder) / "run.json")
    resumes = [*data.get("resumes", []), {"at": now_iso(), "previous_status": data.get("status")}]
    data.update(status="running", pid=os.getpid(), resumes=resumes, command=" ".join(sys.argv))
    return RunRecord(folder, **{k: v for k, v in data.items() if k != "status"})
