"""The ``ray`` executor: a sweep's points as Ray tasks, on this machine or on a Ray cluster.

``python -m recipes sweep <recipe> --executor ray [--address auto|HOST:PORT]``. Each point is
one Ray task asking for ``sweep.ray.cpus_per_run`` CPUs and ``gpus_per_run`` GPUs (fractions
share a GPU). The task starts the point runner the ``processes`` executor starts
(:mod:`recipes.child`) on whichever node Ray picks, with the same request: the same door,
the same run folder (reserved by the driver, so a lost task's outcome is still read from it),
the same outcome. Ray places the tasks, reruns one whose worker or node died (``max_retries``; a
run that fails is recorded, not rerun) and shares the GPUs; the sweep's records, resume and
report stay the driver's, as with any executor. ``--jobs`` caps the points in flight.

Nodes write the run folders and logs that the driver then reads, so on several machines the
output root must be on storage they all share, at the same path, with the project installed at
the same path (docs/ray.md). :meth:`RayExecutor.preflight` checks,
before anything is created: Ray installed, the cluster reachable, a node big enough for one
point, and every node seeing the output root.

Ctrl-C, SIGTERM or SIGHUP on the sweep cancels its tasks: each running one stops its run
(which records ``interrupted``) and the sweep waits for them, as with the processes executor.
"""

from __future__ import annotations

import concurrent.futures
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recipes import child as point_runners
from recipes.child import Children, Runner, outcome_of_lost_point
from recipes.errors import first_line
from recipes.outcome import PointRequest, RunOutcome
from recipes.sweeps.executors import log_path, point_request, run_in_slots
from recipes.sweeps.ray_cluster import check_resources, check_shared_storage, connect
from recipes.sweeps.records import RunResult, SweepResults


def run_on_node(
    request: dict[str, Any], log: str, backend: str, env: dict[str, str], command: list[str]
) -> dict[str, Any]:
    """One point, on a Ray worker: a point runner process on this node, as the processes
    executor starts one. It runs in a thread so that ``ray.cancel`` (a KeyboardInterrupt in
    this task's thread, raised between two bytecodes, never inside the wait for the run)
    reaches us: it stops the run, which records ``interrupted``, and the task returns its
    outcome. ``command`` is the driver's runner command, run with this node's Python."""
    point = PointRequest.model_validate(request)
    children = Children()

    def work() -> RunOutcome:  # what it raises (e.g. an unwritable log) fails the task
        runner = Runner(backend, children, Path(log), env, [sys.executable, *command[1:]])
        try:
            return runner.run(point, Path(log))
        finally:
            runner.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(work)
        try:
            while not future.done():
                concurrent.futures.wait([future], timeout=0.2)
        except KeyboardInterrupt:
            children.stop_all()  # leaving the pool then waits for the run's outcome
    return future.result().model_dump(mode="json")


def _forwarded_env(gpus_per_run: float) -> dict[str, str]:
    """What the runs take from the driver's environment (KERAS_BACKEND, KERAS_HOME, ...; a
    node's own PATH or HOME stay its own), and, when runs share a GPU, what keeps TensorFlow
    and JAX from each taking all of its memory."""
    env = {key: value for key, value in os.environ.items() if key.startswith("KERAS_")}
    if 0 < gpus_per_run < 1:
        env["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
        env["XLA_PYTHON_CLIENT_MEM_FRACTION"] = f"{0.9 * gpus_per_run:.2f}"
    return env


def _collect(ray: Any, reference: Any, request: PointRequest) -> RunOutcome:
    """The outcome of a finished task; a cancelled or lost one's from its run folder (on
    storage every node shares)."""
    try:
        return RunOutcome.model_validate(ray.get(reference))
    except ray.exceptions.TaskCancelledError:
        return outcome_of_lost_point(request, "the sweep was stopped", stopped=True)
    except ray.exceptions.RayError as error:  # the task raised, or its worker or node died
        return outcome_of_lost_point(request, f"Ray: {first_line(error)}")


class RayExecutor:
    """Each point a Ray task (see the module's docstring), at most ``jobs`` in flight."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs

    @staticmethod
    def describe(settings: Any) -> str:
        """What ``--dry-run`` says about where the points would run."""
        ray = settings.ray
        where = f"the Ray cluster at {ray.address}" if ray.address else "Ray started here"
        return f"on {where}, {ray.cpus_per_run:g} CPU(s) and {ray.gpus_per_run:g} GPU(s) a run"

    @staticmethod
    def preflight(settings: Any, output_root: Path) -> None:
        """Before anything is created: Ray installed, its cluster reachable, a node that can
        take a point, and the output root shared by every node."""
        ray = connect(settings.ray.address)
        check_resources(ray, settings.ray.cpus_per_run, settings.ray.gpus_per_run)
        check_shared_storage(ray, Path(output_root))

    def run(self, sweep: SweepResults, progress: Any) -> None:
        settings = sweep.base.config.sweep.ray
        ray = connect(settings.address)
        task = ray.remote(run_on_node).options(
            num_cpus=settings.cpus_per_run,
            num_gpus=settings.gpus_per_run,
            max_retries=settings.max_retries,
            retry_exceptions=False,
        )
        env = _forwarded_env(settings.gpus_per_run)
        in_flight: set[Any] = set()
        lock = threading.Lock()  # no task starts once the sweep is stopping
        stopping = threading.Event()

        def serve(slot: int, take: Callable[[], RunResult | None]) -> None:
            while (result := take()) is not None:
                backend = result.point.recipe.config.backend
                with lock:
                    if stopping.is_set():
                        return
                    request = point_request(sweep, result)
                    log = log_path(sweep, result)
                    arguments = (request.model_dump(), str(log), backend, env)
                    reference = task.remote(*arguments, point_runners.runner_command())
                    in_flight.add(reference)
                progress.started(result)
                started = time.perf_counter()
                result.apply(_collect(ray, reference, request), started)
                progress.done(result)

        def stop() -> None:  # cancel every task in flight: a running one stops its run
            with lock:
                stopping.set()
                for reference in in_flight:
                    ray.cancel(reference)

        run_in_slots(sweep, self.jobs, serve, stop)
