"""The files this project writes and reads: atomically, in one place.

Files are written to a temporary name and renamed into place, so an interrupted run never
leaves a half-written file posing as a result. Run folders and sweep folders are both made by
:func:`create_unique_folder`, named so two started in the same second never collide.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from recipes.errors import RecipeError


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


def create_unique_folder(parent: Path, prefix: str = "") -> Path:
    """Make ``parent/<prefix><run-id>`` (and ``parent``); never reuses an existing folder. A
    run id, ``20261122-142501-123456-a1b2``, is the time to the microsecond, sortable, and a
    random suffix."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        folder = parent / f"{prefix}{dt.datetime.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(2)}"
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue


def ensure_writable_folder(path: Path | str, what: str = "--output-root") -> Path:
    """``path`` checked as a place to write run folders, without creating anything: an
    existing folder this process can write to, or a missing one whose nearest existing parent
    is such a folder. RecipeError with one line saying what is wrong and what to do."""
    path = Path(path)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        where = "" if existing == path else f" ({existing} is a file)"
        raise RecipeError(
            f"{what} {path}: is a file, not a folder{where}; give a folder (it is created if "
            "missing)"
        )
    try:  # os.access is no answer for root or read-only mounts: try to write
        handle, probe = tempfile.mkstemp(dir=existing, prefix=".write-test-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise RecipeError(
            f"{what} {path}: cannot write there ({reason}); give a folder you can write to"
        ) from None
    return path


@contextlib.contextmanager
def replaced_atomically(path: Path | str) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix) to write to; renamed to ``path`` when
    the block ends, removed if it fails. For writers that want a file name (savefig,
    model.save) as well as for text."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix
    )
    os.close(handle)
    try:
        yield Path(temporary)
        umask = os.umask(0)  # mkstemp makes files 0600: give the usual permissions instead
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    with replaced_atomically(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="")


def read_json(path: Path | str) -> dict[str, Any]:
    """A JSON mapping this project wrote that is not a record (metrics.json, a backup's
    metadata), or {} when it is missing, unreadable or not a mapping. run.json and sweep.json
    are read through :mod:`recipes.records`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, default=jsonable) + "\n")


def write_yaml(path: Path, data: Any) -> None:
    atomic_write_text(path, yaml.safe_dump(data, sort_keys=False))


# A text cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """``value`` safe for a spreadsheet: a text that would run as a formula (``=HYPERLINK(..)``,
    ``@SUM(..)``, ``-2+3``) gets a leading single quote; numbers, and texts that are plain
    numbers (``-0.5``), are kept as they are."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        value = "'" + value
    # csv quotes a cell holding the line terminator ("\n") but not a bare "\r", which readers
    # take as a line break: a carriage return is written as a newline
    return value.replace("\r\n", "\n").replace("\r", "\n")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV file, every text cell (header too) neutralised by :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    atomic_write_text(path, buffer.getvalue())


def read_csv_columns(path: Path, skip: Sequence[str] = ("epoch",)) -> dict[str, list[float]]:
    """A numeric CSV file (e.g. history.csv) as {column: values}; empty cells are NaN and a
    missing file gives {}."""
    if not Path(path).is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    keys = [key for key in (rows[0] if rows else ()) if key not in skip]
    return {key: [float(row[key]) if row[key] else math.nan for row in rows] for key in keys}


# Characters with a meaning in (GitHub) Markdown inline text; ``_`` is handled on its own.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*\[\]<>#|$~])")
# An ``_`` that can open or close emphasis: not between two letters or digits (``test_loss``).
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# What begins a block at a line's start, once the specials above are escaped: a list item or a
# rule (``-``, ``+``), a setext heading's line (``=``), a numbered item (``1.``, ``2)``).
_BLOCK_START = re.compile(r"^(\s*\d*)([-+=]|(?<=\d)[.)])")


def markdown_text(value: Any, *, line_start: bool = False) -> str:
    """``value`` as literal Markdown text: its specials (``\\ ` * _ [ ] < > # | $ ~``)
    backslash-escaped, newlines made spaces; with ``line_start`` also a start that would
    begin a block (``- item``, ``1. item``, ``# title``, ``> quote``)."""
    text = " ".join(str(value).splitlines()) if value is not None else ""
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = _EMPHASIS_UNDERSCORE.sub(r"\\_", text)
    if line_start:
        text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text, count=1)
    return text


@dataclasses.dataclass(frozen=True)
class MarkdownCode:
    """A code span the project writes (``focal``): its text kept as written, never escaped."""

    text: str

    def render(self, in_table: bool = False) -> str:
        text = " ".join(self.text.splitlines())
        if in_table:  # GitHub splits a table cell at a pipe even inside a code span
            text = text.replace("|", "\\|")
        fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
        padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
        return f"{fence}{padded}{fence}"


@dataclasses.dataclass(frozen=True)
class MarkdownLink:
    """A link the project writes: its ``text`` escaped as literal text, its ``target`` (a
    relative path or URL) percent-quoted, so neither can break the link."""

    text: str
    target: str

    def render(self, in_table: bool = False) -> str:
        return f"[{markdown_text(self.text)}]({quote(self.target, safe='/#:?=&')})"


@dataclasses.dataclass(frozen=True)
class MarkdownParts:
    """Inline Markdown built from parts: texts (escaped), code spans and links (as such)."""

    parts: tuple[str | MarkdownCode | MarkdownLink, ...]

    def render(self, in_table: bool = False) -> str:
        return "".join(
            markdown_text(part) if isinstance(part, str) else part.render(in_table)
            for part in self.parts
        )


def markdown_cell(value: Any) -> str:
    """Text for a Markdown table cell: floats with 4 decimals (NaN empty); code spans, links
    and parts (:class:`MarkdownCode`, :class:`MarkdownLink`, :class:`MarkdownParts`) as the
    project wrote them; any other value as literal text (:func:`markdown_text`: a user's label
    never becomes markup or a new cell)."""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4f}"
    if isinstance(value, MarkdownCode | MarkdownLink | MarkdownParts):
        return value.render(in_table=True)
    return markdown_text(value)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub Markdown table (see :func:`markdown_cell` for how values are shown)."""
    lines = [
        "| " + " | ".join(map(markdown_cell, header)) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(map(markdown_cell, row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def jsonable(value: Any) -> Any:
    """``value`` as JSON can hold it (numpy numbers and arrays, paths)."""
    import numpy as np

    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
