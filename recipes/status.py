"""What a record's status really is. A record (:class:`recipes.records.Living`: a run's or a
sweep's) that says ``running`` may belong to a process that is gone: killed with SIGKILL, its
container removed, its machine or Ray node lost. Two signs tell:

- on the same host, no live process with the record's pid that runs this project;
- on any host, a heartbeat (``heartbeat_at``, seconds since the epoch) older than
  :data:`HEARTBEAT_STALE_S`: a running run or sweep beats at least every
  :data:`HEARTBEAT_EVERY_S` seconds (:class:`Heartbeat`).

Either shows the record as :attr:`RunStatus.STOPPED`, which ``resume`` accepts.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from recipes.errors import RecipeError
from recipes.records import Living, RunStatus

HEARTBEAT_EVERY_S = 30.0  # a running record's heartbeat_at is at most this old
HEARTBEAT_STALE_S = 180.0  # older than this: the process is taken to be gone, wherever it ran


class Heartbeat:
    """``write()`` (a rewrite of a run's or a sweep's record with a new ``heartbeat_at``) every
    :data:`HEARTBEAT_EVERY_S` seconds on a daemon thread, until :meth:`stop`, so a record whose
    process is gone (SIGKILL, a lost machine or Ray node) shows as stopped wherever it ran; the
    stale age leaves room for six beats, so a live one that misses a beat (a full disk, a record
    changing while it is written) is not taken for gone."""

    def __init__(self, write: Callable[[], None]) -> None:
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, args=(write,), daemon=True)
        self.thread.start()

    def _beat(self, write: Callable[[], None]) -> None:
        while not self.stopped.wait(HEARTBEAT_EVERY_S):
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                write()

    def stop(self) -> None:
        """No beat after this returns: the owner's last write of the record is the last."""
        self.stopped.set()
        self.thread.join()


def heartbeat_age(record: Living) -> float | None:
    """Seconds since the record's last heartbeat; None when it has none."""
    if record.heartbeat_at is None:
        return None
    return time.time() - record.heartbeat_at


def process_gone(record: Living) -> bool:
    """True when the record's process is known to be gone: its heartbeat is stale (any
    host), or on this host no live process with its pid runs this project. False when it is
    alive or cannot be told."""
    age = heartbeat_age(record)
    if age is not None and age > HEARTBEAT_STALE_S:
        return True
    pid, host = record.pid, record.host
    if pid is None or host is None or host.name != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):  # alive and someone else's; bad pid
        return False
    command = Path(f"/proc/{pid}/cmdline")
    try:  # the pid may have been reused by an unrelated program
        return b"recipes" not in command.read_bytes()
    except OSError:
        return False


def shown_status(record: Living | None) -> RunStatus:
    """The record's status, or STOPPED for a running one whose process is gone; UNKNOWN for
    a record that cannot be read (None)."""
    if record is None:
        return RunStatus.UNKNOWN
    if record.status == RunStatus.RUNNING and process_gone(record):
        return RunStatus.STOPPED
    return record.status


def refuse_running(folder: Path, record: Living, what: str) -> None:
    """RecipeError (one line) when the ``what`` (a run, a sweep) in ``folder`` is still running:
    resuming it, or drawing its figures, must wait until its process is gone."""
    if shown_status(record) != RunStatus.RUNNING:
        return
    age = heartbeat_age(record)
    beat = "unknown" if age is None else f"{age:.0f} s ago"
    raise RecipeError(
        f"{folder}: this {what} is still running (pid {record.pid}, last heartbeat {beat}); "
        f"stop it first, or wait until its heartbeat is {HEARTBEAT_STALE_S / 60:.0f} minutes old"
    )
