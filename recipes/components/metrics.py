"""The metric registry, with the sign-based accuracy the hinge recipes need
(:func:`recipes.components.keras_objects.sign_accuracy` says why)."""

from __future__ import annotations

from typing import Any

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

    from recipes.components.keras_objects import sign_accuracy

    return keras.metrics.MeanMetricWrapper(sign_accuracy, name="sign_accuracy")


# Accuracy for 0/1 targets at ``threshold`` (use 0.0 for logit outputs).
METRICS.register_class("binary_accuracy", "keras.metrics:BinaryAccuracy", params=ThresholdParams)
# argmax(y_pred) == argmax(y_true), named explicitly for every loss.
METRICS.register_class(
    "categorical_accuracy", "keras.metrics:CategoricalAccuracy", params=MetricParams
)
# Area under the ROC curve (``from_logits=True`` for logit outputs).
METRICS.register_class("auc", "keras.metrics:AUC", params=AucParams)


def get_metric(name: str, params: dict[str, Any] | MetricParams | None = None) -> Any:
    """A Keras metric instance for the named metric and its parameters."""
    return METRICS.build(name, params)
