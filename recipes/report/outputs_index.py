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
import html
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from recipes.files import atomic_write_text, read_json
from recipes.report.index_assets import SCRIPT, STYLE
from recipes.status import shown_status

INDEX_NAME = "index.html"
SHOWN_METRICS = ("test_accuracy", "test_auc", "test_loss", "best_val_auc", "epochs_run")
MEDIA_PATTERNS = ("*.png", "*.gif", "*.mp4")  # figures and training animations
DOCUMENT_PATTERNS = ("*.md", "*.csv", "config.yaml", "metrics.json", "run.json", "sweep.json")


def _link(root: Path, path: Path) -> str:
    return quote(path.relative_to(root).as_posix())


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def collect_entries(output_root: Path) -> list[dict[str, Any]]:
    """Every run folder (has run.json) and sweep folder (has sweep.json) under the root, with
    its status as shown (``stopped (process gone)`` for a running one whose process is gone)."""
    entries = []
    for marker, kind in (("run.json", "run"), ("sweep.json", "sweep")):
        for path in Path(output_root).rglob(marker):
            record = read_json(path)
            folder = path.parent
            metrics = record.get("metrics") or read_json(folder / "metrics.json")
            entries.append(
                {
                    "kind": kind,
                    "folder": folder,
                    "record": record,
                    "status": shown_status(record),
                    "metrics": metrics if isinstance(metrics, dict) else {},
                    "started": str(record.get("started_at", "")),
                }
            )
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
        if entry["kind"] != "sweep":
            continue
        for run in entry["record"].get("runs") or []:
            if isinstance(run, dict) and run.get("run_folder"):
                labels = run.get("labels") if isinstance(run.get("labels"), dict) else {}
                members[_run_key(run["run_folder"])] = (entry, labels)
    return members


def _config_loss(folder: Path) -> str:
    """The loss a run folder's config.yaml names, or '' when it cannot be read."""
    try:
        loss = (yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8")) or {})["loss"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return ""
    return str(loss.get("name", "") if isinstance(loss, dict) else loss or "")


def run_row(entry: dict[str, Any], labels: dict[str, Any]) -> dict[str, Any]:
    """What the table shows of one run: its loss is the sweep's label for it (``BCE
    from_logits``) when it has one, else the name its config gives."""
    record = entry["record"]
    return {
        "entry": entry,
        "recipe": str(record.get("recipe") or entry["folder"].parent.name),
        "loss": str(labels.get("loss") or _config_loss(entry["folder"])),
        "seed": record.get("seed", ""),
        "backend": str(record.get("backend") or ""),
    }


def _media_html(root: Path, folder: Path, css_class: str) -> str:
    """Thumbnails of a folder's figures and animations (an MP4 as a muted looping video)."""
    media = sorted({p for pattern in MEDIA_PATTERNS for p in folder.glob(pattern)})
    parts = []
    for path in media:
        if path.name.startswith("."):  # a file being written (recipes.files)
            continue
        link, name = _link(root, path), html.escape(path.name)
        shown = (
            f'<video src="{link}" muted loop autoplay playsinline title="{name}"></video>'
            if path.suffix == ".mp4"
            else f'<img src="{link}" alt="{name}" title="{name}" loading="lazy">'
        )
        parts.append(
            f'<figure><a href="{link}">{shown}</a><figcaption>{html.escape(path.stem)}'
            "</figcaption></figure>"
        )
    return f'<div class="thumbs {css_class}">{"".join(parts)}</div>' if parts else ""


def _documents_html(root: Path, folder: Path) -> str:
    documents = [
        path
        for pattern in DOCUMENT_PATTERNS
        for path in sorted(folder.glob(pattern))
        if not path.name.startswith(".")
    ]
    links = " &middot; ".join(
        f'<a href="{_link(root, p)}">{html.escape(p.name)}</a>' for p in documents
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
        f"<td>{_status_html(entry['status'], str(record.get('reason') or ''))}</td>",
    ]
    for key in metrics:
        value = entry["metrics"].get(key)
        shown = "" if value is None else _format_value(value)
        sort = "" if not isinstance(value, int | float) else repr(value)
        cells.append(f'<td class="number" data-sort="{sort}">{shown}</td>')
    cells.append(f'<td data-sort="">{_media_html(root, folder, "")}</td>')
    documents = _documents_html(root, folder)
    files = f"<details><summary>files</summary>{documents}</details>" if documents else ""
    cells.append(
        f'<td class="folder nowrap"><a href="{_link(root, folder)}/">'
        f"{html.escape(folder.name)}</a>{files}</td>"
    )
    return (
        f'<tr class="run" data-recipe="{html.escape(row["recipe"])}" '
        f'data-loss="{html.escape(row["loss"])}">{"".join(cells)}</tr>'
    )


def _table_html(root: Path, rows: list[dict[str, Any]]) -> str:
    """One sortable table of runs; metric columns that no run of it has are left out."""
    metrics = [k for k in SHOWN_METRICS if any(k in r["entry"]["metrics"] for r in rows)]
    columns = ["started", "recipe", "loss", "seed", "backend", "status", *metrics, "plots"]
    header = "".join(f'<th title="sort by {c}">{html.escape(c)}</th>' for c in columns)
    body = "\n".join(_row_html(root, row, metrics) for row in rows)
    return (
        f'<div class="scroll"><table class="runs"><thead><tr>{header}<th>folder</th></tr>'
        f"</thead><tbody>\n{body}\n</tbody></table></div>"
    )


def _sweep_group_html(root: Path, entry: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """A sweep: a collapsible group, its comparison figures on top, then its runs."""
    record, folder = entry["record"], entry["folder"]
    title = record.get("recipe") or folder.name
    parts = [
        '<details class="group sweep">',
        f"<summary>sweep {html.escape(str(title))} {_status_html(entry['status'])} "
        f'<span class="meta">{len(rows)} run(s) &middot; '
        f"{html.escape(entry['started'][:19].replace('T', ' ') or 'time unknown')} &middot; "
        f'<a href="{_link(root, folder)}/">{html.escape(folder.name)}</a></span></summary>',
    ]
    if record.get("description"):
        parts.append(f'<div class="meta">{html.escape(str(record["description"]))}</div>')
    parts += [_media_html(root, folder, "figures"), _documents_html(root, folder)]
    parts += [_table_html(root, rows) if rows else '<p class="meta">no run folders</p>']
    parts.append("</details>")
    return "\n".join(part for part in parts if part)


def _groups_html(root: Path, entries: list[dict[str, Any]]) -> tuple[str, list[dict]]:
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
            f'<span class="meta">{len(single)}</span></summary>{_table_html(root, single)}'
            "</details>"
        )
    sweeps = [e for e in entries if e["kind"] == "sweep"]
    groups += [_sweep_group_html(root, e, per_sweep[id(e)]) for e in sweeps]
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


def build_index(output_root: Path | str) -> Path:
    """Write ``<output_root>/index.html`` listing every run and sweep; returns its path."""
    root = Path(output_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    entries = collect_entries(root)
    summary = status_summary(entries)
    groups, rows = _groups_html(root, entries)
    recipes = _options_html({row["recipe"] for row in rows}, "every recipe")
    losses = _options_html({row["loss"] for row in rows if row["loss"]}, "every loss")
    body = groups or "<p>No runs yet: try <code>make hinge</code>.</p>"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
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
    path = root / INDEX_NAME
    atomic_write_text(path, page)
    return path
