"""Sweep executors: how a sweep's points get run. The grid, the records and the reports do not
depend on which one runs them.

An executor is made with ``Executor(jobs=N)`` and runs with ``executor.run(sweep, progress)``:
it fills in each :class:`~recipes.sweep.records.RunResult` of ``sweep.results`` whose status
is ``not started`` (status, run folder, metrics, durations, reason) and calls
``progress.started(result)`` and ``progress.done(result)`` as each one starts and finishes.
On Ctrl-C it stops starting new points, lets the running ones end, and re-raises
KeyboardInterrupt. Executors are registered by name in
:data:`recipes.plugins.EXECUTORS` and chosen with ``sweep.executor`` in a config.

:class:`ProcessExecutor` (``processes``) runs each point as its own
``python -m recipes run ... --set ...`` process, ``jobs`` at a time, so each gets a fresh Keras
(a grid may even vary ``backend``) and a crash stays inside its point.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from recipes.files import read_json
from recipes.sweep.records import RunResult, Sweep


class Executor(Protocol):
    """What the sweep driver needs from an executor."""

    def __init__(self, jobs: int) -> None: ...

    def run(self, sweep: Sweep, progress: Any) -> None: ...


def run_command(
    recipe: str, overrides: Sequence[str], backend: str | None, output_root: Path
) -> list[str]:
    """The ``python -m recipes run`` command line of one sweep run."""
    command = [sys.executable, "-m", "recipes", "run", recipe]
    for text in overrides:
        command += ["--set", text]
    if backend:
        command += ["--backend", backend]
    return [*command, "--output-root", str(output_root)]


def _run_folder_from_log(lines: list[str], output_root: Path) -> Path | None:
    """The run folder the child printed (the last line naming a folder with a run.json)."""
    for line in reversed(lines):
        text = line.strip()
        if not text:
            continue
        candidate = Path(text) if Path(text).is_absolute() else output_root / text
        try:  # other lines (library logging interleaved from stderr) are not paths
            if (candidate / "run.json").is_file():
                return candidate
        except OSError:
            continue
    return None


def _error_line(lines: list[str]) -> str:
    for line in reversed(lines):
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    for line in reversed(lines):
        if line.strip():
            return line.strip()
    return ""


STOP_SIGNAL_STATUSES = (129, 130, 143, -1, -2, -15)  # exit codes of a run stopped by a signal


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


def execute_point(
    result: RunResult,
    output_root: Path,
    children: Children | None = None,
    env: Mapping[str, str] | None = None,
) -> RunResult:
    """Run one point in a child process and read its outcome from the run folder."""
    children = children or Children()
    clock = time.perf_counter()
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    with open(result.log, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(result.command) + "\n")
        log.flush()
        process = children.start(
            result.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_env,
        )
        if process is None:  # the sweep is stopping: this point never starts
            return result
        try:
            returncode = process.wait()
        finally:
            children.finished(process)
    result.wall_s = time.perf_counter() - clock
    result.exit_status = returncode
    _read_outcome(result, output_root)
    return result


def read_run_folder(result: RunResult, folder: Path | None) -> dict[str, Any]:
    """Fill in a point's run folder, metrics and durations; returns its run.json (empty
    without a folder)."""
    result.run_folder = folder
    record = read_json(folder / "run.json") if folder else {}
    result.metrics = read_json(folder / "metrics.json") if folder else {}
    result.durations = record.get("durations_s", {})
    return record


def _read_outcome(result: RunResult, output_root: Path) -> None:
    """Status, run folder, metrics and reason of a finished point, from its log and folder."""
    lines = result.log.read_text(encoding="utf-8", errors="replace").splitlines()
    record = read_run_folder(result, _run_folder_from_log(lines, output_root))
    if result.exit_status == 0 and result.run_folder is None:
        result.status = "failed"
        result.reason = "the run exited normally but printed no run folder"
    elif result.exit_status == 0:
        result.status = record.get("status", "completed")
    elif result.exit_status in STOP_SIGNAL_STATUSES:
        result.status = "interrupted"
        result.reason = record.get("reason") or "interrupted"
    else:
        result.status = "failed"
        result.reason = (
            record.get("reason") or _error_line(lines) or f"exit status {result.exit_status}"
        )


def run_in_threads(
    work: Callable[[Any], None], items: Iterable[Any], jobs: int, children: Children
) -> None:
    """``work(item)`` for every item, ``jobs`` threads at once. On Ctrl-C (or SIGTERM, SIGHUP:
    recipes.signals) every child process is stopped first, then the threads are waited for."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(work, item) for item in items]
        for future in concurrent.futures.as_completed(futures):
            future.result()
    except KeyboardInterrupt:
        children.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


class ProcessExecutor:
    """Each point in its own ``python -m recipes run`` process, ``jobs`` at a time. On Ctrl-C,
    SIGTERM or SIGHUP every running child is stopped and waited for: none is left behind."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs

    def run(self, sweep: Sweep, progress: Any) -> None:
        pending = [result for result in sweep.results if result.status == "not started"]
        width = len(str(len(sweep.results)))
        (sweep.folder / "logs").mkdir(exist_ok=True)
        for result in pending:
            if result.resume_from is not None:  # a stopped point continues from its backup
                result.command = [
                    sys.executable,
                    "-m",
                    "recipes",
                    "resume",
                    str(result.resume_from),
                ]
            else:
                result.command = run_command(
                    sweep.recipe_argument, result.point.overrides, sweep.backend, sweep.output_root
                )
            result.log = sweep.folder / "logs" / f"run-{result.point.index:0{width}d}.log"
        children = Children()

        def work(result: RunResult) -> None:
            if children.stopping:
                return
            progress.started(result)
            execute_point(result, sweep.output_root, children)
            if result.exit_status is not None:
                progress.done(result)

        run_in_threads(work, pending, self.jobs, children)
