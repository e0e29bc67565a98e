"""``outputs/index.html``: one row per run (recipe, loss, seed, backend, status, key
metrics, plot and animation thumbnails), sortable by any column and filterable by recipe and
loss; each sweep a collapsible group with its comparison figures on top, the runs outside any
sweep in a group of their own; newest first.

Static HTML with relative links and its script inlined (:mod:`recipes.report.index_assets`),
so opening the file from disk works as well as serving ``outputs/`` (``make serve``). Rebuilt
after every run and sweep, and by ``make gallery``.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import fcntl
import fnmatch
import html
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from recipes.errors import RecipeError
from recipes.files import atomic_write_text, read_json
from recipes.paths import display_path
from recipes.report.index_assets import SCRIPT, STYLE
from recipes.status import read_record, shown_status

INDEX_NAME = "index.html"
CACHE_NAME = ".index-cache.json"  # what was read of each record, keyed by its file's stamp
LOCK_NAME = ".index.lock"  # held (flock) while the index is brought up to date
CACHE_VERSION = 1
# Every page this project writes says so; an index.html without it is someone else's.
GENERATOR_MARKER = '<meta name="generator" content="keras-loss-recipes">'
LEGACY_MARKER = "<title>keras-loss-recipes: outputs</title>"  # pages written before the marker
SHOWN_METRICS = ("test_accuracy", "test_auc", "test_loss", "best_val_auc", "epochs_run")
MEDIA_SUFFIXES = (".png", ".gif", ".mp4")  # figures and training animations
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


class NotOurIndex(RecipeError):
    """The output root holds an ``index.html`` this project did not write."""


class NothingToIndex(RecipeError):
    """The output root holds no run or sweep folder and no index of ours: nothing is written."""


def _link(root: Path, path: Path) -> str:
    return quote(path.relative_to(root).as_posix())


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


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


def _text(value: Any, default: str = "") -> str:
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
        "status": _text(record.get("status")),
        "pid": record.get("pid") if isinstance(record.get("pid"), int) else None,
        "host": {"name": host.get("name")} if isinstance(host, dict) else None,
        "heartbeat_at": record.get("heartbeat_at"),
        "recipe": _text(record.get("recipe")),
        "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else "",
        "backend": _text(record.get("backend")),
        "reason": _text(record.get("reason")),
        "description": _text(record.get("description")),
        "started_at": _text(record.get("started_at")),
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


def _run_key(folder: Path | str) -> tuple[str, str]:
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
                members[_run_key(folder)] = (entry, labels)
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
        "recipe": _text(record.get("recipe")) or entry["folder"].parent.name,
        "loss": str(loss or entry.get("details", {}).get("loss") or ""),
        "seed": _scalar(record.get("seed", "")),
        "backend": _text(record.get("backend")),
    }


def _media_html(root: Path, folder: Path, names: list[str], css_class: str) -> str:
    """Thumbnails of a folder's figures and animations (an MP4 as a muted looping video)."""
    parts = []
    for name in names:
        path = folder / name
        link, shown_name = _link(root, path), html.escape(name)
        shown = (
            f'<video src="{link}" muted loop autoplay playsinline title="{shown_name}"></video>'
            if path.suffix == ".mp4"
            else f'<img src="{link}" alt="{shown_name}" title="{shown_name}" loading="lazy">'
        )
        parts.append(
            f'<figure><a href="{link}">{shown}</a><figcaption>{html.escape(path.stem)}'
            "</figcaption></figure>"
        )
    return f'<div class="thumbs {css_class}">{"".join(parts)}</div>' if parts else ""


def _documents_html(root: Path, folder: Path, names: list[str]) -> str:
    links = " &middot; ".join(
        f'<a href="{_link(root, folder / name)}">{html.escape(name)}</a>' for name in names
    )
    return f'<div class="meta">{links}</div>' if links else ""


def _status_html(status: str, reason: str = "") -> str:
    badge = f'<span class="status {html.escape(status.split()[0])}">{html.escape(status)}</span>'
    return badge + (f'<span class="reason">{html.escape(reason)}</span>' if reason else "")


def _row_html(root: Path, row: dict[str, Any], metrics: list[str]) -> str:
    entry = row["entry"]
    record, folder = entry["record"], entry["folder"]
    cells = [
        f'<td class="nowrap">{html.escape(entry["started"][:19].replace("T", " ") or "?")}</td>',
        f"<td>{html.escape(row['recipe'])}</td>",
        f"<td>{html.escape(row['loss'])}</td>",
        f'<td class="number">{html.escape(str(row["seed"]))}</td>',
        f"<td>{html.escape(row['backend'])}</td>",
        f"<td>{_status_html(entry['status'], _text(record.get('reason')))}</td>",
    ]
    for key in metrics:
        value = entry["metrics"].get(key)
        shown = "" if value is None else _format_value(value)
        sort = "" if not isinstance(value, int | float) else repr(value)
        cells.append(f'<td class="number" data-sort="{sort}">{shown}</td>')
    details = entry["details"]
    cells.append(f'<td data-sort="">{_media_html(root, folder, details["media"], "")}</td>')
    documents = _documents_html(root, folder, details["documents"])
    files = f"<details><summary>files</summary>{documents}</details>" if documents else ""
    cells.append(
        f'<td class="folder nowrap"><a href="{_link(root, folder)}/">'
        f"{html.escape(folder.name)}</a>{files}</td>"
    )
    return (
        f'<tr class="run" data-recipe="{html.escape(row["recipe"])}" '
        f'data-loss="{html.escape(row["loss"])}">{"".join(cells)}</tr>'
    )


def _cached_row_html(
    root: Path, row: dict[str, Any], metrics: list[str], cache: IndexCache | None
) -> str:
    """:func:`_row_html`, taken from the cache when the entry and what its row shows beyond
    the entry (status, loss label, metric columns, where the root is) are unchanged."""
    entry = row["entry"]
    key = json.dumps([str(entry["status"]), row["loss"], row["recipe"], metrics, str(root)])
    cached = entry.get("cached")
    if (
        cache is not None
        and isinstance(cached, dict)
        and cached.get("row_key") == key
        and isinstance(cached.get("row_html"), str)
    ):
        return cached["row_html"]
    shown = _row_html(root, row, metrics)
    if cache is not None and isinstance(cached, dict):
        cached["row_key"], cached["row_html"] = key, shown
        cache.changed = True
    return shown


def _table_html(root: Path, rows: list[dict[str, Any]], cache: IndexCache | None = None) -> str:
    """One sortable table of runs; metric columns that no run of it has are left out."""
    metrics = [k for k in SHOWN_METRICS if any(k in r["entry"]["metrics"] for r in rows)]
    columns = ["started", "recipe", "loss", "seed", "backend", "status", *metrics, "plots"]
    header = "".join(f'<th title="sort by {c}">{html.escape(c)}</th>' for c in columns)
    body = "\n".join(_cached_row_html(root, row, metrics, cache) for row in rows)
    return (
        f'<div class="scroll"><table class="runs"><thead><tr>{header}<th>folder</th></tr>'
        f"</thead><tbody>\n{body}\n</tbody></table></div>"
    )


def _sweep_group_html(
    root: Path, entry: dict[str, Any], rows: list[dict[str, Any]], cache: IndexCache | None
) -> str:
    """A sweep: a collapsible group, its comparison figures on top, then its runs."""
    record, folder = entry["record"], entry["folder"]
    title = _text(record.get("recipe")) or folder.name
    parts = [
        '<details class="group sweep">',
        f"<summary>sweep {html.escape(str(title))} {_status_html(entry['status'])} "
        f'<span class="meta">{len(rows)} run(s) &middot; '
        f"{html.escape(entry['started'][:19].replace('T', ' ') or 'time unknown')} &middot; "
        f'<a href="{_link(root, folder)}/">{html.escape(folder.name)}</a></span></summary>',
    ]
    if _text(record.get("description")):
        parts.append(f'<div class="meta">{html.escape(record["description"])}</div>')
    details = entry["details"]
    parts += [
        _media_html(root, folder, details["media"], "figures"),
        _documents_html(root, folder, details["documents"]),
    ]
    parts += [_table_html(root, rows, cache) if rows else '<p class="meta">no run folders</p>']
    parts.append("</details>")
    return "\n".join(part for part in parts if part)


def _groups_html(
    root: Path, entries: list[dict[str, Any]], cache: IndexCache | None = None
) -> tuple[str, list[dict]]:
    """The single runs' group, then each sweep's, newest first; returns the HTML and every
    run's row (for the filters' choices)."""
    members = sweep_membership(entries)
    single, per_sweep = [], collections.defaultdict(list)
    for entry in (e for e in entries if e["kind"] == "run"):
        sweep, labels = members.get(_run_key(entry["folder"]), (None, {}))
        row = run_row(entry, labels)
        (per_sweep[id(sweep)] if sweep is not None else single).append(row)
    groups = []
    if single:
        groups.append(
            f'<details class="group single" open><summary>single runs '
            f'<span class="meta">{len(single)}</span></summary>{_table_html(root, single, cache)}'
            "</details>"
        )
    sweeps = [e for e in entries if e["kind"] == "sweep"]
    groups += [_sweep_group_html(root, e, per_sweep[id(e)], cache) for e in sweeps]
    return "\n".join(groups), single + [row for rows in per_sweep.values() for row in rows]


def _options_html(values: set[str], everything: str) -> str:
    options = [f'<option value="">{html.escape(everything)}</option>']
    options += [
        f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in sorted(values)
    ]
    return "".join(options)


def status_summary(entries: list[dict[str, Any]]) -> str:
    """``3 completed, 1 stopped (process gone)``: how many entries have each status."""
    counts = collections.Counter(entry["status"] for entry in entries)
    return ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))


def is_our_index(path: Path) -> bool:
    """True when ``path`` is an index page this project wrote (its generator marker, or the
    title of pages written before the marker)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    return GENERATOR_MARKER in head or LEGACY_MARKER in head


def check_index_target(output_root: Path | str, *, create: bool = False) -> Path:
    """Where the index of ``output_root`` may be written, checked before anything is: its
    ``index.html`` must be ours when it exists, and the root must hold a run or sweep folder
    unless ``create`` (the default output root) or our index is already there.

    Raises :class:`NotOurIndex` or :class:`NothingToIndex` (one line each); writes nothing."""
    root = Path(output_root).resolve()
    page = root / INDEX_NAME
    exists = page.exists() or page.is_symlink()
    if exists and not (page.is_file() and not page.is_symlink() and is_our_index(page)):
        raise NotOurIndex(
            "not written by keras-loss-recipes; left untouched",
            source=display_path(page),
            hint="move it away, or give --output-root the folder that holds your runs",
        )
    if not exists and not create and not record_files(root):
        raise NothingToIndex(
            "holds no run or sweep folder; nothing to index",
            source=display_path(root),
            hint="give --output-root the folder that holds your runs (default: outputs/)",
        )
    return page


@contextlib.contextmanager
def index_lock(output_root: Path) -> Iterator[None]:
    """An exclusive lock on ``<root>/.index.lock`` (``fcntl.flock``): two runs finishing at
    once bring the index up to date one after the other, never interleaved. Released when
    the block ends or the process dies."""
    with open(Path(output_root) / LOCK_NAME, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load_cache(path: Path) -> IndexCache:
    """The cache; empty when it is missing, damaged or of another version."""
    data = read_record(path)
    if (
        not data
        or data.get("version") != CACHE_VERSION
        or not isinstance(data.get("entries"), dict)
    ):
        return IndexCache(changed=True)
    return IndexCache(dict(data["entries"]))


def build_index(output_root: Path | str, *, create: bool = False) -> Path:
    """Write ``<output_root>/index.html`` listing every run and sweep; returns its path.

    Only where :func:`check_index_target` allows (``create``: also into a root without runs
    yet, e.g. the default outputs/). Under :func:`index_lock`; each record is read again only
    when it changed since the last build (the cache, :data:`CACHE_NAME`)."""
    root = Path(output_root).resolve()
    check_index_target(root, create=create)
    root.mkdir(parents=True, exist_ok=True)
    with index_lock(root):
        path = check_index_target(root, create=True)  # again, now that no one else writes
        cache_path = root / CACHE_NAME
        cache = _load_cache(cache_path)
        entries = collect_entries(root, cache=cache)
        page = render_index(root, entries, cache)
        atomic_write_text(path, page)
        if cache.changed:  # compact JSON: the C encoder, 10x faster than indented
            data = {"version": CACHE_VERSION, "entries": cache.entries}
            atomic_write_text(cache_path, json.dumps(data, separators=(",", ":")))
    return path


def render_index(root: Path, entries: list[dict[str, Any]], cache: IndexCache | None = None) -> str:
    """The page for these entries (from :func:`collect_entries` with details); rows rendered
    before with the same content are taken from ``cache``."""
    summary = status_summary(entries)
    groups, rows = _groups_html(root, entries, cache)
    recipes = _options_html({row["recipe"] for row in rows}, "every recipe")
    losses = _options_html({row["loss"] for row in rows if row["loss"]}, "every loss")
    body = groups or "<p>No runs yet: try <code>make hinge</code>.</p>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{GENERATOR_MARKER}
<title>keras-loss-recipes: outputs</title>
<style>{STYLE}</style>
</head>
<body>
<h1>keras-loss-recipes outputs</h1>
<p class="meta">{len(entries)} entries{": " + html.escape(summary) if summary else ""}. Newest
first; click a column header to sort, a thumbnail for the full image, a folder for its files.</p>
<div class="controls">
<label>recipe <select id="filter-recipe">{recipes}</select></label>
<label>loss <select id="filter-loss">{losses}</select></label>
<span class="meta"><span id="shown-count">{len(rows)}</span> of {len(rows)} runs shown</span>
</div>
{body}
<script>{SCRIPT}</script>
</body>
</html>
"""
