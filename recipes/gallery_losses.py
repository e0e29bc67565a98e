"""Losses the loss gallery draws that Keras does not ship: the Pseudo-Huber loss.

Importing this module imports Keras; the loss registry (:mod:`recipes.losses`) imports it lazily,
so ``pseudo_huber`` is a real, trainable, serializable loss like every other registry entry.
"""

from __future__ import annotations

from typing import Any

import keras


@keras.saving.register_keras_serializable(package="recipes", name="pseudo_huber")
def pseudo_huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Per-sample Pseudo-Huber loss, a smooth Huber: about L2 near 0, about L1 far away.

    Formula: ``mean(delta^2 * (sqrt(1 + ((y_true - y_pred) / delta)^2) - 1), axis=-1)``.
    Near the target it is ``(y_true - y_pred)^2 / 2``; far from it, ``delta * |y_true - y_pred|``
    minus a constant, so a larger ``delta`` makes the straight arms steeper.
    """
    y_pred = keras.ops.convert_to_tensor(y_pred)
    y_true = keras.ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    delta = keras.ops.convert_to_tensor(delta, dtype=y_pred.dtype)
    scaled = keras.ops.divide(keras.ops.subtract(y_true, y_pred), delta)
    values = keras.ops.square(delta) * (keras.ops.sqrt(1.0 + keras.ops.square(scaled)) - 1.0)
    return keras.ops.mean(values, axis=-1)


@keras.saving.register_keras_serializable(package="recipes", name="PseudoHuber")
class PseudoHuber(keras.losses.LossFunctionWrapper):
    """Pseudo-Huber loss: ``mean(delta^2 * (sqrt(1 + ((y_true - y_pred) / delta)^2) - 1))``.

    Args:
        delta: where the loss turns from quadratic to linear (> 0).
        reduction, name, dtype: as for every ``keras.losses.Loss``.
    """

    def __init__(
        self,
        delta: float = 1.0,
        reduction: str | None = "sum_over_batch_size",
        name: str = "pseudo_huber",
        dtype: Any = None,
    ) -> None:
        if not delta > 0:
            raise ValueError(f"PseudoHuber: delta must be > 0, got {delta}")
        super().__init__(pseudo_huber, name=name, reduction=reduction, dtype=dtype, delta=delta)
        self.delta = float(delta)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction, "delta": self.delta}
