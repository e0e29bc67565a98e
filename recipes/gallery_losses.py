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

    Evaluated as the equal ``r^2 / (sqrt(1 + (r / delta)^2) + 1)`` with ``r = y_true - y_pred``:
    the literal ``sqrt(...) - 1`` cancels in float32 when ``|r| << delta`` (with delta 5, about
    1e-6 absolute error, 30% relative near the target).
    """
    y_pred = keras.ops.convert_to_tensor(y_pred)
    y_true = keras.ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    delta = keras.ops.convert_to_tensor(delta, dtype=y_pred.dtype)
    residual = keras.ops.subtract(y_true, y_pred)
    root = keras.ops.sqrt(1.0 + keras.ops.square(keras.ops.divide(residual, delta)))
    values = keras.ops.divide(keras.ops.square(residual), root + 1.0)
    return keras.ops.mean(values, axis=-1)


@keras.saving.register_keras_serializable(package="recipes", name="PseudoHuber")
class PseudoHuber(keras.losses.Loss):
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
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.delta = float(delta)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_pred = keras.ops.convert_to_tensor(y_pred)
        y_true = keras.ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
        y_true, y_pred = _same_rank(y_true, y_pred)
        return pseudo_huber(y_true, y_pred, self.delta)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction, "delta": self.delta}


def _same_rank(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """Keras' own shape rule for losses: when the ranks differ by one and the larger has a last
    axis of 1, a rank-1 tensor gets that axis added, otherwise the larger loses it. So labels of
    shape (N,) against predictions of shape (N, 1) give N per-sample values, not a broadcast."""
    for first, second in ((0, 1), (1, 0)):
        pair = [y_true, y_pred]
        larger, smaller = pair[first], pair[second]
        if len(larger.shape) == len(smaller.shape) + 1 and larger.shape[-1] == 1:
            if len(smaller.shape) == 1:
                pair[second] = keras.ops.expand_dims(smaller, axis=-1)
            else:
                pair[first] = keras.ops.squeeze(larger, axis=-1)
            return pair[0], pair[1]
    return y_true, y_pred
