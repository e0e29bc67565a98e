"""Termination signals handled like Ctrl-C, so every way a run can end is recorded.

A job scheduler, ``timeout`` or a closing terminal stops a process with SIGTERM or SIGHUP. While
:func:`termination_signals_handled` is active, each of them (and Ctrl-C's SIGINT) raises
:class:`Stopped`, a ``KeyboardInterrupt``: the run folder records ``interrupted`` with the
signal's name, and the process exits with 128 + the signal's number (130 for Ctrl-C, 143 for
SIGTERM, 129 for SIGHUP), as shells do. Further signals during that clean-up are ignored, so
the record is always written.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """The process was asked to stop by a signal (Ctrl-C is SIGINT)."""

    def __init__(self, signal_number: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = int(signal_number)

    @property
    def exit_status(self) -> int:
        return 128 + self.signal_number


def describe_stop(error: BaseException) -> str:
    """The reason run.json records for an interruption (a stop that carries its own
    ``reason``, e.g. a server stopping a run to start another, says it)."""
    if getattr(error, "reason", None):
        return str(error.reason)
    if isinstance(error, Stopped) and error.signal_number != signal.SIGINT:
        return f"stopped by {signal.Signals(error.signal_number).name}"
    return "interrupted by the user (Ctrl-C)"


def exit_status_of(error: BaseException) -> int:
    """128 + the signal's number; 130 for a plain KeyboardInterrupt."""
    return error.exit_status if isinstance(error, Stopped) else 128 + signal.SIGINT


_deferral = {"depth": 0, "pending": None}


def _raise_stopped(signal_number: int, frame: object) -> None:
    for handled in HANDLED:  # the first signal wins; the clean-up is not interrupted
        signal.signal(handled, signal.SIG_IGN)
    if _deferral["depth"]:
        _deferral["pending"] = signal_number
        return
    raise Stopped(signal_number)


def raise_if_stopping() -> None:
    """Raise :class:`Stopped` now if a signal arrived during :func:`signals_deferred`."""
    pending = _deferral["pending"]
    if pending is not None:
        _deferral["pending"] = None
        raise Stopped(pending)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """A signal that arrives inside the block is kept, not raised wherever the main thread
    happens to be (inside a framework's iterator, or while a checkpoint is being written); it
    stops the process at the next :func:`raise_if_stopping`, or right after the block."""
    _deferral["depth"] += 1
    try:
        yield
    finally:
        _deferral["depth"] -= 1
        if not _deferral["depth"]:
            raise_if_stopping()


@contextlib.contextmanager
def termination_signals_handled() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise :class:`Stopped` inside the block (main thread only);
    the previous handlers come back after it."""
    previous = {number: signal.getsignal(number) for number in HANDLED}
    for number in HANDLED:
        signal.signal(number, _raise_stopped)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
