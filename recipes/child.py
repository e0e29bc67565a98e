"""The one door from another process: a point runner process (:mod:`recipes.cli.worker`)
gets a :class:`~recipes.training.door.PointRequest` and answers with the
:class:`~recipes.training.door.RunOutcome`, as JSON lines. The ``processes`` sweep executor starts
one runner per point, ``workers`` reuses each for many points, and a Ray task starts one on
its node: the same command, the same protocol. When a runner dies instead of answering, the
point's outcome is read from its run folder (reserved before the point started).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from recipes.outcome import PointRequest, RunOutcome, outcome_from_folder
from recipes.status import RunStatus


def runner_command() -> list[str]:
    """The command that starts a point runner (the tests replace it with a stand-in)."""
    return [sys.executable, "-m", "recipes.cli.worker"]


class Children:
    """The child processes of a sweep: started only while the sweep is not stopping, and all
    stopped (SIGTERM, then SIGKILL after ``grace`` seconds) when it is."""

    def __init__(self, grace: float = 30.0) -> None:
        self.grace = grace
        self.stopping = False
        self.running: set[subprocess.Popen] = set()
        self.lock = threading.Lock()

    def start(self, command: list[str], **options: Any) -> subprocess.Popen | None:
        with self.lock:
            if self.stopping:
                return None
            process = subprocess.Popen(command, **options)
            self.running.add(process)
            return process

    def finished(self, process: subprocess.Popen) -> None:
        with self.lock:
            self.running.discard(process)

    def stop_all(self) -> None:
        """Ask every child to stop (each records 'interrupted'), and wait for them."""
        with self.lock:
            self.stopping = True
            children = list(self.running)
        for process in children:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for process in children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Runner:
    """One point runner process serving one backend."""

    def __init__(
        self,
        backend: str,
        children: Children,
        log: Path,
        env: Mapping[str, str] | None = None,
        command: list[str] | None = None,
    ) -> None:
        self.backend = backend
        self.children = children
        self.log = open(log, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        environment = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            **(env or {}),
            "KERAS_BACKEND": backend,
        }
        self.process = children.start(
            command or runner_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=environment,
        )

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def run(self, request: PointRequest, log: Path) -> RunOutcome | None:
        """The point's outcome, or None when the runner died (or the sweep is stopping)."""
        if not self.alive:
            return None
        message = {"request": request.to_json(), "log": str(log)}
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            return None
        try:
            return RunOutcome.from_json(json.loads(line)) if line else None
        except (ValueError, TypeError):  # not a reply: the runner is broken
            return None

    def close(self) -> None:
        if self.process is not None:
            if self.process.stdin:
                self.process.stdin.close()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.children.finished(self.process)
        self.log.close()


def run_on(runner: Runner, request: PointRequest, log: Path) -> RunOutcome:
    """``request`` on ``runner``; when the runner dies instead of answering, the outcome its
    run folder records, with the runner's exit status as the reason. The log starts with the
    command that runs the same point by hand."""
    with open(log, "a", encoding="utf-8") as stream:
        stream.write("$ " + shlex.join(request.command_line()) + "\n")
    outcome = runner.run(request, log)
    if outcome is not None:
        return outcome
    status = runner.process.wait() if runner.process is not None else None
    stopped = runner.children.stopping  # the sweep stopped it: not a fault of the point
    reason = f"its worker process died (exit status {status})"
    return outcome_of_lost_point(request, reason, stopped=stopped)


def outcome_of_lost_point(request: PointRequest, reason: str, stopped: bool = False) -> RunOutcome:
    """A point whose runner was lost (killed, its node gone): what its run folder says, a
    run left ``running`` counted as ``failed`` (or ``interrupted`` when the sweep stopped
    it) with ``reason``."""
    folder = Path(request.folder) if request.folder else None
    if folder is None or not (folder / "run.json").is_file():
        status = RunStatus.INTERRUPTED if stopped else RunStatus.FAILED
        if folder is not None and not request.resume:
            with contextlib.suppress(OSError):  # reserved for the point and still empty
                folder.rmdir()
            folder = None
        return RunOutcome(status, folder, reason=reason, exit_status=143 if stopped else 1)
    outcome = outcome_from_folder(folder)
    if outcome.status in (RunStatus.RUNNING, RunStatus.STOPPED):
        outcome.status = RunStatus.INTERRUPTED if stopped else RunStatus.FAILED
        outcome.reason = reason
        outcome.exit_status = 143 if stopped else 1
    return outcome
