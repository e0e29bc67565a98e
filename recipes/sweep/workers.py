"""The ``workers`` sweep executor: ``jobs`` long-lived worker processes
(:mod:`recipes.cli.worker`), each importing Keras once and running point after point with
fresh Keras state, instead of a new process (and a new Keras import, 3-6 s here) per point.
A worker serves one backend; a point on another backend gets a new worker. A worker that dies
fails its point and is replaced. Ctrl-C, SIGTERM or SIGHUP stop every worker, which records
its running point as interrupted, as the process executor does.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from recipes.sweep.executors import Children, _read_outcome, run_in_threads
from recipes.sweep.records import RunResult, Sweep


class Worker:
    """One worker process and the backend it serves."""

    def __init__(self, backend: str, children: Children, log: Path) -> None:
        self.backend = backend
        self.children = children
        self.log = open(log, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        environment = {**os.environ, "KERAS_BACKEND": backend, "PYTHONUNBUFFERED": "1"}
        self.process = children.start(
            [sys.executable, "-m", "recipes.cli.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=environment,
        )

    def run(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """The worker's reply, or None when it died (or the sweep is stopping)."""
        if self.process is None or self.process.poll() is not None:
            return None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            return None
        return json.loads(line) if line else None

    def close(self) -> int | None:
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
        return None if self.process is None else self.process.returncode


class WorkerExecutor:
    """Points on ``jobs`` reused worker processes."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs

    def run(self, sweep: Sweep, progress: Any) -> None:
        pending: queue.Queue[RunResult] = queue.Queue()
        width = len(str(len(sweep.results)))
        (sweep.folder / "logs").mkdir(exist_ok=True)
        for result in sweep.results:
            if result.status == "not started":
                result.log = sweep.folder / "logs" / f"run-{result.point.index:0{width}d}.log"
                pending.put(result)
        children = Children()

        def serve(slot: int) -> None:
            worker: Worker | None = None
            try:
                while not children.stopping:
                    try:
                        result = pending.get_nowait()
                    except queue.Empty:
                        return
                    worker = self._worker_for(result, sweep, worker, children, slot)
                    self._run_point(result, sweep, worker, progress)
            finally:
                if worker is not None:
                    worker.close()

        run_in_threads(serve, range(self.jobs), self.jobs, children)

    @staticmethod
    def _worker_for(
        result: RunResult, sweep: Sweep, worker: Worker | None, children: Children, slot: int
    ) -> Worker:
        backend = sweep.recipe_of(result).config.backend
        if worker is not None and worker.backend == backend and worker.process.poll() is None:
            return worker
        if worker is not None:
            worker.close()
        return Worker(backend, children, sweep.folder / "logs" / f"worker-{slot + 1}.log")

    @staticmethod
    def _run_point(result: RunResult, sweep: Sweep, worker: Worker, progress: Any) -> None:
        if worker.process is None:  # the sweep is stopping
            return
        result.command = [sys.executable, "-m", "recipes.cli.worker", "(reused worker)"]
        request = {
            "recipe": sweep.recipe_argument,
            "overrides": list(result.point.overrides),
            "backend": sweep.backend,
            "output_root": str(sweep.output_root),
            "log": str(result.log),
        }
        progress.started(result)
        clock = time.perf_counter()
        reply = worker.run(request)
        result.wall_s = time.perf_counter() - clock
        if reply is None:
            status = worker.process.wait()
            result.exit_status = status if status < 0 or status >= 128 else 1
            _read_outcome(result, sweep.output_root)
            if result.status == "failed":
                result.reason = f"its worker process died (exit status {status})"
        else:
            result.exit_status = reply["exit_status"]
            _read_outcome(result, sweep.output_root)
        progress.done(result)
