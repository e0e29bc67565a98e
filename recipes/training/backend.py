"""The Keras backend, chosen before Keras is imported, and the library versions a run records."""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import platform
import sys

from recipes.errors import RecipeError
from recipes.keras_environment import prepare_keras

# what run.json records; the compiled trainer's program cache is keyed by them too
LIBRARIES = (
    "keras",
    "tensorflow",
    "jax",
    "jaxlib",
    "torch",
    "numpy",
    "ml_dtypes",
    "scikit-learn",
    "mlxtend",
    "matplotlib",
)


def select_backend(backend: str) -> None:
    """Make Keras use ``backend``; must run before the first ``import keras``."""
    if importlib.util.find_spec(backend) is None:  # each backend is its module's name
        extra = (
            " Install it with: .venv/bin/pip install -e '.[torch]'" if backend == "torch" else ""
        )
        raise RecipeError(f"backend '{backend}' is not installed.{extra}")
    refuse_other_backend(backend)
    prepare_keras(backend)


def refuse_other_backend(wanted: str) -> None:
    """One clear error, before any folder is made, when this process already runs Keras on
    another backend (a kernel keeps the backend of its first run or ``import keras``)."""
    if "keras" not in sys.modules:
        return
    loaded = sys.modules["keras"].backend.backend()
    if loaded != wanted:
        raise RecipeError(
            f"this process already runs Keras on '{loaded}' (chosen by its first run or import "
            f"of Keras), and Keras cannot switch backends; to use '{wanted}', start a new "
            f"process (in a notebook: restart the kernel), or choose backend '{loaded}'",
            key="backend",
        )


@functools.cache
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
