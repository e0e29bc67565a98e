"""A point runner: a process that imports Keras once and runs sweep points one after another
through the one door (:func:`recipes.training.door.run_point`), each with fresh Keras state. The
``processes`` executor starts one per point, the ``workers`` executor reuses each for many,
and a Ray task starts one on its node.

Protocol (``python -m recipes.cli.worker``): one JSON message per line on standard input,
``{"request": PointRequest, "log": path}``; while a point runs, standard output and error go
to ``log`` (ending, as on the command line, with the error line and the run folder); then one
JSON line on standard output, the :class:`~recipes.training.door.RunOutcome`. A point stopped by a
signal ends the worker (after its reply).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator

from recipes.outcome import PointRequest
from recipes.signals import exit_status_of, termination_signals_handled
from recipes.training.door import run_request


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
    replies = os.fdopen(os.dup(1), "w", buffering=1)  # before any run redirects fd 1
    with termination_signals_handled():
        for line in sys.stdin:
            message = json.loads(line)
            request = PointRequest.from_json(message["request"])
            try:
                with output_to(message["log"]):
                    outcome = run_request(request)
                    if outcome.message:  # what the command line prints at a run's end
                        print(outcome.message, file=sys.stderr)
                    if outcome.run_folder is not None:
                        print(outcome.run_folder)
            except KeyboardInterrupt as error:  # a signal between runs
                return exit_status_of(error)
            replies.write(json.dumps(outcome.to_json()) + "\n")
            if outcome.stop_signal is not None:  # stopped by a signal: so is the sweep
                return outcome.exit_status
    return 0


if __name__ == "__main__":
    sys.exit(serve())
