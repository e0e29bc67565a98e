"""keras-loss-recipes: loss-function tutorials as reproducible Keras 3 training recipes.

From Python or a notebook (:mod:`recipes.api`)::

    import recipes
    run = recipes.run("hinge", {"train.epochs": 5})   # a recipes.views.Run
    sweep = recipes.sweep("hinge", {"seed": range(3)})
    recipes.lab("hinge", {}, {"loss": "squared_hinge"})  # watch them train, side by side
    config = recipes.check("hinge")                    # RecipeError on a bad config
    recipes.load_run("outputs/hinge/<run-id>"), recipes.load_sweep(...)

``recipes.run`` and ``recipes.sweep`` are plain functions (:mod:`recipes.api`); the machinery
behind them lives in :mod:`recipes.training` and :mod:`recipes.sweeps`. ``recipes.datasets`` is
the top-level ``datasets/`` folder, mapped by setuptools' ``package_dir`` (setup.py) in the wheel
and in the editable install that ``make`` makes alike.

Importing this package does not import Keras: configs are validated first, then the backend is
chosen, then Keras is loaded (see :mod:`recipes.training.backend`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

# The API is light to import (no Keras, no matplotlib): these are plain functions and classes.
from recipes.api import check, lab, load_run, load_sweep, run, sweep
from recipes.errors import RecipeError
from recipes.views import Run, Sweep

__version__ = "0.1.0"
__all__ = ["run", "sweep", "check", "lab", "load_run", "load_sweep", "RecipeError", "Run", "Sweep"]

KERAS_OBJECTS_MODULE = "recipes.components.keras_objects"


def _register_keras_objects() -> None:
    try:
        importlib.import_module(KERAS_OBJECTS_MODULE)
    except Exception as error:  # never let our registration break the user's `import keras`
        warnings.warn(
            f"recipes: could not register this project's Keras objects ({error}); "
            f"import {KERAS_OBJECTS_MODULE} before loading a saved model",
            stacklevel=2,
        )


class _AfterKerasImport(importlib.abc.MetaPathFinder):
    """The one import hook that stays, and why: a plain ``keras.models.load_model(...)`` of a
    saved run must find this project's losses and metrics in any script that imports
    ``recipes``, whichever of the two it imports first, and Keras offers no hook of its own.
    This finder finds nothing itself: when ``keras`` is first imported, it wraps Keras' own
    loader so that :mod:`recipes.components.keras_objects` is imported as soon as Keras has
    finished loading (at once, when Keras is already loaded)."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        if fullname != "keras":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)  # once, and no recursion into the search below
        spec = importlib.util.find_spec("keras")
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        execute_keras = spec.loader.exec_module

        def exec_module(module: object) -> None:
            execute_keras(module)
            _register_keras_objects()

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if "keras" in sys.modules:
    _register_keras_objects()
elif not any(isinstance(finder, _AfterKerasImport) for finder in sys.meta_path):
    sys.meta_path.insert(0, _AfterKerasImport())
