"""What a run's or a sweep's status really is: a record that says ``running`` may belong to a
process that is gone (killed with SIGKILL, or its machine restarted). run.json and sweep.json
hold the pid and host name, so on the same host this tells the two apart."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

GONE = "stopped (process gone)"


def process_gone(record: dict[str, Any]) -> bool:
    """True when the record's process is known to be gone: same host, and no live process
    with its pid that runs this project. False when it is alive or cannot be told."""
    pid = record.get("pid")
    host = (record.get("host") or {}).get("name")
    if not isinstance(pid, int) or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    command = Path(f"/proc/{pid}/cmdline")
    try:  # the pid may have been reused by an unrelated program
        return b"recipes" not in command.read_bytes()
    except OSError:
        return False


def shown_status(record: dict[str, Any]) -> str:
    """The record's status, or ``stopped (process gone)`` for a running one whose process
    is gone."""
    status = str(record.get("status", "unknown"))
    if status == "running" and process_gone(record):
        return GONE
    return status
