"""The environment Keras reads when it is first imported: which backend, and JAX's on-disk
compilation cache.

At the bottom of the package (it imports nothing of the project), so that both the run
(:func:`recipes.training.backend.select_backend`) and the config's check, which may have to execute
a user's loss file that does ``import keras``, load Keras with the backend the config resolves.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BACKENDS = ("tensorflow", "jax", "torch")


def prepare_keras(backend: str | None) -> None:
    """Point the first ``import keras`` at ``backend``; nothing once Keras is loaded (the
    run's backend check then names any mismatch) or when ``backend`` is not one Keras knows
    (the config's validation names that)."""
    if backend not in BACKENDS or "keras" in sys.modules:
        return
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if backend == "jax":  # compiled programs kept on disk: a recipe run again skips compiling
        # (measured here: the hinge fit's compile of about 1.3 s, and the evaluation's). The
        # cache is keyed by program, JAX version and device; $JAX_COMPILATION_CACHE_DIR moves
        # it, an empty string turns it off.
        os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(cache_home() / "jax"))
        os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")


def cache_home() -> Path:
    """This project's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "keras-loss-recipes"


def program_cache_folder() -> Path | None:
    """Where the compiled trainer keeps its exported programs (:mod:`recipes.training.programs`):
    $RECIPES_PROGRAM_CACHE_DIR (an empty string turns it off), else beside JAX's cache."""
    value = os.environ.get("RECIPES_PROGRAM_CACHE_DIR")
    if value is None:
        return cache_home() / "programs"
    return Path(value) if value else None
