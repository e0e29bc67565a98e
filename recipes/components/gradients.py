"""How hard a loss pushes: its gradient with respect to the model's output, on any backend.

One small helper, because Keras 3 has no backend-neutral ``grad``: JAX differentiates with
``jax.grad``, TensorFlow records a ``GradientTape``, PyTorch runs autograd. Used by the
pre-flight check of a user's loss and by the loss gallery's derivative curves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def output_gradient(
    loss: Callable[[Any, Any], Any], y_true: np.ndarray, y_pred: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(per-sample values, d sum(values) / d y_pred) of ``loss(y_true, y_pred)`` as NumPy
    arrays; the gradient of a sum gives each point its own derivative."""
    import keras

    y_true = np.asarray(y_true, dtype="float32")
    y_pred = np.asarray(y_pred, dtype="float32")
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        def total(outputs: Any) -> Any:
            values = loss(y_true, outputs)
            return keras.ops.sum(values), values

        (_, values), gradient = jax.value_and_grad(total, has_aux=True)(y_pred)
    elif backend == "tensorflow":
        import tensorflow as tf

        outputs = tf.constant(y_pred)
        with tf.GradientTape() as tape:
            tape.watch(outputs)
            values = loss(y_true, outputs)
            summed = tf.reduce_sum(values)
        gradient = tape.gradient(summed, outputs)
    elif backend == "torch":
        import torch

        outputs = torch.tensor(y_pred, requires_grad=True)
        values = loss(torch.tensor(y_true), outputs)
        (gradient,) = torch.autograd.grad(values.sum(), outputs)
        values = values.detach()
    else:
        raise ValueError(f"no gradient helper for the '{backend}' backend")
    if gradient is None:  # TensorFlow: the values do not depend on the outputs
        gradient = np.zeros_like(y_pred)
    return keras.ops.convert_to_numpy(values), keras.ops.convert_to_numpy(gradient)
