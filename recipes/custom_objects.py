"""Keras objects this project defines (metrics, losses), registered for saving and reloading.

Importing this module imports Keras; the registries import it lazily. ``load_model`` imports it
first, so a saved ``model.keras`` reloads with its custom metric and loss.
"""

from __future__ import annotations

from typing import Any

import keras


@keras.saving.register_keras_serializable(package="recipes", name="sign_accuracy")
def sign_accuracy(y_true: Any, y_pred: Any) -> Any:
    """Per-sample ``sign(y_pred) == sign(y_true)`` for -1/+1 targets (a score of 0 counts as +1).

    Keras 3's ``"accuracy"`` thresholds predictions to 0/1 and compares them with -1, so a
    perfect hinge model would report about 0.5.
    """
    y_true = keras.ops.reshape(keras.ops.convert_to_tensor(y_true), (-1,))
    y_pred = keras.ops.reshape(keras.ops.convert_to_tensor(y_pred), (-1,))
    predicted_positive = keras.ops.greater_equal(y_pred, 0)
    true_positive = keras.ops.greater(y_true, 0)
    return keras.ops.cast(keras.ops.equal(predicted_positive, true_positive), "float32")


def load_model(path: str) -> keras.Model:
    """Reload a run's ``model.keras`` with this project's custom objects available."""
    return keras.saving.load_model(path)
