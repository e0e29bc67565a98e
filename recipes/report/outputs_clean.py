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

import collections
import shutil
from pathlib import Path

from recipes.report.index_records import Entry, collect_entries
from recipes.report.outputs_index import INDEX_NAME, LOCK_NAME, index_lock, is_our_index
from recipes.status import RunStatus

CACHE_NAME = ".index-cache.json"  # what the index of earlier versions kept of each record


def _ours(entry: Entry) -> bool:
    """A folder this project wrote: a sweep's, or a run's whose record names its recipe or
    run id (one without a readable record is never listed, so it stays)."""
    return entry.kind == "sweep" or bool(entry.record.recipe or entry.record.run_id)


def clean_outputs(output_root: Path | str) -> list[str]:
    """Delete the project's run and sweep folders, its index page, cache and lock under
    ``output_root``, and the recipe folders left empty; returns what it removed (and kept,
    still running), one line each for the command line."""
    root = Path(output_root)
    if not root.is_dir():
        return ["nothing to remove"]
    removed: collections.Counter[str] = collections.Counter()  # "run folder": how many
    files: list[str] = []
    kept: list[str] = []
    lock = root / LOCK_NAME
    lock_existed = lock.is_file()
    with index_lock(root):  # no index is rebuilt from folders half deleted
        emptied: set[Path] = set()
        entries = collect_entries(root, details=False, warn=lambda line: None)
        for entry in sorted(entries, key=lambda entry: (entry.kind, entry.folder)):  # by path
            folder = entry.folder
            if not _ours(entry) or folder.is_symlink():
                continue
            if entry.status is RunStatus.RUNNING:
                kept.append(f"kept {folder} (still running)")
                continue
            shutil.rmtree(folder)
            emptied.add(folder.parent)
            removed[f"{entry.kind} folder"] += 1
        for parent in sorted(emptied):
            try:
                parent.rmdir()  # only when empty: a user's file in it keeps it
            except OSError:
                continue
            removed["empty folder"] += 1
        for path, ours in ((root / INDEX_NAME, is_our_index), (root / CACHE_NAME, Path.is_file)):
            if ours(path):
                path.unlink()
                files.append(path.name)
    lock.unlink(missing_ok=True)  # after the lock is released
    if lock_existed:
        files.append(LOCK_NAME)
    lines = [
        f"removed {count} {what}{'' if count == 1 else 's'}" for what, count in removed.items()
    ]
    lines += [f"removed {name}" for name in files] + kept
    return lines or ["nothing to remove"]
