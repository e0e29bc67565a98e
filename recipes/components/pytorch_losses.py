"""PyTorch's ``torch.nn`` losses as the MNIST tutorial calls them, written as Keras losses.

The tutorial applies every loss to its network's softmax output (probabilities), including
the losses that expect something else: ``nn.CrossEntropyLoss`` expects logits (so it softmaxes
the probabilities again), ``nn.BCEWithLogitsLoss`` expects logits (so it sigmoids the
probabilities), ``nn.KLDivLoss`` expects log-probabilities (and is given probabilities).
Keras' own losses do the right thing for a softmax output instead, so these classes compute
PyTorch's formulas on what they are given, on purpose, for ``configs/mnist_losses_tutorial.yaml``.

Reductions are PyTorch's defaults. ``reduction='mean'`` of an element-wise loss averages over
every element (batch x classes): each ``call`` below returns the mean over the last axis per
sample, and Keras' ``sum_over_batch_size`` then averages the samples, which is the same number
for rows of equal length. ``nn.CrossEntropyLoss`` and ``nn.CosineEmbeddingLoss`` give one value
per sample and average over the batch. Importing this module imports Keras; the loss registry
(:mod:`recipes.components.losses`) imports it lazily, and :mod:`recipes.components.keras_objects`
imports it so a saved ``model.keras`` reloads.
"""

from __future__ import annotations

from typing import Any

import keras

# nn.BCELoss clamps each log to >= -100 ("so that the loss is finite"; PyTorch's docs)
TORCH_BCE_LOG_FLOOR = -100.0
# nn.CosineEmbeddingLoss's epsilon under the squared norms (aten cosine_embedding_loss)
TORCH_COSINE_EPSILON = 1e-12


class _PyTorchLoss(keras.losses.Loss):
    """A Keras loss without parameters (the registry names it); subclasses define ``call``."""

    @staticmethod
    def _tensors(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
        y_pred = keras.ops.convert_to_tensor(y_pred)
        return keras.ops.cast(y_true, y_pred.dtype), y_pred


@keras.saving.register_keras_serializable(package="recipes")
class TorchCrossEntropyOnProbabilities(_PyTorchLoss):
    """``nn.CrossEntropyLoss()(p, y)`` with ``p`` the softmax output (the tutorial's double
    softmax)::

        loss(y, p) = mean over samples n of  -sum_c y_nc * log_softmax(p_n)_c

    ``log_softmax(p)_c = p_c - log(sum_k exp(p_k))``: the probabilities are treated as logits,
    so every class's score lies in [0, 1] and the loss can never go below
    ``log(1 + 9 / e) = 1.46`` on ten classes (reduction 'mean': over the batch).
    """

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_true, y_pred = self._tensors(y_true, y_pred)
        return -keras.ops.sum(y_true * keras.ops.log_softmax(y_pred, axis=-1), axis=-1)


@keras.saving.register_keras_serializable(package="recipes")
class TorchKLDivOnProbabilities(_PyTorchLoss):
    """``nn.KLDivLoss()(p, y)`` with ``p`` the probabilities where PyTorch expects
    log-probabilities (the tutorial's call)::

        loss(y, p) = mean over every element (n, c) of  y_nc * (log(y_nc) - p_nc)

    with ``0 * log(0) = 0`` (``xlogy``). Reduction 'mean' (KLDivLoss's default) averages over
    batch x classes, not over the batch ('batchmean'). On one-hot targets the loss is
    ``-mean_n(p_n,true) / classes``: its gradient is ``-1 / (batch x classes)`` on the true
    class's probability and 0 elsewhere, a tenth (on ten classes) of a linear push.
    """

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_true, y_pred = self._tensors(y_true, y_pred)
        safe = keras.ops.where(y_true > 0, y_true, keras.ops.ones_like(y_true))
        y_log_y = keras.ops.where(y_true > 0, y_true * keras.ops.log(safe), 0.0)
        return keras.ops.mean(y_log_y - y_true * y_pred, axis=-1)


@keras.saving.register_keras_serializable(package="recipes")
class TorchBinaryCrossEntropy(_PyTorchLoss):
    """``nn.BCELoss()(p, y)`` on the probabilities and one-hot targets::

        loss(y, p) = mean over every element of  -(y log(p) + (1 - y) log(1 - p))

    each log clamped to >= -100 as PyTorch does (Keras' binary cross-entropy clips ``p`` to
    [1e-7, 1 - 1e-7] instead, which stops the gradient of an output beyond the clip);
    reduction 'mean' over batch x classes.
    """

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_true, y_pred = self._tensors(y_true, y_pred)
        log_p = keras.ops.maximum(keras.ops.log(y_pred), TORCH_BCE_LOG_FLOOR)
        log_not_p = keras.ops.maximum(keras.ops.log(1.0 - y_pred), TORCH_BCE_LOG_FLOOR)
        return keras.ops.mean(-(y_true * log_p + (1.0 - y_true) * log_not_p), axis=-1)


@keras.saving.register_keras_serializable(package="recipes")
class TorchBCEWithLogitsOnProbabilities(_PyTorchLoss):
    """``nn.BCEWithLogitsLoss()(p, y)`` with ``p`` the probabilities treated as logits (the
    tutorial's call)::

        loss(y, p) = mean over every element of  -(y log(sigmoid(p)) + (1 - y) log(1 - sigmoid(p)))
                   = mean of  max(p, 0) - p y + log(1 + exp(-|p|))

    reduction 'mean' over batch x classes. The same on every backend, unlike Keras'
    ``binary_crossentropy(from_logits=True)`` on a softmax output, which TensorFlow quietly
    turns back into the pre-softmax logits.
    """

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_true, y_pred = self._tensors(y_true, y_pred)
        ops = keras.ops
        per_element = ops.relu(y_pred) - y_pred * y_true + ops.log1p(ops.exp(-ops.abs(y_pred)))
        return ops.mean(per_element, axis=-1)


@keras.saving.register_keras_serializable(package="recipes")
class TorchCosineEmbedding(_PyTorchLoss):
    """``nn.CosineEmbeddingLoss()(p, y, target=1)``: every pair (output, one-hot row) is a pair
    that should point the same way::

        loss(y, p) = mean over samples of  1 - sum(p y) / sqrt((sum p^2 + eps) (sum y^2 + eps))

    ``eps = 1e-12`` as PyTorch adds it; reduction 'mean' over the batch. It is Keras'
    ``cosine_similarity`` plus 1 (Keras returns ``-cos``): the same gradients, a loss in [0, 2].
    """

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_true, y_pred = self._tensors(y_true, y_pred)
        ops = keras.ops
        dot = ops.sum(y_pred * y_true, axis=-1)
        norms = (ops.sum(y_pred * y_pred, axis=-1) + TORCH_COSINE_EPSILON) * (
            ops.sum(y_true * y_true, axis=-1) + TORCH_COSINE_EPSILON
        )
        return 1.0 - dot / ops.sqrt(norms)
