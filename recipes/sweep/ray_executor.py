"""The ``ray`` executor: a sweep's points as Ray tasks, on this machine or on a Ray cluster.

``python -m recipes sweep <recipe> --executor ray [--address auto|HOST:PORT]``. Each point is
one Ray task asking for ``sweep.ray.cpus_per_run`` CPUs and ``gpus_per_run`` GPUs (fractions
share a GPU). The task runs the very command the ``processes`` executor runs,
``python -m recipes run ...``, through the same :func:`~recipes.sweep.executors.execute_point`,
on whichever node Ray picks: the same run lifecycle, the same run folder, the outcome read back
the same way. Ray places the tasks, reruns one whose worker or node died (``max_retries``; a
run that fails is recorded, not rerun) and shares the GPUs; the sweep's records, resume and
report stay the driver's, as with any executor. ``--jobs`` caps the points in flight.

Nodes write the run folders and logs that the driver then reads, so on several machines the
output root must be on storage they all share, at the same path, with the project installed at
the same path (README, "Sweeps on several machines"). :meth:`RayExecutor.preflight` checks,
before anything is created: Ray installed, the cluster reachable, a node big enough for one
point, and every node seeing the output root.

Ctrl-C, SIGTERM or SIGHUP on the sweep cancels its tasks: each running one stops its run
(which records ``interrupted``) and the sweep waits for them, as with the processes executor.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from recipes.files import read_json
from recipes.signals import signals_deferred
from recipes.sweep import executors
from recipes.sweep.executors import Children, _read_outcome, _run_folder_from_log, execute_point
from recipes.sweep.ray_cluster import (
    check_resources,
    check_shared_storage,
    connect,
    first_line,
)
from recipes.sweep.records import RunResult, Sweep


def run_point(result: RunResult, output_root: Path, env: Mapping[str, str]) -> RunResult:
    """One point, on a Ray worker: :func:`execute_point` with this node's Python. It runs in a
    thread so that ``ray.cancel`` (a KeyboardInterrupt in this task's thread, raised between
    two bytecodes, never inside the wait for the run) reaches us: it stops the run, which
    records ``interrupted``, and the task returns what the run folder then says."""
    result.command = [sys.executable, *result.command[1:]]
    children = Children()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            execute_point(result, output_root, children, env)
        except BaseException as error:  # e.g. the log cannot be written: the task fails with it
            errors.append(error)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        children.stop_all()
        thread.join()
    if errors:
        raise errors[0]
    return result


def _forwarded_env(gpus_per_run: float) -> dict[str, str]:
    """What the runs take from the driver's environment (KERAS_BACKEND, KERAS_HOME, ...; a
    node's own PATH or HOME stay its own), and, when runs share a GPU, what keeps TensorFlow
    and JAX from each taking all of its memory."""
    env = {key: value for key, value in os.environ.items() if key.startswith("KERAS_")}
    if 0 < gpus_per_run < 1:
        env["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
        env["XLA_PYTHON_CLIENT_MEM_FRACTION"] = f"{0.9 * gpus_per_run:.2f}"
    return env


def _recipe_argument(recipe: str) -> str:
    """A recipe given as a file path, made absolute: a node's worker runs in another folder."""
    if recipe.endswith((".yaml", ".yml")) or os.sep in recipe or "/" in recipe:
        return str(Path(recipe).resolve())
    return recipe


def prepare_commands(sweep: Sweep, pending: list[RunResult]) -> None:
    """Each pending point's command (a new run, or a stopped run resumed) and log file."""
    width = len(str(len(sweep.results)))
    (sweep.folder / "logs").mkdir(exist_ok=True)
    for result in pending:
        if result.resume_from is not None:  # a stopped point continues from its backup
            result.command = [sys.executable, "-m", "recipes", "resume", str(result.resume_from)]
        else:
            recipe = _recipe_argument(sweep.recipe_argument)
            overrides = result.point.overrides
            result.command = executors.run_command(
                recipe, overrides, sweep.backend, sweep.output_root
            )
        result.log = sweep.folder / "logs" / f"run-{result.point.index:0{width}d}.log"


def _read_back(result: RunResult, output_root: Path) -> None:
    """The outcome of a cancelled task's run, from its log and run folder (shared storage)."""
    if result.log is None or not result.log.is_file():
        return  # it never started: the driver records it as not started
    lines = result.log.read_text(encoding="utf-8", errors="replace").splitlines()
    folder = _run_folder_from_log(lines, output_root)
    status = read_json(folder / "run.json").get("status") if folder else None
    result.exit_status = 0 if status == "completed" else 128 + signal.SIGTERM
    _read_outcome(result, output_root)


def _collect(ray: Any, reference: Any, result: RunResult, output_root: Path) -> None:
    """Fill ``result`` from its finished task."""
    try:
        finished = ray.get(reference)
    except ray.exceptions.TaskCancelledError:
        _read_back(result, output_root)
    except ray.exceptions.RayError as error:  # the task raised, or its worker or node died
        _read_back(result, output_root)
        if result.status != "completed":
            result.status = "failed"
            result.reason = f"Ray: {first_line(error)}"
    else:
        result.__dict__.update({k: v for k, v in finished.__dict__.items() if k != "point"})


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
        ray, _ = connect(settings.ray.address)
        check_resources(ray, settings.ray.cpus_per_run, settings.ray.gpus_per_run)
        check_shared_storage(ray, Path(output_root))

    def run(self, sweep: Sweep, progress: Any) -> None:
        settings = sweep.base.config.sweep.ray
        ray, connected_here = connect(settings.address)
        pending = [result for result in sweep.results if result.status == "not started"]
        prepare_commands(sweep, pending)
        task = ray.remote(run_point).options(
            num_cpus=settings.cpus_per_run,
            num_gpus=settings.gpus_per_run,
            max_retries=settings.max_retries,
            retry_exceptions=False,
        )
        env = _forwarded_env(settings.gpus_per_run)
        in_flight: dict[Any, RunResult] = {}
        try:
            while pending or in_flight:
                while pending and len(in_flight) < self.jobs:
                    result = pending.pop(0)
                    progress.started(result)
                    in_flight[task.remote(result, sweep.output_root, env)] = result
                # Ray turns a signal's exception into a plain KeyboardInterrupt: deferred, it
                # stays Stopped(SIGTERM) (exit status 143), raised within the 1 s timeout
                with signals_deferred():
                    done, _ = ray.wait(list(in_flight), num_returns=1, timeout=1.0)
                    for reference in done:
                        result = in_flight.pop(reference)
                        _collect(ray, reference, result, sweep.output_root)
                        progress.done(result)
        except KeyboardInterrupt:
            _stop(ray, in_flight, sweep.output_root, progress)
            raise
        finally:
            if connected_here:
                ray.shutdown()


def _stop(ray: Any, in_flight: dict[Any, RunResult], output_root: Path, progress: Any) -> None:
    """Cancel every task in flight (a running one stops its run) and wait for each."""
    for reference in in_flight:
        ray.cancel(reference)
    for reference, result in in_flight.items():
        _collect(ray, reference, result, output_root)
        if result.exit_status is not None:
            progress.done(result)
