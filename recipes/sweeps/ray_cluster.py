"""Reaching a Ray cluster for the ``ray`` executor (:mod:`recipes.sweeps.ray_executor`), and the
checks made before a sweep creates anything: Ray installed, the cluster reachable (a closed
HOST:PORT is told in seconds), a node big enough for one point, and every node seeing the
output root as this machine does. Each problem is one line (a RecipeError: exit status 2).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from recipes.errors import RecipeError, first_line

CONNECT_TIMEOUT_S = 5.0
PROBE_TIMEOUT_S = 60.0
SHARED_STORAGE_HINT = (
    "every Ray node needs the output root on storage they all share, at the same path, and "
    "this project installed at the same path (docs/ray.md)"
)


@contextlib.contextmanager
def _signal_handlers_kept() -> Iterator[None]:
    """``ray.init`` installs its own SIGTERM handler in the driver; the sweep's own (SIGTERM
    stops it like Ctrl-C, :mod:`recipes.signals`) must stay in place."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    kept = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in kept.items():
            if handler is not None:
                signal.signal(number, handler)


def _check_reachable(address: str) -> None:
    """A closed or unreachable HOST:PORT in seconds (``ray.init`` itself waits over a minute)."""
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as error:
        raise RecipeError(
            f"cannot reach the Ray cluster at {address} ({error.strerror or error}): start it "
            "there with `ray start --head`, or fix --address"
        ) from None


def _use_token_if_there_is_one() -> None:
    """Ray 2.59+ turns token authentication on by itself for a cluster started where a token
    exists (``~/.ray/auth_token``), but a driver given an explicit address sends its token only
    in token mode; a cluster without authentication accepts a driver in token mode as well."""
    has_token = os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH")
    if "RAY_AUTH_MODE" not in os.environ and (
        has_token or (Path.home() / ".ray" / "auth_token").is_file()
    ):
        os.environ["RAY_AUTH_MODE"] = "token"
        if "ray" in sys.modules:  # imported already (a driver in-process): reread the mode
            with contextlib.suppress(ImportError, AttributeError):
                from ray._raylet import Config

                Config.initialize("")


def connect(address: str | None) -> Any:
    """Ray, connected to the cluster at ``address`` (``auto``: the one this machine belongs
    to), or to a Ray instance started on this machine when ``address`` is None; Ray's own
    exit hook disconnects it (and stops a Ray instance it started)."""
    if address not in (None, "auto"):
        _use_token_if_there_is_one()  # read when Ray is imported
    try:
        import ray
    except ImportError:
        raise RecipeError(
            "the ray executor needs Ray, which is not installed: pip install -e '.[ray]' "
            "(or run the sweep with --executor processes)"
        ) from None
    if ray.is_initialized():
        return ray
    if address not in (None, "auto"):
        _check_reachable(address)
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address is None:
        options["include_dashboard"] = False
    with _signal_handlers_kept():
        try:
            ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError, TimeoutError) as error:
            where = f"the Ray cluster at {address}" if address else "a new Ray instance"
            raise RecipeError(
                f"cannot connect to {where}: {first_line(error)} (start one with "
                "`ray start --head`, or leave --address out to start Ray on this machine; a "
                "cluster with token authentication needs its ~/.ray/auth_token here too)"
            ) from None
    return ray


def check_resources(ray: Any, cpus: float, gpus: float) -> None:
    """One line when no node could ever run a point (its task would wait forever)."""
    nodes = [node for node in ray.nodes() if node.get("Alive")]
    for node in nodes:
        resources = node.get("Resources", {})
        if resources.get("CPU", 0) >= cpus and resources.get("GPU", 0) >= gpus:
            return
    total = ray.cluster_resources()
    raise RecipeError(
        f"no Ray node has {cpus:g} CPU(s) and {gpus:g} GPU(s) for a run (the cluster has "
        f"{len(nodes)} node(s), {total.get('CPU', 0):g} CPUs, {total.get('GPU', 0):g} GPUs in "
        "all): lower --cpus-per-run / --gpus-per-run, or add a node that has them"
    )


def _probe(path: str, token: str, node_id: str) -> str:
    """On one node: does it see the driver's check file, and can it write beside it? Returns
    the problem, or '' when there is none."""
    try:
        seen = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        return f"it cannot read {path} ({error.strerror or error})"
    if seen != token:
        return f"its {path} is another file than this machine's"
    try:
        Path(f"{path}-{node_id}").write_text(token, encoding="utf-8")
    except OSError as error:
        return f"it cannot write to {Path(path).parent} ({error.strerror or error})"
    return ""


def probe_nodes(ray: Any, path: Path, token: str, nodes: list[dict[str, Any]]) -> dict[str, str]:
    """What each node's :func:`_probe` of ``path`` says, by node address ('' for no problem)."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    task = ray.remote(num_cpus=0, max_retries=0)(_probe)
    references = {
        node["NodeManagerAddress"]: task.options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
        ).remote(str(path), token, node["NodeID"])
        for node in nodes
    }
    waiting = list(references.values())
    _, late = ray.wait(waiting, num_returns=len(waiting), timeout=PROBE_TIMEOUT_S)
    problems = {}
    for address, reference in references.items():
        if reference in late:
            problems[address] = f"it did not answer within {PROBE_TIMEOUT_S:.0f} s"
            continue
        try:
            problems[address] = ray.get(reference)
        except ray.exceptions.RayError as error:
            problems[address] = f"it could not run the check: {first_line(error)}"
    return problems


def check_shared_storage(ray: Any, folder: Path) -> None:
    """One line, before anything is created, when a node does not see ``folder`` (the output
    root) as this machine does, or this machine does not see what a node writes there."""
    token = uuid.uuid4().hex
    path = folder / f".ray-storage-check-{token}"
    nodes = [node for node in ray.nodes() if node.get("Alive")]
    missing = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(token, encoding="utf-8")
        problems = probe_nodes(ray, path, token, nodes)
        for node in nodes:
            address = node["NodeManagerAddress"]
            if not problems[address] and not Path(f"{path}-{node['NodeID']}").is_file():
                problems[address] = "what it writes there does not show up on this machine"
    finally:
        for node in nodes:
            Path(f"{path}-{node['NodeID']}").unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        for created in missing:  # the sweep creates them again; a failed check leaves nothing
            with contextlib.suppress(OSError):
                created.rmdir()
    for address, problem in problems.items():
        if problem:
            raise RecipeError(
                f"Ray node {address} cannot share the run folders under {folder}: {problem}; "
                f"{SHARED_STORAGE_HINT}"
            )
