"""``outputs/index.html``: one row per run (recipe, what its sweep varies, loss, seed,
backend, status, key metrics, plot and animation thumbnails), sortable by any column and
filterable by recipe and loss; each sweep a collapsible group with its comparison figures on
top, the runs outside any sweep in a group of their own; newest first.

Static HTML with relative links, its style and script inlined (the page is one
``string.Template``, index_page.html beside this module), so opening the file from disk works
as well as serving ``outputs/`` (``make serve``). Rebuilt after every run and sweep, and by
``make gallery``.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import html
import shlex
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from recipes.errors import RecipeError
from recipes.files import atomic_write_text
from recipes.paths import display_path
from recipes.recording import RECORDING_FILE
from recipes.records import FiguresPending, varies_text
from recipes.report.index_records import (
    SHOWN_METRICS,
    Entry,
    collect_entries,
    media_in_order,
    record_files,
    status_summary,
)

INDEX_NAME = "index.html"
LOCK_NAME = ".index.lock"  # held (flock) while the index is brought up to date
# Every page this project writes says so; an index.html without it is someone else's.
GENERATOR_MARKER = '<meta name="generator" content="keras-loss-recipes">'
LEGACY_MARKER = "<title>keras-loss-recipes: outputs</title>"  # pages written before the marker
PAGE = string.Template((Path(__file__).parent / "index_page.html").read_text(encoding="utf-8"))


class NothingToIndex(RecipeError):
    """The output root holds no run or sweep folder and no index of ours: nothing is written."""


def _link(root: Path, path: Path) -> str:
    return quote(path.relative_to(root).as_posix())


def _media_html(root: Path, folder: Path, names: list[str], css_class: str) -> str:
    """Thumbnails of a folder's figures and animations (an MP4 as a muted looping video),
    decision_boundary.png first (:func:`media_in_order`)."""
    parts = []
    for name in media_in_order(names):
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


def _lab_html(root: Path, folder: Path, what: str) -> str:
    """A run's (or a sweep's) replay in the lab: the command that opens it, which the page's
    script turns into a link when the lab itself serves the index (docs/lab.md)."""
    command = html.escape(shlex.join(["python", "-m", "recipes", "lab", display_path(folder)]))
    return (
        f'<span class="lab meta" data-open="{html.escape(folder.relative_to(root).as_posix())}" '
        f'data-what="{html.escape(what)}">replay: <code>{command}</code></span>'
    )


def _figures_note(entry: Entry) -> str:
    """What a run's record says of figures it does not have: pending, with the command that
    draws them, or failed, with why."""
    figures = entry.record.figures
    if isinstance(figures, FiguresPending):
        command = html.escape(shlex.join(figures.command))
        return f'<span class="meta">figures pending: <code>{command}</code></span>'
    if figures is not None and figures.status == "failed":
        return f'<span class="reason">figures failed: {html.escape(figures.reason)}</span>'
    return ""


def _row_html(root: Path, row: dict[str, Any], metrics: list[str], varies: bool) -> str:
    entry = row["entry"]
    folder = entry.folder
    cells = [
        f'<td class="nowrap">{html.escape(entry.started[:19].replace("T", " ") or "?")}</td>',
        f"<td>{html.escape(row['recipe'])}</td>",
        *([f'<td class="varies nowrap">{html.escape(row["varies"])}</td>'] if varies else []),
        f"<td>{html.escape(row['loss'])}</td>",
        f'<td class="number">{html.escape(str(row["seed"]))}</td>',
        f"<td>{html.escape(row['backend'])}</td>",
        f"<td>{_status_html(entry.status, entry.record.reason)}</td>",
    ]
    for key in metrics:
        value = entry.metrics.get(key)
        text = f"{value:.4g}" if isinstance(value, float) else str(value)
        shown = "" if value is None else html.escape(text)
        sort = repr(value) if isinstance(value, int | float) else ""
        cells.append(f'<td class="number" data-sort="{sort}">{shown}</td>')
    media = _media_html(root, folder, entry.media, "") + _figures_note(entry)
    cells.append(f'<td data-sort="">{media}</td>')
    documents = _documents_html(root, folder, entry.documents)
    files = f"<details><summary>files</summary>{documents}</details>" if documents else ""
    replay = _lab_html(root, folder, "run") if (folder / RECORDING_FILE).is_file() else ""
    cells.append(
        f'<td class="folder nowrap"><a href="{_link(root, folder)}/">'
        f"{html.escape(folder.name)}</a>{files}{replay}</td>"
    )
    return (
        f'<tr class="run" data-recipe="{html.escape(row["recipe"])}" '
        f'data-loss="{html.escape(row["loss"])}">{"".join(cells)}</tr>'
    )


def _table_html(root: Path, rows: list[dict[str, Any]]) -> str:
    """One sortable table of runs; metric columns that no run of it has are left out, and the
    ``varies`` column (what a sweep varies for each run: ``loss.gamma = 2``) unless a run has
    one."""
    metrics = [k for k in SHOWN_METRICS if any(k in r["entry"].metrics for r in rows)]
    varies = any(row["varies"] for row in rows)
    columns = ["started", "recipe", *(["varies"] if varies else []), "loss", "seed", "backend"]
    columns += ["status", *metrics, "plots"]
    header = "".join(f'<th title="sort by {c}">{html.escape(c)}</th>' for c in columns)
    body = "\n".join(_row_html(root, row, metrics, varies) for row in rows)
    return (
        f'<div class="scroll"><table class="runs"><thead><tr>{header}<th>folder</th></tr>'
        f"</thead><tbody>\n{body}\n</tbody></table></div>"
    )


def _sweep_group_html(root: Path, entry: Entry, rows: list[dict[str, Any]]) -> str:
    """A sweep: a collapsible group, its comparison figures on top, then its runs."""
    record, folder = entry.record, entry.folder
    parts = [
        '<details class="group sweep">',
        f"<summary>sweep {html.escape(record.recipe)} {_status_html(entry.status)} "
        f'<span class="meta">{len(rows)} run(s) &middot; '
        f"{html.escape(entry.started[:19].replace('T', ' ') or 'time unknown')} &middot; "
        f'<a href="{_link(root, folder)}/">{html.escape(folder.name)}</a></span></summary>',
    ]
    if record.description:
        parts.append(f'<div class="meta">{html.escape(record.description)}</div>')
    if any((row["entry"].folder / RECORDING_FILE).is_file() for row in rows):
        parts.append(f"<div>{_lab_html(root, folder, 'sweep')}</div>")
    parts += [
        _media_html(root, folder, entry.media, "figures"),
        _documents_html(root, folder, entry.documents),
    ]
    parts += [_table_html(root, rows) if rows else '<p class="meta">no run folders</p>']
    parts.append("</details>")
    return "\n".join(part for part in parts if part)


def _groups_html(root: Path, entries: list[Entry]) -> tuple[str, list[dict]]:
    """The single runs' group, then each sweep's, newest first; returns the HTML and every
    run's row (for the filters' choices). A run's loss is its sweep's label for it (``BCE
    from_logits``) when it has one, else the name its config gives."""
    members = {  # by recipe folder and run id, which survive moving the output root
        Path(run.run_folder).parts[-2:]: (sweep, run.labels)
        for sweep in entries
        if sweep.kind == "sweep"
        for run in sweep.record.runs
        if run.run_folder
    }
    single, per_sweep = [], collections.defaultdict(list)
    for entry in (e for e in entries if e.kind == "run"):
        sweep, labels = members.get(entry.folder.parts[-2:], (None, {}))
        record = entry.record
        row = {
            "entry": entry,
            "recipe": record.recipe or entry.folder.parent.name,
            "loss": labels.get("loss") or entry.loss,
            # what its sweep varies: its record's (written as it ended), else the sweep's labels
            "varies": varies_text(record.varies or labels),
            "seed": "" if record.seed is None else record.seed,
            "backend": record.backend or "",
        }
        (per_sweep[id(sweep)] if sweep is not None else single).append(row)
    groups = []
    if single:
        groups.append(
            f'<details class="group single" open><summary>single runs '
            f'<span class="meta">{len(single)}</span></summary>{_table_html(root, single)}'
            "</details>"
        )
    sweeps = [e for e in entries if e.kind == "sweep"]
    groups += [_sweep_group_html(root, e, per_sweep[id(e)]) for e in sweeps]
    return "\n".join(groups), single + [row for rows in per_sweep.values() for row in rows]


def _options_html(values: set[str], everything: str) -> str:
    options = [f'<option value="">{html.escape(everything)}</option>']
    options += [
        f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in sorted(values)
    ]
    return "".join(options)


def is_our_index(path: Path) -> bool:
    """True when ``path`` is an index page this project wrote (its generator marker, or the
    title of pages written before the marker): a file, never a link to one elsewhere."""
    if path.is_symlink():
        return False
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

    Raises RecipeError, :class:`NothingToIndex` for a root without runs (one line each);
    writes nothing."""
    root = Path(output_root).resolve()
    page = root / INDEX_NAME
    exists = page.exists() or page.is_symlink()
    if exists and not is_our_index(page):
        raise RecipeError(
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


def build_index(output_root: Path | str, *, create: bool = False) -> Path:
    """Write ``<output_root>/index.html`` listing every run and sweep; returns its path.

    Only where :func:`check_index_target` allows (``create``: also into a root without runs
    yet, e.g. the default outputs/). Under :func:`index_lock`."""
    root = Path(output_root).resolve()
    check_index_target(root, create=create)
    root.mkdir(parents=True, exist_ok=True)
    with index_lock(root):
        path = check_index_target(root, create=True)  # again, now that no one else writes
        atomic_write_text(path, render_index(root, collect_entries(root)))
    return path


def render_index(root: Path, entries: list[Entry]) -> str:
    """The page for these entries (from :func:`collect_entries` with details)."""
    summary = status_summary(entries)
    groups, rows = _groups_html(root, entries)
    recipes = _options_html({row["recipe"] for row in rows}, "every recipe")
    losses = _options_html({row["loss"] for row in rows if row["loss"]}, "every loss")
    return PAGE.substitute(
        generator=GENERATOR_MARKER,
        summary=html.escape(f"{len(entries)} entries" + (f": {summary}" if summary else "")),
        recipes=recipes,
        losses=losses,
        runs=len(rows),
        body=groups or "<p>No runs yet: try <code>make hinge</code>.</p>",
    )
