"""The package as a user's script meets it: ``import recipes`` stays light, and a run's
``model.keras`` reloads with plain ``keras.models.load_model``, whichever of ``keras`` and
``recipes`` the script imports first."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT

SAVE_MODEL = """
import sys, keras, numpy as np
from recipes.components.losses import get_loss
from recipes.components.metrics import get_metric
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.compile(loss=get_loss("focal"), metrics=[get_metric("sign_accuracy")])
model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
model.save(sys.argv[1])
"""
LOAD_MODEL = {
    "recipes first": "import recipes, keras",
    "keras first": "import keras, recipes",
}
LOAD_TAIL = """
import sys
model = keras.models.load_model(sys.argv[1])
print(type(model.loss).__name__, model.loss.gamma)
"""


def python(code: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "KERAS_BACKEND": "jax"},
    )


def test_import_recipes_loads_neither_keras_nor_a_backend():
    result = python(
        "import sys, recipes, recipes.config.resolve, recipes.plugins, datasets;"
        "print(sorted({'keras', 'tensorflow', 'jax', 'torch', 'matplotlib'} & set(sys.modules)))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.keras"
    result = python(SAVE_MODEL, str(path))
    assert result.returncode == 0, result.stderr[-2000:]
    return path


@pytest.mark.parametrize("order", LOAD_MODEL)
def test_plain_keras_load_model_finds_the_projects_objects(saved_model, order):
    result = python(LOAD_MODEL[order] + LOAD_TAIL, str(saved_model))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["FocalLoss", "2.0"]


def test_without_recipes_keras_cannot_find_them(saved_model):
    """The check above can fail: without ``import recipes`` the focal loss is unknown."""
    result = python("import keras" + LOAD_TAIL, str(saved_model))
    assert result.returncode != 0 and "FocalLoss" in result.stderr
