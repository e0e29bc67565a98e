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
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recipes.config.inputs import fingerprint
from recipes.config.schema import ResolvedRecipe
from recipes.errors import RecipeError, TrainingFailed
from recipes.files import atomic_write_text, create_unique_folder, now_iso, write_yaml
from recipes.locks import FolderLock
from recipes.records import RUN_FILE, RunRecord, read_run, write
from recipes.signals import describe_stop
from recipes.status import Heartbeat, RunStatus
from recipes.training.backend import library_versions, select_backend


class OpenRecord:
    """The ``run.json`` of an open run (typed as :class:`recipes.records.RunRecord`), validated and
    rewritten atomically on every change; ``data``: its fields as given. Safe to update from
    several threads (the heartbeat's and the run's)."""

    def __init__(self, folder: Path, **fields: Any) -> None:
        self.path = Path(folder) / RUN_FILE
        self.data: dict[str, Any] = {"status": RunStatus.RUNNING, **fields}
        self._lock = threading.Lock()
        self.update(heartbeat_at=time.time())

    def update(self, **fields: Any) -> None:
        with self._lock:
            write(self.path, RunRecord, {**self.data, **fields})  # nothing changes unless valid
            self.data.update(fields)


@dataclass
class RunContext:
    """What a task gets: the recipe, its run folder and record, and a clock for each stage."""

    recipe: ResolvedRecipe
    folder: Path
    record: OpenRecord
    durations: dict[str, float] = field(default_factory=dict)
    verbose: int | None = None  # Keras progress output; None: bars on a terminal, else lines
    resuming: bool = False  # the folder holds an interrupted or failed run to continue
    # more Keras callbacks for the fit, made from (config, data split) once the data is built:
    # a watcher of each epoch (a live view streams them), after the run's own callbacks
    watch: Callable[[Any, Any], list[Any]] | None = None
    # why the caller leaves the figures to be drawn later (a sweep's point, a live run)
    figures_pending: str | None = None

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


def _new_run_folder(
    recipe: ResolvedRecipe,
    output_root: Path | str,
    folder: Path | None = None,
    varies: dict[str, str] | None = None,
) -> tuple[Path, OpenRecord]:
    """``output_root/<recipe>/<run-id>`` (or ``folder``, an empty folder reserved for the
    run by a sweep executor) with config.yaml and run.json (status running; ``varies``: what
    the sweep that runs it varies)."""
    config = recipe.config
    if folder is None or any(Path(folder).iterdir()):  # a retried task's folder is not reused
        folder = create_unique_folder(Path(output_root) / recipe.name)
    folder = Path(folder)
    write_yaml(folder / "config.yaml", config.as_mapping())
    record = OpenRecord(
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
        inputs=fingerprint(config),
        **({"varies": varies} if varies else {}),  # only a sweep's run has the field
    )
    return folder, record


class OpenRun:
    """One run from its folder's creation to its final status, as a context manager: the
    ``with`` block does the work and calls :meth:`complete`; an exception leaving the block
    (or given to :meth:`fail`) is recorded as ``failed`` or ``interrupted``. While open, the
    run holds its folder's lock (:mod:`recipes.locks`) and beats its heartbeat. Several may be
    open at once (runs trained together, ``recipes.training.group``).

    ``folder``: an empty folder reserved for a new run (else one is made under
    ``output_root``). ``resume_folder``: a stopped run to continue, whose lock the caller
    already holds (``lock``) and whose resume entry it gives (``resume_entry``). ``varies``:
    what the sweep that runs it varies (run.json's ``varies``)."""

    def __init__(
        self,
        recipe: ResolvedRecipe,
        output_root: Path | str,
        verbose: int | None = None,
        resume_folder: Path | None = None,
        *,
        folder: Path | None = None,
        lock: FolderLock | None = None,
        resume_entry: dict[str, Any] | None = None,
        varies: dict[str, str] | None = None,
    ) -> None:
        self.started = time.perf_counter()
        self.status: RunStatus | None = None
        select_backend(recipe.config.backend)
        if resume_folder is None:
            folder, record = _new_run_folder(recipe, output_root, folder, varies)
            lock = FolderLock(folder).acquire()
        else:  # the caller took the lock before it checked the run could resume
            folder = Path(resume_folder)
            record = reopen_record(folder, resume_entry or {})
        self.lock = lock
        resuming = resume_folder is not None
        self.context = RunContext(recipe, folder, record, verbose=verbose, resuming=resuming)
        self.context.durations["setup"] = time.perf_counter() - self.started  # backend, folder
        self.heartbeat = Heartbeat(lambda: record.update(heartbeat_at=time.time()))

    def __enter__(self) -> OpenRun:
        return self

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> bool:
        if error is not None and self.status is None:
            self.fail(error)
        return False

    def complete(self, result: dict[str, Any]) -> None:
        self._finish(RunStatus.COMPLETED, reason="", **result)

    def fail(self, error: BaseException) -> None:
        """Record why the run stopped (``traceback.txt`` keeps a fault's details)."""
        if isinstance(error, KeyboardInterrupt):  # Ctrl-C, or SIGTERM / SIGHUP
            self._finish(RunStatus.INTERRUPTED, reason=describe_stop(error))
            return
        if isinstance(error, TrainingFailed):  # its cause, e.g. a user's loss raising, says where
            fault, reason = error.__cause__, str(error)
        else:  # a RecipeError or OSError says it all in one line; a fault keeps its details
            fault = None if isinstance(error, (RecipeError, OSError)) else error
            reason = f"{type(error).__name__}: {error}"
        if fault is not None:
            text = "".join(traceback.format_exception(fault))
            atomic_write_text(self.context.folder / "traceback.txt", text)
        self._finish(RunStatus.FAILED, reason=reason)

    def _finish(self, status: RunStatus, **fields: Any) -> None:
        self.status = status
        self.context.durations["total"] = time.perf_counter() - self.started
        self.heartbeat.stop()
        try:
            self.context.record.update(
                status=status, ended_at=now_iso(), durations_s=self.context.durations, **fields
            )
        except OSError:  # e.g. the disk is full: the error that caused it is what matters
            if status == RunStatus.COMPLETED:
                raise
        finally:
            self.lock.release()


def existing_run(folder: Path) -> RunRecord:
    """The record of the run in ``folder``; RecipeError (one line) when there is no such folder,
    it is not a run folder (run.json and config.yaml), or its record is damaged or of another
    version."""
    if not folder.is_dir():
        problem = "no such run folder"
    elif not (folder / RUN_FILE).is_file() or not (folder / "config.yaml").is_file():
        problem = "not a run folder (it needs run.json and config.yaml)"
    else:
        return read_run(folder)
    raise RecipeError(f"{folder}: {problem}; give a folder such as outputs/hinge/<run-id>")


def reopen_record(folder: Path, entry: dict[str, Any]) -> OpenRecord:
    """The run.json of a run being resumed: status running again, this process's pid, and
    one more entry under ``resumes`` (``entry`` adds to it, e.g. what ``--force`` let
    through)."""
    record = read_run(folder)
    resume = {"at": now_iso(), "previous_status": record.status, **entry}
    data = record.model_dump(exclude_unset=True)
    data.update(
        pid=os.getpid(),
        resumes=[*data.get("resumes", []), resume],
        command=" ".join(sys.argv),
        host={**data.get("host", {}), "name": socket.gethostname()},
    )
    del data["status"]
    return OpenRecord(folder, **data)
