"""``csv``: the user's own CSV file, one row per sample: numeric feature columns and a label
column (any class values: numbers or names).

Read with the standard ``csv`` module rather than ``numpy.genfromtxt`` (which turns a bad cell
into a silent NaN) or pandas (not a dependency), so every problem names its line and column.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pydantic

from datasets.tabular import Table, TableParams, register_table_format, resolve_data_path
from recipes.errors import RecipeError

MISSING_TEXTS = {"", "nan", "na", "n/a", "null", "none"}


class CsvParams(TableParams):
    label: str = pydantic.Field("label", description="the column holding each row's class")
    features: list[str] | None = pydantic.Field(
        None, description="the feature columns, in order (None: every column but the label)"
    )


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
    return value


def _columns(header: list[str], params: CsvParams, source: str) -> list[int]:
    """Indices of the feature columns; RecipeError naming a missing column."""
    listed = f"its columns: {', '.join(header)}"
    if params.label not in header:
        raise RecipeError(f"{source} has no column '{params.label}'", key="data.label", hint=listed)
    names = params.features or [name for name in header if name != params.label]
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
    first bad cell."""
    path, source = resolve_data_path(params.path), params.path
    with open(path, newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(stream)
        header = [name.strip() for name in next(reader, [])]
        if not header:
            raise RecipeError(
                f"{source} is empty", key="data.path", hint="its first line names the columns"
            )
        feature_columns = _columns(header, params, source)
        label_column = header.index(params.label)
        features, labels = [], []
        for line, row in enumerate(reader, start=2):
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


register_table_format("csv", CsvParams, read_csv_table, "The CSV's rows")
