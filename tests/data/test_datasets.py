"""Datasets: the right package, shapes, label sets, determinism per seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_ROOT

from recipes import datasets
from recipes.datasets import DATASETS, build_dataset
from recipes.errors import RecipeError


def test_import_datasets_is_this_project_not_hugging_face():
    assert Path(datasets.__file__).resolve() == PROJECT_ROOT / "datasets" / "__init__.py"
    assert hasattr(datasets, "DATASETS")


def test_circles_shapes_labels_and_split():
    split = build_dataset("circles", {}, seed=0)
    assert split.x_train.shape == (750, 2) and split.x_test.shape == (250, 2)
    assert split.x_train.dtype == np.float32
    assert set(np.unique(split.y_train)) == {-1.0, 1.0}
    assert set(np.unique(split.y_test)) == {-1.0, 1.0}
    assert split.label_kind == "plus_minus_one"
    radii = np.hypot(split.x_test[:, 0], split.x_test[:, 1])
    # factor 0.1, no noise: the inner circle (+1) has radius 0.1, the outer (-1) radius 1
    np.testing.assert_allclose(radii[split.y_test == 1], 0.1, atol=1e-5)
    np.testing.assert_allclose(radii[split.y_test == -1], 1.0, atol=1e-5)


def test_circles_is_deterministic_per_seed():
    first, again = build_dataset("circles", {}, seed=4), build_dataset("circles", {}, seed=4)
    other = build_dataset("circles", {}, seed=5)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.x_train, other.x_train)


def test_circles_parameters():
    split = build_dataset("circles", {"n_samples": 100, "test_size": 20, "noise": 0.05}, seed=0)
    assert len(split.x_train) == 80 and len(split.x_test) == 20


def test_unknown_dataset_suggests():
    with pytest.raises(RecipeError, match="unknown dataset 'circle'. Did you mean 'circles'?"):
        DATASETS.get("circle")
