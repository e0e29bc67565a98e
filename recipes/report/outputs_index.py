"""``outputs/index.html``: one row per run (recipe, what its sweep varies, loss, seed,
backend, status, key metrics, plot and animation thumbnails), sortable by any column and
filterable by recipe and loss; each sweep a collapsible group with its comparison figures on
top, the runs outside any sweep in a group of their own; newest first.

Static HTML with relative links, its style and script inlined (the page is one Jinja2
template, index_page.html beside this module, every value HTML-escaped as it is written), so
opening the file from disk works
as well as serving ``outputs/`` (``make serve``). Rebuilt after every run and sweep, and by
``make gallery``.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import fcntl
import functools
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from recipes.errors import RecipeError
from recipes.files import atomic_write_text
from recipes.paths import display_path
from recipes.records import varies_text
from recipes.report.index_records import (
    SHOWN_METRICS,
    Entry,
    collect_entries,
    record_files,
    status_summary,
)

INDEX_NAME = "index.html"
LOCK_NAME = ".index.lock"  # held (flock) while the index is brought up to date
# Every page this project writes says so; an index.html without it is someone else's.
GENERATOR_MARKER = '<meta name="generator" content="keras-loss-recipes">'
LEGACY_MARKER = "<title>keras-loss-recipes: outputs</title>"  # pages written before the marker
# every value escaped as it is written (autoescape): a user's text in a record stays text
PAGE = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    (Path(__file__).parent / "index_page.html").read_text(encoding="utf-8")
)


class NothingToIndex(RecipeError):
    """The output root holds no run or sweep folder and no index of ours: nothing is written."""


@dataclasses.dataclass
class Table:
    """One sortable table of runs: its rows, the metric columns some run of it has, and the
    ``varies`` column (what a sweep varies for each run: ``loss.gamma = 2``) when a run has
    one (worked out once, when the page first asks)."""

    rows: list[dict[str, Any]]

    @functools.cached_property
    def metrics(self) -> list[str]:
        return [k for k in SHOWN_METRICS if any(k in row["entry"].metrics for row in self.rows)]

    @functools.cached_property
    def varies(self) -> bool:
        return any(row["varies"] for row in self.rows)

    @property
    def columns(self) -> list[str]:
        described = ["started", "recipe", *(["varies"] if self.varies else []), "loss", "seed"]
        return [*described, "backend", "status", *self.metrics, "plots"]


def _tables(entries: list[Entry]) -> tuple[Table, list[tuple[Entry, Table]]]:
    """The single runs' table, and each sweep with the table of its runs, newest first. A
    run's loss is its sweep's label for it (``BCE from_logits``) when it has one, else the
    name its config gives."""
    members = {  # by recipe folder and run id, which survive moving the output root
        Path(run.run_folder).parts[-2:]: (sweep, run.labels)
        for sweep in entries
        if sweep.kind == "sweep"
        for run in sweep.record.runs
        if run.run_folder
    }
    single, per_sweep = Table([]), collections.defaultdict(lambda: Table([]))
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
        (per_sweep[id(sweep)] if sweep is not None else single).rows.append(row)
    return single, [(e, per_sweep[id(e)]) for e in entries if e.kind == "sweep"]


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


def refresh_index(output_root: Path) -> None:
    """Bring outputs/index.html up to date after a run or sweep (the command line's, the
    lab's, a notebook's); a failure here never hides the run's own result. A root without runs
    is left alone; one whose index.html is not ours, or that cannot be written, is left alone
    with one warning line."""
    try:
        build_index(output_root)
    except NothingToIndex:
        return
    except RecipeError as error:
        print(f"warning: did not update the index: {error}", file=sys.stderr)
    except OSError as error:
        print(f"warning: could not update {output_root}/index.html: {error}", file=sys.stderr)


def render_index(root: Path, entries: list[Entry]) -> str:
    """The page for these entries (from :func:`collect_entries` with details)."""
    summary = status_summary(entries)
    single, sweeps = _tables(entries)
    rows = single.rows + [row for _, table in sweeps for row in table.rows]
    return PAGE.render(
        generator=GENERATOR_MARKER,
        summary=f"{len(entries)} entries" + (f": {summary}" if summary else ""),
        recipes=sorted({row["recipe"] for row in rows}),
        losses=sorted({row["loss"] for row in rows if row["loss"]}),
        runs=len(rows),
        single=single,
        sweeps=sweeps,
        link=lambda path: quote(path.relative_to(root).as_posix()),
        relative=lambda path: path.relative_to(root).as_posix(),
        command=shlex.join,
        display_path=display_path,
    )
