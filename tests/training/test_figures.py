"""Run figures name their axes after the data's features."""

from __future__ import annotations

from types import SimpleNamespace

from recipes.report import canvas
from recipes.training.figures import label_feature_axes


def test_axes_carry_the_feature_names_and_say_when_standardized():
    plain, scaled = canvas.new_axes(), canvas.new_axes()
    names = ["age", "income"]
    label_feature_axes([plain], SimpleNamespace(feature_names=names, standardized=False))
    label_feature_axes([scaled], SimpleNamespace(feature_names=names, standardized=True))
    assert (plain.get_xlabel(), plain.get_ylabel()) == ("age", "income")
    assert scaled.get_xlabel() == "age (standardized)"
