"""What the outputs index knows of each run and sweep folder: its typed record
(:mod:`recipes.records`; one that cannot be read is skipped with one warning line, never a
failure) and what its folder holds. Every build reads every record again: for 300 runs about
0.07 s, 0.04 s more than a cache of them saved. :mod:`recipes.report.outputs_index` draws the
page.
"""

from __future__ import annotations

import collections
import dataclasses
import fnmatch
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import recipes.records as records
from recipes.paths import display_path
from recipes.records import RECORDING_FILE, RecordError, RunRecord, SweepRecord
from recipes.status import RunStatus, shown_status

SHOWN_METRICS = ("test_accuracy", "test_auc", "test_loss", "best_val_auc", "epochs_run")

MEDIA_SUFFIXES = (".png", ".gif", ".mp4")  # figures and training animations


# The figures a row's thumbnails start with, readable at thumbnail size (a 60 px high
# boundary_epochs.png, nine panels, first by name, was not); the others follow by name.
LEADING_MEDIA = ("decision_boundary.png", "loss.png")


def media_in_order(names: list[str]) -> list[str]:
    """A folder's figures as its thumbnails show them: :data:`LEADING_MEDIA` first."""
    leading = [name for name in LEADING_MEDIA if name in names]
    return leading + sorted(name for name in names if name not in LEADING_MEDIA)


DOCUMENT_PATTERNS = ("*.md", "*.csv", "config.yaml", "metrics.json", "run.json", "sweep.json")


MODELS: dict[str, type[RunRecord] | type[SweepRecord]] = {"run": RunRecord, "sweep": SweepRecord}


@dataclasses.dataclass
class Entry:
    """One run or sweep folder of the index: its record, its status as shown (``stopped
    (process gone)`` for a running one whose process is gone) and, for the page only, what
    else its folder holds: its metrics, the loss its config names, its figures (in the order
    its thumbnails show them) and documents, whether it has a recording the lab can replay
    (one listing of the folder)."""

    kind: str
    folder: Path
    record: Any  # RunRecord or SweepRecord, as ``kind`` says
    status: RunStatus
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)
    loss: str = ""
    media: list[str] = dataclasses.field(default_factory=list)
    documents: list[str] = dataclasses.field(default_factory=list)
    recording: bool = False

    @property
    def started(self) -> str:
        return self.record.started_at or ""


def record_files(output_root: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every run record (``<root>/<recipe>/<run-id>/run.json``) and sweep
    record (``<root>/sweeps/<id>/sweep.json``): two folder levels listed, never a walk into
    models, TensorBoard logs or a user's own trees (none where there is no folder)."""
    return [
        (kind, path)
        for kind, pattern in (("run", "*/*/run.json"), ("sweep", "sweeps/*/sweep.json"))
        for path in sorted(Path(output_root).glob(pattern))
    ]


def _folder_details(folder: Path, record: Any) -> dict[str, Any]:
    metrics = getattr(record, "metrics", None) or {}  # a run's, as metrics.json holds them
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.is_file())
    except OSError:
        names = []
    visible = [name for name in names if not name.startswith(".")]  # not a file being written
    return {
        "metrics": {k: metrics[k] for k in SHOWN_METRICS if k in metrics},
        "loss": _config_loss(folder),
        "media": media_in_order([name for name in visible if name.endswith(MEDIA_SUFFIXES)]),
        "documents": [
            name
            for pattern in DOCUMENT_PATTERNS
            for name in visible
            if fnmatch.fnmatchcase(name, pattern)
        ],
        "recording": RECORDING_FILE in visible,
    }


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def collect_entries(
    output_root: Path, *, details: bool = True, warn: Callable[[str], None] = _warn
) -> list[Entry]:
    """Every run folder and sweep folder of the root (:func:`record_files`), newest first.
    A record that cannot be read is left out with one warning line naming it: one damaged
    folder never breaks the index of the others. ``details`` False reads only the records
    (``list``)."""
    entries = []
    for kind, path in record_files(Path(output_root)):
        try:
            record = records.read(path, MODELS[kind])
        except RecordError as error:
            if path.exists():  # not removed while we looked
                warn(f"warning: skipped {display_path(path)}: {error.message}")
            continue
        shown = _folder_details(path.parent, record) if details else {}
        entries.append(Entry(kind, path.parent, record, shown_status(record), **shown))
    entries.sort(key=lambda entry: (entry.started, entry.folder.name), reverse=True)
    return entries


def _config_loss(folder: Path) -> str:
    """The loss a run folder's config.yaml names, or '' when it cannot be read."""
    loss = records.read_config(folder).get("loss")
    loss = loss.get("name", "") if isinstance(loss, dict) else loss
    return loss if isinstance(loss, str) else ""


def status_summary(entries: list[Entry]) -> str:
    """``3 completed, 1 stopped (process gone)``: how many entries have each status."""
    counts = collections.Counter(entry.status for entry in entries)
    return ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
