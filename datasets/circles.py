"""Two concentric circles (scikit-learn ``make_circles``) with -1/+1 targets, as in the hinge
tutorial: 1,000 samples, ``factor=0.1``, the first 250 held out for testing."""

from __future__ import annotations

import numpy as np
import pydantic

from recipes.datasets.base import DATASETS, DatasetParams, Split
from recipes.datasets.sizes import DataSize, arrays_size


class CirclesParams(DatasetParams):
    n_samples: int = pydantic.Field(1000, ge=10, description="points in both circles together")
    factor: float = pydantic.Field(
        0.1, gt=0, lt=1, description="inner circle radius / outer radius"
    )
    noise: float | None = pydantic.Field(None, ge=0, description="Gaussian noise std (None: none)")
    test_size: int = pydantic.Field(
        250, ge=1, description="the first N samples become the test set"
    )

    @pydantic.model_validator(mode="after")
    def _test_size_fits(self) -> CirclesParams:
        if self.test_size >= self.n_samples:
            raise ValueError(
                f"test_size ({self.test_size}) must be smaller than n_samples ({self.n_samples})"
            )
        return self


def circles_size(params: CirclesParams) -> DataSize:
    return arrays_size(params.n_samples, 2, 1, "data.n_samples")


@DATASETS.register("circles", params=CirclesParams, size=circles_size)
def make_circles_plus_minus_one(params: CirclesParams, seed: int) -> Split:
    """``make_circles`` with class 0 (outer circle) mapped to -1 and class 1 (inner) to +1."""
    from sklearn.datasets import make_circles

    features, labels = make_circles(
        n_samples=params.n_samples, factor=params.factor, noise=params.noise, random_state=seed
    )
    targets = np.where(labels == 0, -1, 1).astype("float32")
    features = features.astype("float32")
    test = slice(0, params.test_size)
    train = slice(params.test_size, None)
    return Split(
        x_train=features[train],
        y_train=targets[train],
        x_test=features[test],
        y_test=targets[test],
        label_kind="plus_minus_one",
        info={"class_names": {-1: "outer circle (-1)", 1: "inner circle (+1)"}},
    )
