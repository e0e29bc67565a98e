"""Exclusive locks on run and sweep folders, so two processes never work on one folder.

A lock is ``fcntl.flock`` on a small file in the folder (``.lock``), held for as long as the
process works there: the kernel releases it when the process ends, however it ends (SIGKILL
included), so a lock can never be left behind. The file holds the pid of the holder, for the
message a second process gets; the holder removes it when it is done (a process that took the
lock on a file removed meanwhile notices, and takes it again on the new file).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from recipes.errors import RecipeError

LOCK_NAME = ".lock"


class FolderLock:
    """``with FolderLock(folder):`` holds the folder's lock, or raises RecipeError (exit 2)
    at once, naming the process that holds it (it never waits). :meth:`acquire` /
    :meth:`release` for longer lives. ``what`` names the folder in that message: a run or a
    sweep."""

    def __init__(self, folder: Path | str, what: str = "folder") -> None:
        self.folder = Path(folder)
        self.what = what
        self.path = self.folder / LOCK_NAME
        self._handle: int | None = None

    def acquire(self) -> FolderLock:
        while True:
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_pid(handle)
                os.close(handle)
                raise RecipeError(
                    f"{self.folder}: another process (pid {holder}) is running or resuming this "
                    f"{self.what}; wait for it to end, or stop it first"
                ) from None
            try:
                if os.stat(self.path).st_ino == os.fstat(handle).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(handle)  # its holder removed the file as we took it: take the new one
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            try:
                self.path.unlink()
            except OSError:  # e.g. the folder was removed: nothing to tidy
                pass
            fcntl.flock(handle, fcntl.LOCK_UN)
            os.close(handle)

    def __enter__(self) -> FolderLock:
        return self if self._handle is not None else self.acquire()

    def __exit__(self, *exception: object) -> None:
        self.release()


def _read_pid(handle: int) -> int | None:
    try:
        text = os.pread(handle, 32, 0).decode().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
