"""``npz``: the user's own arrays in a NumPy ``.npz`` archive: ``x`` (one row of numeric
features per sample, shape (N, ...)) and ``y`` (one class value per sample, shape (N,)), as
written by ``numpy.savez(path, x=features, y=labels)``."""

from __future__ import annotations

import math
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from recipes.datasets.sizes import DataSize, arrays_size, npz_shapes
from recipes.datasets.tabular import Table, TableParams, register_table_format, resolve_data_path
from recipes.errors import RecipeError

NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integers, floats
NON_FINITE = " ({count} non-finite value(s) in all)"


class NpzParams(TableParams):
    pass


def _array(archive: np.lib.npyio.NpzFile, key: str, source: str) -> np.ndarray:
    try:
        array = archive[key]
    except ValueError as error:
        if "allow_pickle" in str(error):  # an object array, which needs pickle
            raise RecipeError(
                f"{source}: array '{key}' holds Python objects, not numbers"
            ) from None
        raise _unreadable_array(key, source, error) from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:  # e.g. a bad CRC
        raise _unreadable_array(key, source, error) from None
    if not isinstance(array, np.ndarray):  # NpzFile hands back the bytes of a non-.npy member
        raise _unreadable_array(key, source, "not a .npy array")
    return array


def _unreadable_array(key: str, source: str, reason: object) -> RecipeError:
    return RecipeError(
        f"{source}: array '{key}' cannot be read ({reason})",
        hint="write the file again with numpy.savez(path, x=features, y=labels)",
    )


def _refuse_non_finite(
    checked: np.ndarray, shown: np.ndarray, key: str, source: str, problem: str, hint: str
) -> None:
    """RecipeError naming the first value of ``checked`` (seen as rows of values) that is not
    finite, as ``shown`` holds it, with ``problem`` (its ``{count}``: how many there are)."""
    finite = np.isfinite(checked.reshape(len(checked), -1))
    if not finite.all():  # argwhere only then: on 60,000 MNIST digits it takes 0.2 s
        bad = np.argwhere(~finite)
        row, column = int(bad[0][0]), int(bad[0][1])
        value = shown.reshape(len(shown), -1)[row, column]
        where = f"{source}: array '{key}' row {row}, column {column} is {value}"
        raise RecipeError(where + problem.format(count=len(bad)), hint=hint)


def _as_float32(features: np.ndarray, source: str) -> np.ndarray:
    """The (finite) features as float32; RecipeError for a value beyond float32's range: it
    would become infinity, and standardizing would turn its whole column into NaN."""
    with np.errstate(over="ignore"):
        converted = features.astype("float32")
    largest = np.finfo(np.float32).max
    problem = f", beyond float32's range (±{largest:.1e}; {{count}} such value(s) in all)"
    _refuse_non_finite(converted, features, "x", source, problem, "rescale the features")
    return converted


def checked_rows(
    features: np.ndarray, labels: np.ndarray, source: str, names: tuple[str, str] = ("x", "y")
) -> np.ndarray:
    """The labels as one value per row; RecipeError for a wrong shape, type or value, naming
    the arrays as ``names`` (the npz dataset's x and y; MNIST's x_train and y_train, ...)."""
    x, y = names
    if features.dtype.kind not in NUMERIC_KINDS:
        raise RecipeError(f"{source}: array '{x}' holds {features.dtype}, not numbers")
    if features.ndim < 2 or len(features) == 0 or features[0].size == 0:
        raise RecipeError(
            f"{source}: array '{x}' has shape {features.shape}; it needs one row per sample, "
            "shape (N, features)"
        )
    if features.dtype.kind in "fc":  # whole numbers are never NaN: no pass over MNIST's bytes
        _refuse_non_finite(
            features, features, x, source, NON_FINITE, "fill them in or drop the rows"
        )
    labels = labels.reshape(-1) if labels.ndim == 2 and labels.shape[1] == 1 else labels
    if labels.ndim != 1 or len(labels) != len(features):
        raise RecipeError(
            f"{source}: array '{y}' has shape {labels.shape}; it needs one class value per row "
            f"of '{x}', shape ({len(features)},)"
        )
    if labels.dtype.kind in "fc":
        _refuse_non_finite(labels, labels, y, source, NON_FINITE, "fill them in or drop the rows")
    elif labels.dtype.kind not in NUMERIC_KINDS + "US":
        raise RecipeError(f"{source}: array '{y}' holds {labels.dtype}, not class values")
    return labels


def read_npz(path: Path, keys: Sequence[str], source: str) -> list[np.ndarray]:
    """The arrays ``keys`` of the ``.npz`` file at ``path`` (``source``: the file as the user
    named it), read without pickle; RecipeError (one line) for a file that is not a ``.npz``, the
    arrays it lacks or one that cannot be read. MNIST's Keras-layout files are read here too."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise RecipeError(f"{source} is not a NumPy .npz file ({error})", key="data.path") from None
    savez = f"numpy.savez(path, {', '.join(f'{key}=...' for key in keys)})"
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise RecipeError(f"{source} holds one array", key="data.path", hint=f"write {savez}")
    with archive:
        missing = [key for key in keys if key not in archive.files]
        if missing:
            raise RecipeError(
                f"{source} lacks the array(s) {', '.join(missing)} (it holds: "
                f"{', '.join(archive.files)})",
                key="data.path",
                hint=f"write it with {savez}",
            )
        return [_array(archive, key, source) for key in keys]


def read_npz_table(params: NpzParams) -> Table:
    """``x`` (float32) and ``y``; RecipeError naming the array and row of the first problem."""
    source = params.path
    features, labels = read_npz(resolve_data_path(source), ("x", "y"), source)
    labels = checked_rows(features, labels, source)
    labels = np.asarray([value.item() for value in labels], dtype=object)
    return Table(_as_float32(features, source), labels, [], source)  # the Split's x1, x2, ...


def npz_size(params: NpzParams, path: Path) -> DataSize | None:
    """From the header of ``x`` (no data read)."""
    shape = npz_shapes(path).get("x") or (0, 0)  # no x: the check names the problem
    return arrays_size(shape[0], math.prod(shape[1:]), 1, "data.path")


register_table_format("npz", NpzParams, read_npz_table, npz_size)
