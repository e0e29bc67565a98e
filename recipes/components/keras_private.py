"""Every use of a private Keras name, in one place, each with the reason it is needed.

Keras 3 keeps its implementation under ``keras.src`` and marks internals with a leading
underscore; neither is a stable API, so a minor release may move or rename them. The project
reaches for them only here. :data:`PRIVATE_USES` lists each one, and
``tests/components/test_keras_private.py`` checks every one against the installed Keras, failing
with the use's name, so an upgrade that breaks one says which (pyproject.toml pins the Keras
range that is tested).
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class PrivateUse:
    """One private Keras name: where it lives, what it is, and why this project uses it."""

    module: str
    name: str
    why: str


PRIVATE_USES = (
    PrivateUse(
        "keras.src.trainers.data_adapters.array_slicing",
        "train_validation_split",
        "the compiled trainer holds out validation rows exactly as model.fit(validation_split=)"
        " does (the last part, unshuffled), so the two trainers see the same data",
    ),
    PrivateUse(
        "keras.src.trainers.trainer",
        "Trainer._symbolic_build",
        "the compiled trainer builds the model's compiled metrics and loss the way fit does "
        "before its first step; there is no public call that builds them without training",
    ),
    PrivateUse(
        "keras.src.callbacks.backup_and_restore",
        "BackupAndRestore sets model._initial_epoch",
        "the compiled trainer starts a resumed run at the epoch BackupAndRestore restored; fit "
        "reads the same attribute",
    ),
    PrivateUse(
        "keras.src.utils.module_utils",
        "tensorflow._available",
        "on JAX and torch, Keras imports TensorFlow (2.5 s here) only to ask whether it is "
        "installed; marking it absent skips that import for runs that never use it",
    ),
)


def train_validation_split(arrays: tuple[Any, ...], fraction: float) -> Any:
    """Keras' own split of ``model.fit(validation_split=fraction)``."""
    from keras.src.trainers.data_adapters.array_slicing import train_validation_split as split

    return split(arrays, fraction)


def symbolic_build(model: Any, batch: tuple[Any, Any]) -> None:
    """Build the model's compiled loss and metrics as ``fit`` does before its first step."""
    model._symbolic_build(data_batch=batch)


def initial_epoch(model: Any) -> int:
    """The epoch a ``BackupAndRestore`` callback restored (0 for a fresh run)."""
    return getattr(model, "_initial_epoch", None) or 0


def mark_tensorflow_absent() -> None:
    """Have Keras treat TensorFlow as not installed (see :data:`PRIVATE_USES`)."""
    from keras.src.utils import module_utils

    module_utils.tensorflow._available = False
