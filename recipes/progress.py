"""The one progress printer: a sweep's points and ``--dry-run`` plan, a vectorized group's
epochs, and the fidelity study's jobs all print through :class:`Progress`.

A line is ``[3/10] loss=hinge, seed=2: started`` (``[fidelity 3/10] ...`` with a prefix), or
the text alone when it counts nothing; each is written whole and flushed at once, even when
several executor threads print together. (A single run's per-epoch lines are Keras' own.)
"""

from __future__ import annotations

import math
import sys
import threading
import time
from typing import TextIO


class Progress:
    """Progress lines on ``stream`` (default: standard error), counted out of ``total``."""

    def __init__(self, total: int = 0, stream: TextIO | None = None, prefix: str = "") -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.prefix = prefix
        self.lock = threading.RLock()
        self.last_at = -math.inf

    def line(
        self, text: str, number: int | None = None, *, indent: str = "", every_s: float = 0.0
    ) -> None:
        """Print ``text`` (as item ``number`` of ``total`` when given); a line that comes less
        than ``every_s`` seconds after the previous one is left out."""
        with self.lock:
            if time.monotonic() - self.last_at < every_s:
                return
            self.last_at = time.monotonic()
            counter = "" if number is None else f"[{self.prefix}{number}/{self.total}] "
            print(f"{indent}{counter}{text}", file=self.stream, flush=True)
