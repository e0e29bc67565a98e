"""Keras objects this project defines (metrics, losses), registered for saving and reloading.

Importing this module imports Keras; the registries import it lazily, and importing ``recipes``
imports it as soon as Keras is imported, so a saved ``model.keras`` reloads with its custom
metric and loss.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import keras
import pydantic

# the MNIST tutorial's PyTorch losses: registered for reloading with this module's own
import recipes.components.pytorch_losses  # noqa: F401
from recipes.components.loss_params import FocalParams, HuberParams, SymmetricCrossEntropyParams


@keras.saving.register_keras_serializable(package="recipes")
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


def _match_rank(y_true: Any, y_pred: Any) -> Any:
    """``y_true`` reshaped like ``y_pred`` when they differ only by a trailing axis of 1.

    Labels of shape (N,) against logits of shape (N, 1) would otherwise broadcast to (N, N).
    """
    true_rank, pred_rank = len(y_true.shape), len(y_pred.shape)
    if true_rank == pred_rank - 1:
        return keras.ops.expand_dims(y_true, -1)
    if true_rank == pred_rank + 1 and y_true.shape[-1] == 1:
        return keras.ops.squeeze(y_true, -1)
    return y_true


class ConfiguredLoss(keras.losses.Loss):
    """A loss whose settings are the fields of ``settings``, the registry's parameter model
    (:mod:`recipes.components.losses`): checked and defaulted there, so the defaults are
    written once; each is an attribute here and is saved with the model."""

    settings: type[pydantic.BaseModel]

    def __init__(
        self,
        reduction: str = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **settings: Any,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        for key, value in self.settings(**settings).model_dump().items():
            setattr(self, key, value)

    def get_config(self) -> dict[str, Any]:
        fields = self.settings.model_fields
        return {**super().get_config(), **{key: getattr(self, key) for key in fields}}


@keras.saving.register_keras_serializable(package="recipes")
class FocalLoss(ConfiguredLoss):
    """Binary focal loss (Lin et al. 2017) as the focal-loss tutorial defines it::

        focal(y, p) = -alpha       * (1 - p)^gamma * log(p)        if y = 1
                      -(1 - alpha) * p^gamma       * log(1 - p)    if y = 0

    with ``p = sigmoid(y_pred)`` when ``from_logits`` (the default), averaged over the last axis
    and then over the batch. ``alpha`` weights positives and ``1 - alpha`` negatives (0.75 leans
    towards the rare positives); ``gamma`` shrinks the loss of easy, well-classified samples. For
    soft labels ``y`` in [0, 1] both branches are mixed linearly, like Keras does.

    Relation to ``keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=alpha,
    gamma=gamma)``: the same formula. Measured on Keras 3.15.1, with logits in N(0, 4) the two
    agree to 1.4e-6 (absolute). They part for saturated logits: Keras turns logits into
    probabilities and clips them to [1e-7, 1 - 1e-7] on JAX (and on TensorFlow wherever it cannot
    recover the logits), so a confidently wrong sample (y = 1, logit -30) gets a loss stuck at
    12.09 instead of 22.5 and a gradient of 2e-12 instead of -0.75: it stops learning. Hence:

    - ``from_logits=True``: computed here from log-sigmoids (``log p = -softplus(-z)``,
      ``log(1 - p) = -softplus(z)``, ``1 - p_t = sigmoid(+-z)``), exact and the same on every
      backend, with a gradient that never vanishes for wrong samples;
    - ``from_logits=False``: delegated to ``keras.losses.binary_focal_crossentropy``, which
      computes exactly this formula from probabilities (clipped to [1e-7, 1 - 1e-7]).
    """

    settings = FocalParams

    def call(self, y_true: Any, y_pred: Any) -> Any:
        ops = keras.ops
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = _match_rank(ops.cast(y_true, y_pred.dtype), y_pred)
        if not self.from_logits:
            return keras.losses.binary_focal_crossentropy(
                y_true,
                y_pred,
                apply_class_balancing=True,
                alpha=self.alpha,
                gamma=self.gamma,
                from_logits=False,
            )
        log_p = -ops.softplus(-y_pred)  # log(sigmoid(z))
        log_not_p = -ops.softplus(y_pred)  # log(1 - sigmoid(z))
        cross_entropy = -(y_true * log_p + (1 - y_true) * log_not_p)
        one_minus_p_t = y_true * ops.sigmoid(-y_pred) + (1 - y_true) * ops.sigmoid(y_pred)
        alpha_t = y_true * self.alpha + (1 - y_true) * (1 - self.alpha)
        focal = alpha_t * ops.power(one_minus_p_t, self.gamma) * cross_entropy
        return ops.mean(focal, axis=-1)


@keras.saving.register_keras_serializable(package="recipes")
class SymmetricCrossEntropy(ConfiguredLoss):
    """Symmetric cross entropy (Wang et al. 2019), binary form, as the focal-loss tutorial
    writes it::

        sce(y, p) = alpha * ce(y, p) + beta * rce(y, p)
        ce(y, p)  = -y' log(p') - (1 - y') log(1 - p')
        rce(y, p) = ce(p, y) = -p' log(y') - (1 - p') log(1 - y')

    where ``'`` means clipped to [clip, 1 - clip] (the tutorial's ``torch.clamp`` at 1e-4, so
    ``log(0)`` of a hard label becomes log(1e-4) = -9.21), averaged over the last axis and then
    over the batch. For a correct label (y = 1, p = 0.8) rce/ce = 8.2502, for a noisy one (y = 0,
    p = 0.8) 4.5786: the reverse term adds relatively more loss where labels look right.

    ``from_logits`` (default True, like :class:`FocalLoss`, because this project's binary
    models emit logits) applies a sigmoid first. No log-sigmoid trick is needed: the clip bounds
    both terms (at most -log(1e-4) = 9.21 each), which is the point of the loss (a confidently
    "wrong", possibly mislabelled, sample cannot dominate) and keeps it finite on every backend.
    Its gradient is zero once ``p`` is beyond the clip, i.e. for logits beyond +-9.21.
    """

    settings = SymmetricCrossEntropyParams

    @staticmethod
    def _cross_entropy(target: Any, output: Any) -> Any:
        return -target * keras.ops.log(output) - (1 - target) * keras.ops.log(1 - output)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        ops = keras.ops
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = _match_rank(ops.cast(y_true, y_pred.dtype), y_pred)
        probability = ops.sigmoid(y_pred) if self.from_logits else y_pred
        probability = ops.clip(probability, self.clip, 1 - self.clip)
        target = ops.clip(y_true, self.clip, 1 - self.clip)
        cross_entropy = self._cross_entropy(target, probability)
        reverse_cross_entropy = self._cross_entropy(probability, target)
        loss = self.alpha * cross_entropy + self.beta * reverse_cross_entropy
        return ops.mean(loss, axis=-1)


@keras.saving.register_keras_serializable(package="recipes")
class PseudoHuber(ConfiguredLoss):
    """Per-sample Pseudo-Huber loss, a smooth Huber: about L2 near 0, about L1 far away.

    Formula: ``mean(delta^2 * (sqrt(1 + ((y_true - y_pred) / delta)^2) - 1), axis=-1)``.
    Near the target it is ``(y_true - y_pred)^2 / 2``; far from it, ``delta * |y_true - y_pred|``
    minus a constant, so a larger ``delta`` (where the loss turns from quadratic to linear,
    > 0) makes the straight arms steeper.

    Evaluated as the equal ``r^2 / (sqrt(1 + (r / delta)^2) + 1)`` with ``r = y_true - y_pred``:
    the literal ``sqrt(...) - 1`` cancels in float32 when ``|r| << delta`` (with delta 5, about
    1e-6 absolute error, 30% relative near the target).
    """

    settings = HuberParams

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_pred = keras.ops.convert_to_tensor(y_pred)
        y_true = keras.ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
        residual = keras.ops.subtract(_match_rank(y_true, y_pred), y_pred)
        delta = keras.ops.convert_to_tensor(self.delta, dtype=y_pred.dtype)
        root = keras.ops.sqrt(1.0 + keras.ops.square(keras.ops.divide(residual, delta)))
        values = keras.ops.divide(keras.ops.square(residual), root + 1.0)
        return keras.ops.mean(values, axis=-1)


@keras.saving.register_keras_serializable(package="recipes")
class UserLoss(keras.losses.Loss):
    """A user's loss (:mod:`recipes.components.user_loss`): ``reference`` is
    ``/abs/file.py:function`` (the run folder's copy) or ``module:attribute``, ``kwargs`` its
    keyword arguments. A function gives per-sample values, a ``keras.losses.Loss`` subclass its
    ``call``; this class reduces them, so ``sample_weight`` and the reductions work as for
    Keras' own losses. A file's text (``source``) is saved with the model, so a saved model
    reloads wherever it goes, its run folder moved or copied, the file gone."""

    def __init__(
        self,
        reference: str,
        kwargs: dict[str, Any] | None = None,
        reduction: str = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        source: str | None = None,
    ) -> None:
        from recipes.components.user_loss import LossReference, load_attribute, parse_reference

        self.reference = reference
        self.kwargs = dict(kwargs or {})
        if source is None:
            found = parse_reference(reference)
            source = Path(found.target).read_text(encoding="utf-8") if found.is_file else None
        else:  # from a saved model: the text it carries, not the file
            target, _, attribute = reference.rpartition(":")
            found = LossReference(target, attribute, True)
        self.source = source
        attribute = load_attribute(found, source)
        if isinstance(attribute, type):
            if not issubclass(attribute, keras.losses.Loss):
                raise TypeError(f"{reference} is a class but not a keras.losses.Loss subclass")
            self.function = attribute(**self.kwargs).call
        else:
            self.function = functools.partial(attribute, **self.kwargs)
        super().__init__(
            name=name or reference.rpartition(":")[2], reduction=reduction, dtype=dtype
        )

    def get_config(self) -> dict[str, Any]:
        own = {"reference": self.reference, "kwargs": self.kwargs, "source": self.source}
        return {**super().get_config(), **own}

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_pred = keras.ops.convert_to_tensor(y_pred)
        y_true = keras.ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
        return self.function(_match_rank(y_true, y_pred), y_pred)
