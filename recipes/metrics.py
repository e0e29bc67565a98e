"""The metric registry, and the sign-based accuracy the hinge recipes need.

Keras 3's ``"accuracy"`` with -1/+1 targets thresholds predictions to 0/1 and compares them with
-1, so a perfect hinge model reports about 0.5. ``sign_accuracy`` compares signs instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pydantic

from recipes.registry import Registry

METRICS: Registry = Registry("metric")


class MetricParams(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")


class ThresholdParams(MetricParams):
    threshold: float = 0.5


class AucParams(MetricParams):
    from_logits: bool = False
    num_thresholds: int = pydantic.Field(200, ge=3)


@METRICS.register("sign_accuracy", params=MetricParams)
def make_sign_accuracy(params: MetricParams) -> Any:
    """Accuracy for -1/+1 targets: a score >= 0 predicts +1, below 0 predicts -1."""
    import keras

    from recipes.custom_objects import sign_accuracy

    return keras.metrics.MeanMetricWrapper(sign_accuracy, name="sign_accuracy")


@METRICS.register("binary_accuracy", params=ThresholdParams)
def make_binary_accuracy(params: ThresholdParams) -> Any:
    """Accuracy for 0/1 targets at ``threshold`` (use 0.0 for logit outputs)."""
    import keras

    return keras.metrics.BinaryAccuracy(name="binary_accuracy", threshold=params.threshold)


@METRICS.register("categorical_accuracy", params=MetricParams)
def make_categorical_accuracy(params: MetricParams) -> Any:
    """argmax(y_pred) == argmax(y_true), named explicitly for every loss."""
    import keras

    return keras.metrics.CategoricalAccuracy(name="categorical_accuracy")


@METRICS.register("auc", params=AucParams)
def make_auc(params: AucParams) -> Any:
    """Area under the ROC curve (``from_logits=True`` for logit outputs)."""
    import keras

    return keras.metrics.AUC(
        name="auc", from_logits=params.from_logits, num_thresholds=params.num_thresholds
    )


def get_metric(name: str, params: dict[str, Any] | MetricParams | None = None) -> Any:
    """A Keras metric instance for the named metric and its parameters."""
    entry = METRICS.entry(name)
    if not isinstance(params, pydantic.BaseModel):
        params = entry.params.model_validate(params or {})
    return entry.factory(params)


def predicted_labels(scores: np.ndarray, label_kind: str, output_kind: str) -> np.ndarray:
    """Turn raw model outputs into labels in the dataset's encoding.

    -1/+1 and logit outputs threshold at 0, probabilities at 0.5, softmax rows take the argmax
    (labels are then class indices).
    """
    scores = np.asarray(scores)
    if label_kind == "categorical" or output_kind == "softmax":
        return np.argmax(scores.reshape(len(scores), -1), axis=1)
    flat = scores.reshape(-1)
    threshold = 0.5 if output_kind == "probability" else 0.0
    positive = flat >= threshold
    if label_kind == "plus_minus_one":
        return np.where(positive, 1, -1)
    return positive.astype(int)


def true_labels(targets: np.ndarray, label_kind: str) -> np.ndarray:
    """Integer labels from targets: class index for one-hot rows, else the target itself."""
    targets = np.asarray(targets)
    if label_kind == "categorical":
        return np.argmax(targets.reshape(len(targets), -1), axis=1)
    return targets.reshape(-1).astype(int)
