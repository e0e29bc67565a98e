"""``csv``: the user's own CSV file, one row per sample: numeric feature columns and a label
column (any class values: numbers or names).

Read with the standard ``csv`` module rather than ``numpy.genfromtxt`` (which turns a bad cell
into a silent NaN) or pandas (not a dependency), so every problem names its line and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pydantic

from recipes.datasets.sizes import DataSize
from recipes.datasets.tabular import Table, TableParams, register_table_format, resolve_data_path
from recipes.errors import RecipeError

MISSING_TEXTS = {"", "nan", "na", "n/a", "null", "none"}
FLOAT32_MAX = float(np.finfo(np.float32).max)  # features are stored as float32
HEADER_LIMIT = 1 << 20  # bytes of the first line read for the column names


class CsvParams(TableParams):
    label: str = pydantic.Field("label", description="the column holding each row's class")
    features: list[str] | None = pydantic.Field(
        None, description="the feature columns, in order (None: every column but the label)"
    )
    encoding: str = pydantic.Field(
        "utf-8",
        description="the file's text encoding, any Python codec (latin-1, cp1252, utf-16, ...); "
        "a UTF-8 byte-order mark is skipped",
    )

    @pydantic.field_validator("encoding")
    @classmethod
    def _known_text_encoding(cls, value: str) -> str:
        try:
            "".encode(value)  # LookupError for an unknown codec and for bytes-only ones (base64)
        except LookupError:
            raise ValueError(
                f"unknown text encoding '{value}'; e.g. utf-8, latin-1, cp1252, utf-16"
            ) from None
        return value


def _number(text: str, where: str) -> float:
    if text.strip().lower() in MISSING_TEXTS:
        raise RecipeError(f"{where}: missing value ({text!r})", hint="fill it in or drop the row")
    try:
        value = float(text)
    except ValueError:
        raise RecipeError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise RecipeError(
            f"{where}: {text!r} is not a finite number", hint="fill it in or drop the row"
        )
    if abs(value) > FLOAT32_MAX:  # it would become infinity, and its column NaN when scaled
        raise RecipeError(
            f"{where}: {text!r} is beyond float32's range (±{FLOAT32_MAX:.1e})",
            hint="rescale the column",
        )
    return value


def _columns(header: list[str], params: CsvParams, source: str) -> list[int]:
    """Indices of the feature columns; RecipeError naming a missing column."""
    listed = f"its columns: {', '.join(header)}"
    if params.label not in header:
        raise RecipeError(f"{source} has no column '{params.label}'", key="data.label", hint=listed)
    names = params.features or [name for name in header if name != params.label]
    if params.label in names:
        raise RecipeError(
            f"'{params.label}' is the label column (data.label) and is listed as a feature too",
            key="data.features",
            hint="remove it from data.features: a model given its label learns nothing",
        )
    repeated = [name for name in names if names.count(name) > 1]
    if repeated:
        raise RecipeError(
            f"'{repeated[0]}' is listed twice", key="data.features", hint="list each feature once"
        )
    for name in names:
        if name not in header:
            raise RecipeError(f"{source} has no column '{name}'", key="data.features", hint=listed)
    if not names:
        raise RecipeError(f"{source} has no feature column besides the label", key="data.features")
    return [header.index(name) for name in names]


def _label(text: str, where: str) -> object:
    """A class value: a number when it reads as one (1 and 1.0 are one class), else the text."""
    text = text.strip()
    if text.lower() in MISSING_TEXTS:
        raise RecipeError(f"{where}: missing label ({text!r})", hint="fill it in or drop the row")
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def read_csv_table(params: CsvParams) -> Table:
    """The file's features (float32) and labels; RecipeError naming the line and column of the
    first bad cell, or what makes the file unreadable (its encoding, its CSV format). The file is
    decoded whole, so a decoding error's position is the file's own (a stream's is its block's)."""
    path, source = resolve_data_path(params.path), params.path
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:  # a file that vanished or may not be read
        reason = error.strerror or type(error).__name__
        raise RecipeError(f"cannot read {source} ({reason})", key="data.path") from None
    try:
        text = data.decode(_open_encoding(params.encoding))
    except UnicodeDecodeError as error:
        raise _not_text_error(data, error, params, source) from None
    return _read_table(csv.reader(io.StringIO(text, newline=""), strict=True), params, source)


def _read_table(reader: Iterator[list[str]], params: CsvParams, source: str) -> Table:
    rows = _rows(reader, source)
    _, header = next(rows, (1, []))
    header = [name.strip() for name in header]
    if not header:
        raise RecipeError(
            f"{source} is empty", key="data.path", hint="its first line names the columns"
        )
    _check_names_distinct(header, source)
    feature_columns = _columns(header, params, source)
    label_column = header.index(params.label)
    features, labels = [], []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) != len(header):
            raise RecipeError(
                f"{source} line {line}: {len(row)} fields, the header has {len(header)}"
            )
        cell = f"{source} line {line}, column"
        features.append([_number(row[i], f"{cell} '{header[i]}'") for i in feature_columns])
        labels.append(_label(row[label_column], f"{cell} '{params.label}'"))
    if not features:
        raise RecipeError(f"{source} has a header but no data rows", key="data.path")
    return Table(
        features=np.asarray(features, dtype="float32"),
        labels=np.asarray(labels, dtype=object),
        feature_names=[header[i] for i in feature_columns],
        source=source,
    )


def _rows(reader: Iterator[list[str]], source: str) -> Iterator[tuple[int, list[str]]]:
    """(the line a row starts on, the row); a quoted field may span lines. A format error
    (an unclosed quote, text after a closing quote, an oversized field) is one RecipeError
    naming the line its row starts on."""
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _format_error(str(error), line, source) from None
        yield line, row


def _format_error(reason: str, line: int, source: str) -> RecipeError:
    where = f"{source} line {line}"
    if reason.startswith("field larger than field limit"):
        return RecipeError(
            f"{where}: a field is longer than {csv.field_size_limit():,} characters",
            hint='is a quote (") left open? No number or class name is that long',
        )
    if reason == "unexpected end of data":
        return RecipeError(
            f"{where}: a quoted field is never closed",
            hint='close its quote (") or remove it',
        )
    if "expected after" in reason:  # ',' expected after '"'
        return RecipeError(
            f"{where}: text after a closing quote ({reason})",
            hint='a quoted field ends at its closing quote; write "" for a quote inside it',
        )
    return RecipeError(f"{where}: not valid CSV ({reason})")


def _check_names_distinct(header: list[str], source: str) -> None:
    """RecipeError naming a column name that appears more than once (which one is meant?)."""
    columns: dict[str, list[int]] = {}
    for number, name in enumerate(header, start=1):
        columns.setdefault(name, []).append(number)
    for name, numbers in columns.items():
        if len(numbers) > 1:
            times = "twice" if len(numbers) == 2 else f"{len(numbers)} times"
            shown = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
            raise RecipeError(
                f"{source} line 1: column '{name}' appears {times} (columns {shown})",
                key="data.path",
                hint="give each column a distinct name",
            )


def _open_encoding(encoding: str) -> str:
    """UTF-8 reads as utf-8-sig, so a byte-order mark (some editors write one) is skipped."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _not_text_error(
    data: bytes, error: UnicodeDecodeError, params: CsvParams, source: str
) -> RecipeError:
    line = data[: error.start].count(b"\n") + 1
    where = f"byte 0x{data[error.start : error.start + 1].hex()} at line {line}"
    declared = codecs.lookup(params.encoding).name != "utf-8"
    if declared:
        return RecipeError(
            f"{source} is not {params.encoding} text ({where})",
            key="data.encoding",
            hint="set data.encoding to the encoding the file was saved in",
        )
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        fix = "save it as UTF-8 or add data.encoding: utf-16 (it starts with UTF-16's mark)"
    else:
        fix = "save it as UTF-8 or add data.encoding: latin-1 (or whichever it was saved in)"
    return RecipeError(f"{source} is not UTF-8 text ({where})", key="data.path", hint=fix)


def csv_size(params: CsvParams, path: Path) -> DataSize | None:
    """The file's size on disk, and its width from the header line (all columns but the
    label, unless ``features`` lists them)."""
    with open(path, "rb") as stream:
        header = stream.readline(HEADER_LIMIT).decode("utf-8", "replace")
    columns = next(csv.reader([header]), [])
    width = len(params.features) if params.features else max(len(columns) - 1, 1)
    what = "the file's size (its text, read as numbers)"
    return DataSize(None, width, path.stat().st_size, "data.path", what)


register_table_format("csv", CsvParams, read_csv_table, csv_size)
