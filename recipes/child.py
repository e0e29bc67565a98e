"""The one door from another process, both of its ends: a point runner process
(``python -m recipes.child``, :func:`serve`) imports Keras once and runs the points it is sent
through the one door (:func:`recipes.training.door.run_point`), each with fresh Keras state;
:class:`Runner` starts one and talks to it. The ``processes`` sweep executor starts one runner
per point, ``workers`` reuses each for many points, and a Ray task starts one on its node: the
same command, the same protocol.

Protocol: one JSON message per line on the runner's standard input, ``{"request":
PointRequest, "log": path}`` (:class:`~recipes.outcome.PointRequest`); while a point runs, the
runner's standard output and error go to ``log`` (ending, as on the command line, with the
error line and the run folder); then one JSON line on its standard output, the
:class:`~recipes.outcome.RunOutcome`. A point stopped by a signal ends the runner (after its
reply). When a runner dies instead of answering, the point's outcome is read from its run
folder (reserved before the point started).
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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from recipes.outcome import PointRequest, RunOutcome, outcome_from_folder
from recipes.signals import exit_status_of, termination_signals_handled
from recipes.status import RunStatus


def runner_command() -> list[str]:
    """The command that starts a point runner (the tests replace it with a stand-in)."""
    return [sys.executable, "-m", "recipes.child"]


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

    def run(self, request: PointRequest, log: Path) -> RunOutcome:
        """``request``'s outcome; when the runner dies instead of answering (or the sweep is
        stopping), the outcome its run folder records, with the runner's exit status as the
        reason. The log starts with the command that runs the same point by hand."""
        with open(log, "a", encoding="utf-8") as stream:
            stream.write("$ " + shlex.join(request.command_line()) + "\n")
        if self.alive:
            message = {"request": request.model_dump(), "log": str(log)}
            # a closed pipe (the runner died) or a line that is no reply (it is broken): lost
            with contextlib.suppress(BrokenPipeError, OSError, ValueError, TypeError):
                self.process.stdin.write(json.dumps(message) + "\n")
                self.process.stdin.flush()
                line = self.process.stdout.readline()
                if line:
                    return RunOutcome.model_validate_json(line)
        status = self.process.wait()  # an executor runs no point on a runner never started
        stopped = self.children.stopping  # the sweep stopped it: not a fault of the point
        reason = f"its worker process died (exit status {status})"
        return outcome_of_lost_point(request, reason, stopped=stopped)

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


def outcome_of_lost_point(request: PointRequest, reason: str, stopped: bool = False) -> RunOutcome:
    """A point whose runner was lost (killed, its node gone): what its run folder says, a
    run left ``running`` counted as ``failed`` (or ``interrupted`` when the sweep stopped
    it) with ``reason``."""
    folder = Path(request.folder)  # every executor reserves it before the point starts
    status = RunStatus.INTERRUPTED if stopped else RunStatus.FAILED
    lost = RunOutcome(status=status, reason=reason, exit_status=143 if stopped else 1)
    if not (folder / "run.json").is_file():
        if request.resume:
            lost.run_folder = folder
        else:
            with contextlib.suppress(OSError):  # reserved for the point and still empty
                folder.rmdir()
        return lost
    outcome = outcome_from_folder(folder)
    if outcome.status in (RunStatus.RUNNING, RunStatus.STOPPED):
        outcome.status = status
        outcome.reason = reason
        outcome.exit_status = lost.exit_status
    return outcome


# ----------------------------------------------------------------- the runner's end


@contextlib.contextmanager
def output_to(path: str) -> Iterator[None]:
    """Standard output and error (Python's and the libraries' own) appended to ``path``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def serve() -> int:
    """The runner's loop (see the module's docstring); returns its exit status."""
    from recipes.training.door import run_request  # the run machinery: in the runner only

    replies = os.fdopen(os.dup(1), "w", buffering=1)  # before any run redirects fd 1
    with termination_signals_handled():
        for line in sys.stdin:
            message = json.loads(line)
            request = PointRequest.model_validate(message["request"])
            try:
                with output_to(message["log"]):
                    outcome = run_request(request)
                    if outcome.message:  # what the command line prints at a run's end
                        print(outcome.message, file=sys.stderr)
                    if outcome.run_folder is not None:
                        print(outcome.run_folder)
            except KeyboardInterrupt as error:  # a signal between runs
                return exit_status_of(error)
            replies.write(outcome.model_dump_json() + "\n")
            if outcome.stop_signal is not None:  # stopped by a signal: so is the sweep
                return outcome.exit_status
    return 0


if __name__ == "__main__":
    sys.exit(serve())
