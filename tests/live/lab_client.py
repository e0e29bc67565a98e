"""A small client of the lab's API (docs/lab.md), with the standard library only: for the
lab's tests and its benchmark (benchmarks/lab_speed.py). :func:`start_lab` starts a lab process
and reads its address.

    with start_lab(["hinge"]) as lab:
        run = lab.post("/api/runs", {"recipe": "hinge", "overrides": {"loss": "squared_hinge"}})
        for name, data in lab.events(run["id"]):
            print(name, data.get("epoch"), data.get("loss"))
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class LabClient:
    """Requests to one lab, with its token and its own Origin."""

    def __init__(self, url: str, timeout_s: float = 60.0) -> None:
        parts = urlsplit(url)
        self.url = url
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = dict(item.split("=", 1) for item in parts.query.split("&") if "=" in item)[
            "token"
        ]
        self.origin = f"http://{parts.netloc}"
        self.timeout_s = timeout_s

    def raw(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send a request as given (no token added): status, headers and body."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def headers(self, **more: str) -> dict[str, str]:
        return {"Authorization": f"token {self.token}", "Origin": self.origin, **more}

    def call(self, method: str, path: str, data: Any = None) -> tuple[int, Any]:
        """A request with the token and Origin; the status and the decoded JSON answer."""
        body = None if data is None else json.dumps(data).encode()
        headers = self.headers(**({"Content-Type": "application/json"} if body else {}))
        status, _, answer = self.raw(method, path, body, headers)
        return status, json.loads(answer) if answer else None

    def get(self, path: str) -> Any:
        return self._ok(*self.call("GET", path))

    def post(self, path: str, data: Any = None) -> Any:
        return self._ok(*self.call("POST", path, data))

    @staticmethod
    def _ok(status: int, answer: Any) -> Any:
        if status != 200:
            raise RuntimeError(f"the lab answered {status}: {answer}")
        return answer

    def events(self, run_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The run's events, (name, data), as they come, until its end event."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            connection.request("GET", f"/api/runs/{run_id}/events", headers=self.headers())
            response = connection.getresponse()
            if response.status != 200:
                raise RuntimeError(f"the lab answered {response.status}: {response.read()!r}")
            name, data = "message", []
            for raw_line in response:
                line = raw_line.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line and data:
                    yield name, json.loads("\n".join(data))
                    if name == "end":
                        return
                    name, data = "message", []
        finally:
            connection.close()


@contextlib.contextmanager
def start_lab(
    arguments: list[str],
    output_root: Path | str | None = None,
    environment: dict[str, str] | None = None,
) -> Iterator[LabClient]:
    """A lab process (``python -m recipes lab ARGUMENTS --no-browser --port 0``) and a client
    of it; stopped (SIGTERM) when the block ends. ``.process`` is the process."""
    command = [sys.executable, "-m", "recipes", "lab", *arguments, "--no-browser", "--port", "0"]
    if output_root is not None:
        command += ["--output-root", str(output_root)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(environment or {})},
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("lab: "):
            process.kill()
            raise RuntimeError(f"the lab did not start: {line}{process.stderr.read()}")
        client = LabClient(line[5:].strip())
        client.process = process
        yield client
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
