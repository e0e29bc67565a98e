"""What goes in and out of the one door (:func:`recipes.training.door.run_point`), as data: a
:class:`PointRequest` (a point for a child process or a worker, plain JSON) and a
:class:`RunOutcome` (how a run ended). Kept apart from the door itself, so that code that only
hands points to other processes and reads their outcomes (the sweep executors) never imports
the run machinery.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pydantic

from recipes.records import run_or_none
from recipes.status import RunStatus, shown_status


class RunOutcome(pydantic.BaseModel):
    """How a run ended; crosses a process as JSON (``model_dump_json``, ``model_validate``).
    ``exit_status`` is what the command line exits with: 0 completed, 1 failed, 2 bad input
    (config, data file, a run that cannot resume), 128 + the signal's number when stopped.
    ``message``: the line the command line prints on standard error ('' when completed)."""

    status: Annotated[RunStatus, pydantic.BeforeValidator(RunStatus.of)]
    run_folder: Path | None = None
    metrics: dict[str, Any] = {}
    reason: str = ""
    exit_status: int = 0
    message: str = ""
    durations: dict[str, float] = {}
    details: str = ""  # a fault's traceback when there is no run folder to keep it

    @property
    def stop_signal(self) -> int | None:
        """The signal that stopped the run (SIGINT for Ctrl-C), or None."""
        return self.exit_status - 128 if self.exit_status > 128 else None


def outcome_from_folder(
    folder: Path, exit_status: int | None = None, message: str = ""
) -> RunOutcome:
    """A run's outcome as its folder records it (status, reason, metrics, durations)."""
    record = run_or_none(folder)
    status = shown_status(record) if record else RunStatus.NOT_STARTED
    if exit_status is None:
        exit_status = 0 if status == RunStatus.COMPLETED else 1
    return RunOutcome(
        status=status,
        run_folder=folder,
        metrics=(record.metrics or {}) if status == RunStatus.COMPLETED else {},
        reason=record.reason if record else "",
        exit_status=exit_status,
        message=message,
        durations=dict(record.durations_s) if record else {},
    )


class PointRequest(pydantic.BaseModel, frozen=True):
    """One point for a child process or a worker, as plain JSON: what to resolve
    (``recipe``, ``overrides``, ``backend``) and where to run it (``folder``: an empty
    folder reserved for a new run, or the stopped run to continue when ``resume``) and, for a
    sweep's point, what the sweep varies (``varies``, for its record and figure titles)."""

    recipe: str
    overrides: tuple[str, ...] = ()
    backend: str | None = None
    output_root: str = ""
    folder: str | None = None
    resume: bool = False
    force: bool = False
    varies: dict[str, str] | None = None  # a sweep's point: what the sweep varies (run.json)

    def command_line(self) -> list[str]:
        """The command that runs the same point by hand (sweep.json shows it)."""
        if self.resume:
            return ["python", "-m", "recipes", "resume", str(self.folder)]
        command = ["python", "-m", "recipes", "run", self.recipe]
        for text in self.overrides:
            command += ["--set", text]
        if self.backend:
            command += ["--backend", self.backend]
        return [*command, "--output-root", self.output_root] if self.output_root else command
