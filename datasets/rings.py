"""Two noisy concentric rings, imbalanced on purpose, as in the focal-loss tutorial (001_*.txt).

Positives (label 1) lie on a ring of radius 5 + N(0, 1), negatives (label 0) on a ring of radius
8 + N(0, 1), angles uniform on [0, 2 pi). The tutorial draws 1,000 positives and 6,000 negatives
and splits them 70/30 into training and validation data (4,900 / 2,100 points), exactly as here.
Validation drives early stopping, so the final numbers come from a separate test sample drawn
from the same distribution after the tutorial's points: ``test_fraction`` times as many positives
and negatives (0.2: 200 + 1,200). Changing ``test_fraction`` leaves the training and validation
data unchanged.

Difference from the tutorial: the 70/30 split is stratified (both parts keep the 1:6 class
ratio; ``torch.utils.data.random_split`` does not).
"""

from __future__ import annotations

import numpy as np
import pydantic

from recipes.datasets.base import DATASETS, DatasetParams, Split
from recipes.datasets.sizes import DataSize, arrays_size


class RingsParams(DatasetParams):
    n_positive: int = pydantic.Field(
        1000, ge=2, description="training + validation points on the inner ring (label 1)"
    )
    n_negative: int = pydantic.Field(
        6000, ge=2, description="training + validation points on the outer ring (label 0)"
    )
    positive_radius: float = pydantic.Field(5.0, gt=0, description="mean radius of the inner ring")
    negative_radius: float = pydantic.Field(8.0, gt=0, description="mean radius of the outer ring")
    radius_noise: float = pydantic.Field(1.0, ge=0, description="std of the Gaussian radius noise")
    validation_fraction: float = pydantic.Field(
        0.3, gt=0, lt=1, description="share of n_positive + n_negative used for validation"
    )
    test_fraction: float = pydantic.Field(
        0.2, gt=0, le=1, description="extra test points, as a share of each class's count"
    )

    def test_counts(self) -> tuple[int, int]:
        """Positives and negatives of the separate test sample."""
        return round(self.n_positive * self.test_fraction), round(
            self.n_negative * self.test_fraction
        )

    @pydantic.model_validator(mode="after")
    def _splits_not_empty(self) -> RingsParams:
        smallest = min(self.n_positive, self.n_negative)
        validation = smallest * self.validation_fraction
        train = smallest - validation
        if min(*self.test_counts(), validation, train) < 1:
            raise ValueError(
                f"too few points ({self.n_positive} positive, {self.n_negative} negative) for "
                f"test_fraction {self.test_fraction} and validation_fraction "
                f"{self.validation_fraction}: every split needs points of both classes"
            )
        return self


def sample_ring(
    count: int, radius: float, noise: float, generator: np.random.Generator
) -> np.ndarray:
    """``count`` points at radius ``radius + N(0, noise)`` and a uniform angle, shape (count, 2)."""
    radii = radius + noise * generator.standard_normal(count)
    angles = 2 * np.pi * generator.random(count)
    return np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)


def _draw(
    params: RingsParams, n_positive: int, n_negative: int, generator: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Positives on the inner ring, then negatives on the outer ring (float32, labels 1/0)."""
    noise = params.radius_noise
    positive = sample_ring(n_positive, params.positive_radius, noise, generator)
    negative = sample_ring(n_negative, params.negative_radius, noise, generator)
    features = np.concatenate([positive, negative]).astype("float32")
    labels = np.concatenate([np.ones(n_positive), np.zeros(n_negative)]).astype("float32")
    return features, labels


def rings_size(params: RingsParams) -> DataSize:
    positive, negative = params.n_positive, params.n_negative
    samples = positive + negative + sum(params.test_counts())
    key = "data.n_negative" if negative >= positive else "data.n_positive"
    return arrays_size(samples, 2, 1, key)


@DATASETS.register("rings", params=RingsParams, size=rings_size)
def make_rings(params: RingsParams, seed: int) -> Split:
    """Imbalanced two-ring data with 0/1 labels: the tutorial's points split 70/30 (stratified)
    into training and validation data, plus a separate test sample."""
    from sklearn.model_selection import train_test_split

    generator = np.random.default_rng(seed)
    features, labels = _draw(params, params.n_positive, params.n_negative, generator)
    x_test, y_test = _draw(params, *params.test_counts(), generator)  # drawn after: independent
    x_train, x_val, y_train, y_val = train_test_split(
        features,
        labels,
        test_size=params.validation_fraction,
        stratify=labels,
        random_state=seed,
    )
    return Split(
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        x_val=x_val,
        y_val=y_val,
        label_kind="binary",
        info={
            "class_names": {0: "outer ring (0)", 1: "inner ring (1)"},
            "positive_share": params.n_positive / (params.n_positive + params.n_negative),
        },
    )
