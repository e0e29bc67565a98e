"""A sweep worker: one process that imports Keras once and runs sweep points one after
another, each exactly as ``python -m recipes run`` would (same lifecycle, same run folder),
with fresh Keras state (``keras.backend.clear_session()``; every run seeds itself).

Protocol (``python -m recipes.cli.worker``): one JSON request per line on standard input,
``{"recipe", "overrides", "backend", "output_root", "log"}``; the run's output goes to ``log``;
one JSON reply per line on standard output, ``{"exit_status", "run_folder"}`` with the exit
status the command line would have given. A stopped run (Ctrl-C, SIGTERM) ends the worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError
from recipes.plugins import TASKS
from recipes.run.lifecycle import execute_run
from recipes.signals import exit_status_of, termination_signals_handled


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


def run_point(request: dict[str, Any]) -> dict[str, Any]:
    """One point, as ``python -m recipes run`` runs it; the reply for the executor."""
    folder = None
    try:
        recipe = resolve_recipe(request["recipe"], request["overrides"], request["backend"])
        if "keras" in sys.modules:  # fresh state for each run; seeds are set by the run
            sys.modules["keras"].backend.clear_session()
        folder = execute_run(recipe, Path(request["output_root"]), TASKS.get(recipe.config.task))
        status = 0
    except RecipeError as error:
        folder = getattr(error, "run_folder", None)
        print(f"error: {error}", file=sys.stderr)
        status = error.exit_status
    except KeyboardInterrupt as error:
        folder = getattr(error, "run_folder", None)
        status = exit_status_of(error)
    except Exception as error:  # a fault: recorded in the run folder (traceback.txt)
        folder = getattr(error, "run_folder", None)
        print(f"error: the run failed: {type(error).__name__}: {error}", file=sys.stderr)
        status = 1
    if folder is not None:
        print(folder)  # the last line, as the command line prints it
    return {"exit_status": status, "run_folder": str(folder) if folder else None}


def serve() -> int:
    replies = os.fdopen(os.dup(1), "w", buffering=1)  # before any run redirects fd 1
    with termination_signals_handled():
        for line in sys.stdin:
            request = json.loads(line)
            try:
                with output_to(request["log"]):
                    reply = run_point(request)
            except KeyboardInterrupt as error:  # a signal between runs
                return exit_status_of(error)
            replies.write(json.dumps(reply) + "\n")
            if reply["exit_status"] >= 128:  # stopped by a signal: so is the sweep
                return reply["exit_status"]
    return 0


if __name__ == "__main__":
    sys.exit(serve())
