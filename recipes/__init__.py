"""keras-loss-recipes: loss-function tutorials as reproducible Keras 3 training recipes.

From Python or a notebook (:mod:`recipes.api`)::

    import recipes
    run = recipes.run("hinge", {"train.epochs": 5})   # a recipes.views.Run
    sweep = recipes.sweep("hinge", {"seed": range(3)})
    config = recipes.check("hinge")                    # RecipeError on a bad config
    recipes.load_run("outputs/hinge/<run-id>"), recipes.load_sweep(...)

``recipes.run`` and ``recipes.sweep`` are also the packages of the run and sweep machinery;
calling them calls :func:`recipes.api.run` and :func:`recipes.api.sweep`.

Importing this package does not import Keras: configs are validated first, then the backend is
chosen, then Keras is loaded (see :mod:`recipes.run.backend`). So that a plain
``keras.models.load_model("outputs/.../model.keras")`` finds this project's losses and metrics
in any script that imports ``recipes``, whichever of the two it imports first, their module
(:mod:`recipes.components.keras_objects`) is imported right after Keras: at once when Keras is
already loaded, else by a one-time import hook that fires when Keras is.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from pathlib import Path

__version__ = "0.1.0"
__all__ = ["run", "sweep", "check", "load_run", "load_sweep", "RecipeError", "Run", "Sweep"]
_API = {"check", "load_run", "load_sweep"}
_VIEWS = {"Run", "Sweep"}


def __getattr__(name: str) -> object:
    """The API, imported on first use, so that ``import recipes`` stays light."""
    if name in ("run", "sweep"):  # packages that are callable (recipes/run/__init__.py)
        return importlib.import_module(f"recipes.{name}")
    if name in _API:
        return getattr(importlib.import_module("recipes.api"), name)
    if name in _VIEWS:
        return getattr(importlib.import_module("recipes.views"), name)
    if name == "RecipeError":
        from recipes.errors import RecipeError

        return RecipeError
    raise AttributeError(f"module 'recipes' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
    """Finds nothing itself: when ``keras`` is first imported, it wraps Keras' own loader so
    that this project's Keras objects are registered as soon as Keras has finished loading."""

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


class _DatasetsFolder(importlib.abc.MetaPathFinder):
    """In a source checkout, ``recipes.datasets`` is the project's top-level ``datasets/``
    folder (the layout the design card fixes). A wheel installs that folder as
    ``recipes/datasets/`` (setup.py), so this finder is only added when that subfolder is
    absent. Never a top-level ``datasets``: that is Hugging Face's import name."""

    folder = Path(__file__).resolve().parent.parent / "datasets"

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        if fullname != "recipes.datasets":
            return None
        return importlib.util.spec_from_file_location(
            fullname, self.folder / "__init__.py", submodule_search_locations=[str(self.folder)]
        )


_installed_datasets = Path(__file__).resolve().parent / "datasets"
if not _installed_datasets.is_dir() and (_DatasetsFolder.folder / "__init__.py").is_file():
    if not any(isinstance(finder, _DatasetsFolder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _DatasetsFolder())

if "keras" in sys.modules:
    _register_keras_objects()
elif not any(isinstance(finder, _AfterKerasImport) for finder in sys.meta_path):
    sys.meta_path.insert(0, _AfterKerasImport())
