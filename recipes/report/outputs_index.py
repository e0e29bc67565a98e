"""``outputs/index.html``: every run and sweep, newest first, with plot thumbnails.

Plain static HTML with relative links (no JavaScript), so opening the file directly in a
browser works as well as serving ``outputs/`` (``make serve``). Rebuilt after every run and
sweep, and by ``make gallery``.
"""

from __future__ import annotations

import collections
import html
from pathlib import Path
from typing import Any
from urllib.parse import quote

from recipes.files import atomic_write_text, read_json
from recipes.status import shown_status

INDEX_NAME = "index.html"
SHOWN_METRICS = (
    "test_accuracy",
    "test_auc",
    "test_loss",
    "test_precision",
    "test_recall",
    "best_val_auc",
    "epochs_run",
)
STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
h1 { margin-bottom: 0.2rem; }
.entry { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.8rem 1rem;
         margin: 0.8rem 0; }
.entry h2 { font-size: 1.05rem; margin: 0 0 0.3rem 0; }
.status { font-weight: 600; padding: 0.05rem 0.45rem; border-radius: 4px; font-size: 0.85rem; }
.completed { background: #dff3e0; color: #1d6b22; }
.failed { background: #fbe0e0; color: #9b1c1c; }
.interrupted, .running, .stopped { background: #fff3cd; color: #7a5a00; }
.meta { color: #555; font-size: 0.9rem; }
.reason { color: #9b1c1c; font-family: monospace; font-size: 0.85rem; }
table.metrics { border-collapse: collapse; margin: 0.4rem 0; font-size: 0.88rem; }
table.metrics td, table.metrics th { border: 1px solid #ddd; padding: 0.15rem 0.5rem; }
.thumbs { display: flex; flex-wrap: wrap; gap: 0.6rem; margin-top: 0.4rem; }
.thumbs figure { margin: 0; text-align: center; font-size: 0.8rem; color: #555; }
.thumbs img { height: 170px; border: 1px solid #ccc; background: #fff; }
"""


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


def _entry_html(root: Path, entry: dict[str, Any]) -> str:
    record, folder, status = entry["record"], entry["folder"], entry["status"]
    title = record.get("recipe") or folder.parent.name
    kind_label = "sweep" if entry["kind"] == "sweep" else "run"
    parts = [
        '<section class="entry">',
        f'<h2>{html.escape(str(title))} <span class="meta">{kind_label}</span> '
        f'<span class="status {html.escape(status.split()[0])}">{html.escape(status)}</span>'
        "</h2>",
        f'<div class="meta">{html.escape(entry["started"] or "time unknown")} &middot; backend '
        f"{html.escape(str(record.get('backend', '?')))} &middot; seed "
        f"{html.escape(str(record.get('seed', '?')))} &middot; "
        f'<a href="{_link(root, folder)}/">{html.escape(folder.relative_to(root).as_posix())}</a>'
        "</div>",
    ]
    if record.get("overrides"):
        overrides = " ".join(str(item) for item in record["overrides"])
        parts.append(f'<div class="meta">--set {html.escape(overrides)}</div>')
    if record.get("description"):
        parts.append(f'<div class="meta">{html.escape(str(record["description"]))}</div>')
    if record.get("reason"):
        parts.append(f'<div class="reason">{html.escape(str(record["reason"]))}</div>')
    shown = [(key, entry["metrics"][key]) for key in SHOWN_METRICS if key in entry["metrics"]]
    if shown:
        header = "".join(f"<th>{html.escape(key)}</th>" for key, _ in shown)
        values = "".join(f"<td>{_format_value(value)}</td>" for _, value in shown)
        parts.append(f'<table class="metrics"><tr>{header}</tr><tr>{values}</tr></table>')
    documents = [
        path
        for pattern in ("*.md", "*.csv", "config.yaml", "metrics.json", "run.json", "sweep.json")
        for path in sorted(folder.glob(pattern))
        if not path.name.startswith(".")  # a file being written (recipes.files)
    ]
    if documents:
        links = " &middot; ".join(
            f'<a href="{_link(root, p)}">{html.escape(p.name)}</a>' for p in documents
        )
        parts.append(f'<div class="meta">{links}</div>')
    images = sorted(p for p in folder.glob("*.png") if not p.name.startswith("."))
    if images:
        parts.append('<div class="thumbs">')
        for image in images:
            link = _link(root, image)
            parts.append(
                f'<figure><a href="{link}"><img src="{link}" alt="{html.escape(image.name)}" '
                f'loading="lazy"></a><figcaption>{html.escape(image.stem)}</figcaption></figure>'
            )
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)


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
    body = "\n".join(_entry_html(root, entry) for entry in entries) or (
        "<p>No runs yet: try <code>make hinge</code>.</p>"
    )
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
first. Click a thumbnail for the full image, a folder name for its files.</p>
{body}
</body>
</html>
"""
    path = root / INDEX_NAME
    atomic_write_text(path, page)
    return path
