"""The one progress printer: a sweep's points and ``--dry-run`` plan, a vectorized group's
epochs, and the fidelity study's jobs all print through :class:`Progress`.

A line is ``[3/10] loss=hinge, seed=2: started`` (``[fidelity 3/10] ...`` with a prefix), or
the text alone when it counts nothing; each is written whole and flushed at once, even when
several executor threads print together. A run started from Python (:func:`recipes.api.run`)
shows one line, written in place (:meth:`Progress.interim`) while it trains and replaced by its
summary; a single run on the command line prints Keras' own per-epoch lines.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from typing import TextIO


class Progress:
    """Progress lines on ``stream`` (default: standard error), counted out of ``total``."""

    def __init__(
        self, total: int = 0, stream: TextIO | None = None, prefix: str = "", in_place: bool = False
    ) -> None:
        self.total = total
        self.in_place = in_place  # passing lines rewritten in place (a notebook: one per item)
        self.stream = stream if stream is not None else sys.stderr
        self.prefix = prefix
        self.lock = threading.RLock()
        self.last_at = -math.inf
        self.interim_width = 0  # the in-place text the next line replaces (0: none)

    def interim(self, text: str) -> None:
        """Show ``text`` (e.g. ``hinge: training...``) as a line the next :meth:`line`
        rewrites in place, where a carriage return rewrites the line: a terminal, or a Jupyter
        kernel's output (which keeps only the text after the last one). A file or a pipe would
        keep every version, so there nothing is written: a log keeps only the final line."""
        isatty = getattr(self.stream, "isatty", None)
        with self.lock:
            if not (isatty and isatty()) and "ipykernel" not in sys.modules:
                return
            print(f"\r{text.ljust(self.interim_width)}", end="", file=self.stream, flush=True)
            self.interim_width = len(text)

    def line(
        self,
        text: str,
        number: int | None = None,
        *,
        indent: str = "",
        every_s: float = 0.0,
        passing: bool = False,
    ) -> None:
        """Print ``text`` (as item ``number`` of ``total`` when given); a line that comes less
        than ``every_s`` seconds after the previous one is left out. A ``passing`` line (a
        point started, a group's epoch), when ``in_place``, is an :meth:`interim` one that the
        next line replaces, so each item keeps one line."""
        with self.lock:
            if time.monotonic() - self.last_at < every_s:
                return
            self.last_at = time.monotonic()
            counter = "" if number is None else f"[{self.prefix}{number}/{self.total}] "
            shown = f"{indent}{counter}{text}"
            if passing and self.in_place:
                self.interim(shown)
                return
            if self.interim_width:  # rewrite the in-place line; spaces cover a longer one
                shown = "\r" + shown.ljust(self.interim_width)
                self.interim_width = 0
            print(shown, file=self.stream, flush=True)
