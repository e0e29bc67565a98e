"""The dataset registry and the :class:`Split` every generator returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pydantic

from recipes.components.labels import LabelKind
from recipes.errors import RecipeError
from recipes.registry import Registry

DATASETS: Registry = Registry("dataset")


class DatasetParams(pydantic.BaseModel):
    """Base of every dataset's parameter schema: unknown keys are errors."""

    model_config = pydantic.ConfigDict(extra="forbid")


@dataclass
class Split:
    """Train/test arrays plus what the runner needs to score and plot them.

    ``label_kind`` says how ``y`` is encoded: ``plus_minus_one`` (-1/+1, for hinge losses),
    ``binary`` (0/1) or ``categorical`` (one-hot rows). ``x_val``/``y_val`` are set when the
    dataset defines its own validation split; otherwise the runner uses ``validation_split``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    label_kind: LabelKind
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    feature_names: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.feature_names:  # x1, x2, ...: as the tutorials name their axes
            count = int(np.prod(self.x_train.shape[1:]))
            self.feature_names = [f"x{index}" for index in range(1, count + 1)]

    def summary(self) -> dict[str, Any]:
        """Sizes and label counts, for run.json."""
        sizes = {"train": len(self.x_train), "test": len(self.x_test)}
        if self.x_val is not None:
            sizes["validation"] = len(self.x_val)
        return {"label_kind": self.label_kind, "sizes": sizes, **self.info}


def build_dataset(
    name: str,
    params: dict[str, Any] | DatasetParams,
    seed: int,
    labels: LabelKind | None = None,
) -> Split:
    """Build the named dataset from (validated) parameters and the run's seed. A dataset
    registered with ``labels_from_loss=True`` (the user's own files) encodes its classes as
    ``labels`` says (what the run's loss declares); the others have their own encoding."""
    if not DATASETS.entry(name).info.get("labels_from_loss"):
        return DATASETS.build(name, params, seed)
    if labels is None:
        raise RecipeError(f"dataset '{name}' encodes its classes as the loss needs: name a loss")
    return DATASETS.build(name, params, seed, labels)


def check_dataset(name: str, params: dict[str, Any], labels: LabelKind) -> int | None:
    """Run the dataset's own check (registered as ``check=``, e.g. reading the user's file)
    before any run folder exists: RecipeError names the problem; returns the number of
    classes it found (None for a dataset without a check)."""
    check = DATASETS.entry(name).info.get("check")
    return None if check is None else check(DATASETS.validated(name, params), labels)


def data_files(name: str, params: dict[str, Any] | DatasetParams) -> list[Path]:
    """Every file the named dataset reads with these (resolved config's) parameters, found as
    its loader finds them: the user's CSV or npz file, MNIST's npz or IDX files (source
    ``path``, or a Keras cache file when present); ``[]`` for a generator. A run records these
    files' fingerprints so a resume can tell that its data changed. A dataset names its files
    by registering ``files=`` (a function of its validated parameters)."""
    files = DATASETS.entry(name).info.get("files")
    return [] if files is None else [Path(p) for p in files(DATASETS.validated(name, params))]
