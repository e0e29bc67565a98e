"""What the outputs index knows of each run and sweep folder: read from its record, checked
field by field (a damaged record is skipped with one warning line, never a failure), and
cached by its file's stamp in ``<root>/.index-cache.json``, so that bringing the index up to
date after a run reads only what changed. :mod:`recipes.report.outputs_index` draws the page.
"""

from __future__ import annotations

import collections
import dataclasses
import fnmatch
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from recipes.files import read_json
from recipes.paths import display_path
from recipes.status import read_record, shown_status

SHOWN_METRICS = ("test_accuracy", "test_auc", "test_loss", "best_val_auc", "epochs_run")

CACHE_NAME = ".index-cache.json"  # what was read of each record, keyed by its file's stamp


CACHE_VERSION = 1


MEDIA_SUFFIXES = (".png", ".gif", ".mp4")  # figures and training animations


# The figures a row's thumbnails start with, readable at thumbnail size (a 60 px high
# boundary_epochs.png, nine panels, first by name, was not); the others follow by name.
LEADING_MEDIA = ("decision_boundary.png", "loss.png")


def media_in_order(names: list[str]) -> list[str]:
    """A folder's figures as its thumbnails show them: :data:`LEADING_MEDIA` first."""
    leading = [name for name in LEADING_MEDIA if name in names]
    return leading + sorted(name for name in names if name not in LEADING_MEDIA)


DOCUMENT_PATTERNS = ("*.md", "*.csv", "config.yaml", "metrics.json", "run.json", "sweep.json")


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where built with it


RUN_RECORDS = "*/*/run.json"  # <root>/<recipe>/<run-id>/run.json


SWEEP_RECORDS = "sweeps/*/sweep.json"  # <root>/sweeps/<sweep-id>/sweep.json


@dataclasses.dataclass
class IndexCache:
    """What earlier builds read of each record (path relative to the root -> entry), and its
    rendered table row; ``changed`` when this build read or rendered anything anew."""

    entries: dict[str, Any] = dataclasses.field(default_factory=dict)
    changed: bool = False


def record_files(output_root: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every run record (``<root>/<recipe>/<run-id>/run.json``) and sweep
    record (``<root>/sweeps/<id>/sweep.json``): two folder levels listed, never a walk into
    models, TensorBoard logs or a user's own trees."""
    root = Path(output_root)
    if not root.is_dir():
        return []
    return [
        (kind, path)
        for kind, pattern in (("run", RUN_RECORDS), ("sweep", SWEEP_RECORDS))
        for path in sorted(root.glob(pattern))
    ]


def text_field(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _scalar(value: Any) -> Any:
    """A value shown in a cell: a number or a text; anything else (a list, a mapping) as its
    text, so a wrong-typed field never breaks a page."""
    if value is None or isinstance(value, str | bool):
        return value if not isinstance(value, bool) else str(value)
    if isinstance(value, int | float):
        return value if math.isfinite(value) else str(value)
    return str(value)


def _why_not_a_record(path: Path) -> str:
    """Why :func:`read_record` gave None for ``path``: what the file holds instead."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        return f"cannot be read ({error.strerror or type(error).__name__})"
    except ValueError:
        return "not valid JSON"
    kinds = {type(None): "null", list: "a list", str: "a text", bool: "true or false"}
    return f"not a record ({kinds.get(type(data), 'a number')})"


def summarize_record(record: dict[str, Any], kind: str) -> dict[str, Any]:
    """What the index reads of a record, each field checked for its type (a wrong-typed
    field reads as missing): plain JSON, cached in :data:`CACHE_NAME`."""
    members = []
    runs = record.get("runs") if kind == "sweep" else None
    for run in runs if isinstance(runs, list) else []:
        folder = run.get("run_folder") if isinstance(run, dict) else None
        if isinstance(folder, str) and folder:
            labels = run.get("labels")
            labels = labels if isinstance(labels, dict) else {}
            members.append(
                {
                    "run_folder": folder,
                    "labels": {
                        str(k): "" if v is None else str(_scalar(v)) for k, v in labels.items()
                    },
                }
            )
    host = record.get("host")
    seed = record.get("seed")
    return {
        # what shown_status reads (it checks their types itself)
        "status": text_field(record.get("status")),
        "pid": record.get("pid") if isinstance(record.get("pid"), int) else None,
        "host": {"name": host.get("name")} if isinstance(host, dict) else None,
        "heartbeat_at": record.get("heartbeat_at"),
        "recipe": text_field(record.get("recipe")),
        "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else "",
        "backend": text_field(record.get("backend")),
        "reason": text_field(record.get("reason")),
        "description": text_field(record.get("description")),
        "started_at": text_field(record.get("started_at")),
        "runs": members,
        "metrics": record.get("metrics") if isinstance(record.get("metrics"), dict) else None,
    }


def _folder_details(folder: Path, summary: dict[str, Any]) -> dict[str, Any]:
    """The costly part of an entry, read once per change: its metrics, the loss its config
    names, its figures and documents (one listing of the folder)."""
    metrics = summary.pop("metrics", None)
    if not metrics:
        metrics = read_json(folder / "metrics.json")
    metrics = metrics if isinstance(metrics, dict) else {}
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.is_file())
    except OSError:
        names = []
    visible = [name for name in names if not name.startswith(".")]  # not a file being written
    return {
        "metrics": {k: _scalar(metrics[k]) for k in SHOWN_METRICS if k in metrics},
        "loss": _config_loss(folder),
        "media": [name for name in visible if name.endswith(MEDIA_SUFFIXES)],
        "documents": [
            name
            for pattern in DOCUMENT_PATTERNS
            for name in visible
            if fnmatch.fnmatchcase(name, pattern)
        ],
    }


def _stamp(path: Path) -> list[int] | None:
    """What says a record or its folder changed: the record's mtime_ns and size and the
    folder's mtime_ns (every file this project writes is renamed into place, which changes
    it). None when the record is gone."""
    try:
        record, folder = path.stat(), path.parent.stat()
    except OSError:
        return None
    return [record.st_mtime_ns, record.st_size, folder.st_mtime_ns]


def _read_entry(kind: str, path: Path, stamp: list[int], details: bool) -> dict[str, Any]:
    """A cacheable entry: the record's summary (and details), or ``skip``: why it is not
    indexed."""
    record = read_record(path)
    if record is None:
        return {"kind": kind, "stamp": stamp, "skip": _why_not_a_record(path)}
    status = record.get("status")
    if not isinstance(status, str):
        shown = json.dumps(status)[:40]
        return {"kind": kind, "stamp": stamp, "skip": f"not a {kind} record (status {shown})"}
    summary = summarize_record(record, kind)
    entry = {"kind": kind, "stamp": stamp, "summary": summary}
    if details:
        entry["details"] = _folder_details(path.parent, summary)
    return entry


DETAIL_TYPES = {"metrics": dict, "loss": str, "media": list, "documents": list}


def _usable(cached: Any, kind: str, stamp: list[int], details: bool) -> bool:
    """True when a cache entry is for this record as it is now, and whole (the cache is a
    file like any other: a damaged one is read again, never trusted)."""
    if not isinstance(cached, dict) or cached.get("stamp") != stamp or cached.get("kind") != kind:
        return False
    if isinstance(cached.get("skip"), str):
        return True
    summary, shown = cached.get("summary"), cached.get("details")
    if not isinstance(summary, dict) or not isinstance(summary.get("started_at"), str):
        return False
    if not details:
        return True
    return isinstance(shown, dict) and all(
        isinstance(shown.get(key), kind_of) for key, kind_of in DETAIL_TYPES.items()
    )


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def collect_entries(
    output_root: Path,
    *,
    cache: IndexCache | None = None,
    details: bool = True,
    warn: Callable[[str], None] = _warn,
) -> list[dict[str, Any]]:
    """Every run folder and sweep folder of the root (:func:`record_files`), newest first,
    with its status as shown (``stopped (process gone)`` for a running one whose process is
    gone). A record that cannot be read is left out with one warning line naming it: one
    damaged folder never breaks the index of the others.

    ``cache`` (:class:`IndexCache`) is used for records whose stamp is unchanged and updated
    in place; ``details`` False reads only the records (``list``)."""
    root = Path(output_root)
    entries = []
    fresh: dict[str, Any] = {}
    for kind, path in record_files(root):
        stamp = _stamp(path)
        if stamp is None:  # removed while we looked
            continue
        key = path.relative_to(root).as_posix()
        cached = cache.entries.get(key) if cache is not None else None
        usable = _usable(cached, kind, stamp, details)
        entry = cached if usable else _read_entry(kind, path, stamp, details)
        if cache is not None and not usable:
            cache.changed = True
        fresh[key] = entry
        if "skip" in entry:
            warn(f"warning: skipped {display_path(path)}: {entry['skip']}")
            continue
        summary = entry["summary"]
        shown = {
            "kind": kind,
            "folder": path.parent,
            "record": summary,
            "status": shown_status(summary),
            "started": summary["started_at"],
            "cached": entry,  # where its rendered row is kept
        }
        if details:
            shown["details"] = entry["details"]
            shown["metrics"] = entry["details"]["metrics"]
        entries.append(shown)
    if cache is not None:
        cache.changed = cache.changed or fresh.keys() != cache.entries.keys()
        cache.entries = fresh
    entries.sort(key=lambda entry: (entry["started"], entry["folder"].name), reverse=True)
    return entries


def run_key(folder: Path | str) -> tuple[str, str]:
    """A run folder's identity that survives moving the output root: recipe folder, run id."""
    path = Path(folder)
    return path.parent.name, path.name


def sweep_membership(entries: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[Any, dict]]:
    """For every run a sweep.json lists: (the sweep's entry, the run's grid labels)."""
    members = {}
    for entry in entries:
        if entry.get("kind") != "sweep" or not isinstance(entry.get("record"), dict):
            continue
        runs = entry["record"].get("runs")
        for run in runs if isinstance(runs, list) else []:
            folder = run.get("run_folder") if isinstance(run, dict) else None
            if isinstance(folder, str) and folder:
                labels = run.get("labels") if isinstance(run.get("labels"), dict) else {}
                members[run_key(folder)] = (entry, labels)
    return members


def _config_loss(folder: Path) -> str:
    """The loss a run folder's config.yaml names, or '' when it cannot be read."""
    try:
        text = (folder / "config.yaml").read_text(encoding="utf-8")
        loss = (yaml.load(text, Loader=SAFE_LOADER) or {})["loss"]
    except (OSError, ValueError, yaml.YAMLError, KeyError, TypeError, IndexError):
        return ""
    loss = loss.get("name", "") if isinstance(loss, dict) else loss
    return loss if isinstance(loss, str) else ""


def run_row(entry: dict[str, Any], labels: dict[str, Any]) -> dict[str, Any]:
    """What the table shows of one run: its loss is the sweep's label for it (``BCE
    from_logits``) when it has one, else the name its config gives."""
    record = entry["record"]
    loss = labels.get("loss") if isinstance(labels, dict) else None
    return {
        "entry": entry,
        "recipe": text_field(record.get("recipe")) or entry["folder"].parent.name,
        "loss": str(loss or entry.get("details", {}).get("loss") or ""),
        "seed": _scalar(record.get("seed", "")),
        "backend": text_field(record.get("backend")),
    }


def status_summary(entries: list[dict[str, Any]]) -> str:
    """``3 completed, 1 stopped (process gone)``: how many entries have each status."""
    counts = collections.Counter(entry["status"] for entry in entries)
    return ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))


def load_cache(path: Path) -> IndexCache:
    """The cache; empty when it is missing, damaged or of another version."""
    data = read_record(path)
    if (
        not data
        or data.get("version") != CACHE_VERSION
        or not isinstance(data.get("entries"), dict)
    ):
        return IndexCache(changed=True)
    return IndexCache(dict(data["entries"]))
