"""How big a dataset will be, estimated from its config before anything is generated or read:
samples, features per sample, and the bytes its arrays take as the run holds them (float32).

Each dataset registers its own estimate (``size=``, a function of its validated parameters):
generators count from their parameters (samples x (features + targets) x 4 bytes), MNIST from
its known sizes, the user's files from what can be read cheaply: a CSV's size on disk (the least
its rows take once read) and its header line, a ``.npz``'s array headers (shapes without the
data). :mod:`recipes.config.sizes` compares the estimate with this machine's memory.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recipes.datasets.base import DATASETS

FLOAT32_BYTES = 4


@dataclass(frozen=True)
class DataSize:
    """A dataset's estimated size. ``key`` is the parameter that sets it (for messages)."""

    samples: int | None  # None when unknown (a CSV's rows are not counted)
    features: int | None  # values per sample the model reads; None when unknown
    bytes: int
    key: str
    what: str  # how the bytes were counted, e.g. "10,000 samples x 3 values as float32"


def arrays_size(samples: int, features: int, targets: int, key: str) -> DataSize:
    values = features + targets
    what = f"{samples:,} samples x {values} values as float32"
    return DataSize(samples, features, samples * values * FLOAT32_BYTES, key, what)


def npz_shapes(path: Path) -> dict[str, tuple[int, ...]]:
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


def estimate_dataset_size(name: str, params: Any) -> DataSize | None:
    """The named dataset's estimated size from its validated parameters (None: no estimate,
    e.g. a dataset that registers none, or a file its own check will report missing)."""
    estimate = DATASETS.entry(name).info.get("size")
    return None if estimate is None else estimate(DATASETS.validated(name, params))
