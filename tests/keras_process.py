"""One long-lived ``python`` process on the JAX backend for the tests' JAX command lines
(tests/conftest.py's ``jax_cli``): each ``python -m recipes ...`` of a test pays Keras' and
JAX's start-up (about 6-8 s on 2 cores, more under load), so the command lines whose test is
about what a run writes, not about the process itself (its signals, its own exit, the modules
a fresh process loads), run here one after another, each as ``recipes.cli.main.main(argv)``
with its own standard output and error, environment additions and exit status.

The process reads one JSON request a line on stdin and answers one JSON line on a pipe of its
own (file descriptor 1 is pointed at its log), so nothing a library prints can garble an
answer. A request names ``argv`` (a command line) or ``code`` (a script, run with ``argv`` as
``sys.argv[1:]``, as ``python -c``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

SERVER = r"""
import contextlib, json, os, sys, tempfile, traceback
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)  # stray writes to fd 1 (C libraries, children) go to the log, not the answers
from recipes.cli.main import main

def serve(request):
    saved = {key: os.environ.get(key) for key in request["env"]}
    os.environ.update(request["env"])
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                if request.get("code") is None:
                    status = main(request["argv"])
                else:
                    sys.argv = ["-c", *request["argv"]]
                    code = compile(request["code"], "<test script>", "exec")
                    exec(code, {"__name__": "__main__"})
                    status = 0
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
            except BaseException:
                traceback.print_exc()
                status = 1
            sys.stdout.flush(), sys.stderr.flush()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        out.seek(0), err.seek(0)
        return {"returncode": status, "stdout": out.read(), "stderr": err.read(),
                "tensorflow": "tensorflow" in sys.modules}

for line in sys.stdin:
    answers.write(json.dumps(serve(json.loads(line))) + "\n")
    answers.flush()
"""


class KerasProcess:
    """The long-lived process (started on the first request); ``run(*arguments)`` and
    ``python(code, *arguments)`` answer like :func:`subprocess.run` with ``text=True`` and
    ``capture_output=True`` (a :class:`subprocess.CompletedProcess`)."""

    def __init__(self, project_root: Path, backend: str = "jax") -> None:
        self.project_root = project_root
        self.backend = backend
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile("w+")
        self.tensorflow_loaded = False  # after the last request: was TensorFlow imported?

    def _start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVER],
                cwd=self.project_root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                text=True,
                env={**os.environ, "KERAS_BACKEND": self.backend, "PYTHONUNBUFFERED": "1"},
            )
        return self.process

    def _ask(self, request: dict, timeout: float) -> dict:
        process = self._start()
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        answer: list[str] = []  # read in a thread, so a hung process cannot hang the session
        reader = threading.Thread(target=lambda: answer.append(process.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(timeout)
        if not answer or not answer[0]:
            self.stop()  # hung or died: the next request starts a fresh process
            self.log.seek(0)
            raise RuntimeError(
                f"the {self.backend} test process gave no answer in {timeout} s:\n"
                + self.log.read()[-3000:]
            )
        return json.loads(answer[0])

    def run(self, *arguments: str, timeout: float = 600, env: dict | None = None):
        """``python -m recipes *arguments`` (``env`` added to the environment meanwhile)."""
        request = {"argv": list(arguments), "env": env or {}}
        return self._completed(["-m", "recipes", *arguments], self._ask(request, timeout))

    def python(self, code: str, *arguments: str, timeout: float = 600, env: dict | None = None):
        """``python -c code *arguments``."""
        request = {"code": code, "argv": list(arguments), "env": env or {}}
        return self._completed(["-c", code, *arguments], self._ask(request, timeout))

    def _completed(self, arguments: list[str], answer: dict) -> subprocess.CompletedProcess:
        self.tensorflow_loaded = answer["tensorflow"]
        return subprocess.CompletedProcess(
            [sys.executable, *arguments], answer["returncode"], answer["stdout"], answer["stderr"]
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
