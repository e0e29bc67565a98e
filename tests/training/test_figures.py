"""Run figures name their axes after the data's features."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from recipes.datasets import Split  # noqa: E402
from recipes.training.figures import label_feature_axes  # noqa: E402


def two_feature_split(**info) -> Split:
    features, targets = np.zeros((4, 2), "float32"), np.array([0.0, 1.0, 0.0, 1.0])
    return Split(
        features, targets, features, targets, "binary", feature_names=["age", "income"], info=info
    )


def test_axes_carry_the_feature_names_and_say_when_standardized():
    figure, (plain, scaled) = plt.subplots(1, 2)
    label_feature_axes([plain], two_feature_split())
    label_feature_axes([scaled], two_feature_split(standardization={"mean": [0, 0]}))
    assert (plain.get_xlabel(), plain.get_ylabel()) == ("age", "income")
    assert scaled.get_xlabel() == "age (standardized)"
    plt.close(figure)
