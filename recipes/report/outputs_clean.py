"""``python -m recipes clean`` (``make clean-outputs``): delete what this project wrote under an
output root, and nothing else.

What is ours: a run folder (``<root>/<recipe>/<run-id>/`` whose run.json is a run record
naming its ``recipe`` or ``run_id``), a sweep folder (``<root>/sweeps/<id>/`` whose sweep.json
is a sweep record: :mod:`recipes.records`), the index page when it carries our marker, the
index's lock (and the cache earlier versions kept beside it), and the recipe folders (and
``sweeps/``) that deleting those leaves empty. A user's README, notes or folders of their own
stay, and so does a run or sweep still running.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import recipes.records as records
from recipes.report.index_records import MODELS, record_files
from recipes.report.outputs_index import INDEX_NAME, LOCK_NAME, index_lock, is_our_index
from recipes.status import RunStatus, shown_status

CACHE_NAME = ".index-cache.json"  # what the index of earlier versions kept of each record


@dataclass
class Cleaned:
    """What :func:`clean_outputs` removed (and kept because it is still running)."""

    run_folders: int = 0
    sweep_folders: int = 0
    files: list[str] = field(default_factory=list)  # index.html, the cache, the lock
    empty_folders: int = 0
    kept_running: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per count, for the command line."""
        lines = [
            f"removed {count} {what}{'' if count == 1 else 's'}"
            for count, what in (
                (self.run_folders, "run folder"),
                (self.sweep_folders, "sweep folder"),
                (self.empty_folders, "empty folder"),
            )
            if count
        ]
        lines += [f"removed {name}" for name in self.files]
        lines += [f"kept {folder} (still running)" for folder in self.kept_running]
        return lines or ["nothing to remove"]


def _ours(kind: str, path: Path) -> records.RunRecord | records.SweepRecord | None:
    """The record in ``path`` when this project wrote it (a run's names its recipe or run
    id), else None."""
    try:
        record = records.read(path, MODELS[kind])
    except records.RecordError:
        return None
    return record if kind == "sweep" or record.recipe or record.run_id else None


def clean_outputs(output_root: Path | str) -> Cleaned:
    """Delete the project's run and sweep folders, its index page, cache and lock under
    ``output_root``, and the recipe folders left empty; returns what was removed."""
    root = Path(output_root)
    cleaned = Cleaned()
    if not root.is_dir():
        return cleaned
    lock = root / LOCK_NAME
    lock_existed = lock.is_file()
    with index_lock(root):  # no index is rebuilt from folders half deleted
        emptied: set[Path] = set()
        for kind, record_path in record_files(root):
            folder, record = record_path.parent, _ours(kind, record_path)
            if record is None or folder.is_symlink():
                continue
            if shown_status(record) is RunStatus.RUNNING:
                cleaned.kept_running.append(folder)
                continue
            shutil.rmtree(folder)
            emptied.add(folder.parent)
            if kind == "run":
                cleaned.run_folders += 1
            else:
                cleaned.sweep_folders += 1
        for parent in sorted(emptied):
            try:
                parent.rmdir()  # only when empty: a user's file in it keeps it
            except OSError:
                continue
            cleaned.empty_folders += 1
        page = root / INDEX_NAME
        if is_our_index(page):
            page.unlink()
            cleaned.files.append(INDEX_NAME)
        cache = root / CACHE_NAME
        if cache.is_file():
            cache.unlink()
            cleaned.files.append(CACHE_NAME)
    lock.unlink(missing_ok=True)  # after the lock is released
    if lock_existed:
        cleaned.files.append(LOCK_NAME)
    return cleaned
