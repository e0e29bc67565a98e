"""The package as a user's script meets it: ``import recipes`` stays light, and a run's
``model.keras`` reloads with plain ``keras.models.load_model``, whichever of ``keras`` and
``recipes`` the script imports first."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import PROJECT_ROOT

RECIPES_FIRST = """
import sys
import recipes, keras, numpy as np
from recipes.components.losses import get_loss
from recipes.components.metrics import get_metric
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.compile(loss=get_loss("focal"), metrics=[get_metric("sign_accuracy")])
model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
model.save(sys.argv[1])
reloaded = keras.models.load_model(sys.argv[1])
print(type(reloaded.loss).__name__, reloaded.loss.gamma)
"""
KERAS_FIRST = """
import sys
import keras
try:
    keras.models.load_model(sys.argv[1])
except Exception as error:
    print("without recipes:", type(error).__name__, "FocalLoss" in str(error))
import recipes
reloaded = keras.models.load_model(sys.argv[1])
print(type(reloaded.loss).__name__, reloaded.loss.gamma)
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


def test_plain_keras_load_model_finds_the_projects_objects_in_either_import_order(tmp_path):
    path = str(tmp_path / "model.keras")
    recipes_first = python(RECIPES_FIRST, path)
    assert recipes_first.returncode == 0, recipes_first.stderr[-2000:]
    assert recipes_first.stdout.split() == ["FocalLoss", "2.0"]
    keras_first = python(KERAS_FIRST, path)
    assert keras_first.returncode == 0, keras_first.stderr[-2000:]
    # The check can fail: before `import recipes` Keras does not know the focal loss.
    assert keras_first.stdout.splitlines() == ["without recipes: TypeError True", "FocalLoss 2.0"]
