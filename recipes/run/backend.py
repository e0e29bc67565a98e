"""The Keras backend, chosen before Keras is imported, and the library versions a run records."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import sys
from pathlib import Path

from recipes.errors import RecipeError

BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
LIBRARIES = (
    "keras",
    "tensorflow",
    "jax",
    "torch",
    "numpy",
    "scikit-learn",
    "mlxtend",
    "matplotlib",
)


def select_backend(backend: str) -> None:
    """Make Keras use ``backend``; must run before the first ``import keras``."""
    if importlib.util.find_spec(BACKEND_MODULES[backend]) is None:
        extra = (
            " Install it with: .venv/bin/pip install -e '.[torch]'" if backend == "torch" else ""
        )
        raise RecipeError(f"backend '{backend}' is not installed.{extra}")
    if "keras" in sys.modules:
        import keras

        loaded = keras.backend.backend()
        if loaded != backend:
            raise RecipeError(
                f"Keras is already loaded with the '{loaded}' backend in this process; "
                f"run '{backend}' in a new process (python -m recipes run ... --backend {backend})"
            )
        return
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if backend == "jax":
        use_jax_compilation_cache()


def use_jax_compilation_cache() -> None:
    """Keep JAX's compiled programs on disk, so a recipe run again (or a sweep's next
    process) skips compiling: measured here, the hinge fit's compile of about 1.3 s and the
    evaluation's. The cache is keyed by the program, JAX version and device; set
    $JAX_COMPILATION_CACHE_DIR to move it, or to an empty string to turn it off."""
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    os.environ.setdefault(
        "JAX_COMPILATION_CACHE_DIR", str(cache_home / "keras-loss-recipes" / "jax")
    )
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def leave_tensorflow_unloaded() -> None:
    """On the JAX and PyTorch backends, have Keras treat TensorFlow as absent unless it is
    already loaded.

    Keras asks ``tf.available`` (which imports TensorFlow, 2.5 s here) in
    ``keras.utils.set_random_seed`` (to seed ``tf.data``) and when it serializes a model (to
    recognise a ``tf.TensorShape``); neither can matter to a run that never loaded
    TensorFlow. Measured on the hinge recipe on JAX: 2.5 s less per run, same metrics."""
    import keras

    from recipes.components.keras_private import mark_tensorflow_absent

    if keras.backend.backend() != "tensorflow" and "tensorflow" not in sys.modules:
        mark_tensorflow_absent()
