"""A local Ray cluster for the ray executor's tests (tests/sweeps/test_ray_executor.py): started
once per test session, as soon as the collected tests show one will need it (its start-up,
about 6 s alone and more on 2 busy cores, then overlaps the tests that run before), and stopped
at the end of the session. tests/conftest.py imports the hooks and fixtures."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

RAY_CPUS = 2  # the points' Ray tasks (1 CPU each) and nothing more: the machine has 2 cores


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RayHead:
    """``ray start --head --block`` in its own process group: SIGTERM stops it and every Ray
    process it started."""

    def __init__(self) -> None:
        executable = Path(sys.executable).with_name("ray")
        if not executable.is_file():  # the ray tests fail, saying why; the others run
            raise RuntimeError(f"{executable} is missing: pip install -e '.[dev]' (Ray)")
        # Ray's socket paths must stay short: a temp dir right under /tmp, not pytest's tmp_path.
        self.temp_dir = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
        self.port = _free_port()
        command = [
            str(executable),
            "start",
            "--head",
            "--block",
            f"--port={self.port}",
            f"--num-cpus={RAY_CPUS}",
            "--num-gpus=0",
            f"--temp-dir={self.temp_dir}",
            "--include-dashboard=false",
            f"--dashboard-port={_free_port()}",
            f"--ray-client-server-port={_free_port()}",
            "--disable-usage-stats",
        ]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.output: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            if "Ray runtime started" in line:
                self.ready.set()
        self.ready.set()  # ended: wait() says so

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait(self, timeout: float = 120) -> str:
        if not self.ready.wait(timeout) or self.process.poll() is not None:
            raise RuntimeError("ray start --head failed:\n" + "".join(self.output[-30:]))
        return self.address

    def stop(self) -> None:
        """SIGTERM: ``ray start --block`` then stops every Ray process it started; what is left
        after 30 s gets SIGKILL (the process group: ``ray start`` leads its own)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.temp_dir, ignore_errors=True)


_HEAD: dict[str, RayHead] = {}


def _head() -> RayHead:
    if "head" not in _HEAD:
        _HEAD["head"] = RayHead()
    return _HEAD["head"]


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected what will not run
def pytest_collection_modifyitems(session, config, items) -> None:
    if any("ray_address" in getattr(item, "fixturenames", ()) for item in items):
        with contextlib.suppress(RuntimeError):  # raised again by the fixture
            _head()


def pytest_sessionfinish(session, exitstatus) -> None:
    if "head" in _HEAD:
        _HEAD.pop("head").stop()


@pytest.fixture(scope="session")
def ray_address() -> str:
    """HOST:PORT of the session's local Ray cluster (2 CPUs, no GPU). Ray gives its node 30 s
    to start (hard-coded in ray._private.node); on a loaded 2-core machine that can pass, so a
    failed start is tried once more before the tests that need it fail."""
    try:
        return _head().wait()
    except RuntimeError:
        _HEAD.pop("head").stop()
        return _head().wait()


@pytest.fixture
def ray_driver(ray_address):
    """This test process as a driver of the session's Ray cluster, for sweeps run in-process
    (run_sweep); disconnected afterwards."""
    import ray

    yield ray_address
    ray.shutdown()
