"""Optimizers by name, with Keras 3 argument names (``learning_rate``, never ``lr``)."""

from __future__ import annotations

from typing import Any

from recipes.components import keras_names
from recipes.registry import Registry

OPTIMIZERS: Registry = Registry("optimizer")

for _name, (_class_name, _slots, _slot_words) in keras_names.OPTIMIZERS.items():
    OPTIMIZERS.register(_name, slots=_slots, slot_words=_slot_words)(_class_name)


def build_optimizer(settings: Any) -> Any:
    """A Keras optimizer from a validated ``OptimizerConfig``.

    ``exclude_from_weight_decay`` lists variable-name fragments (e.g. ``bias``) that weight decay
    must skip; Keras matches them against variable paths.
    """
    import keras

    class_name = OPTIMIZERS.get(settings.name)
    kwargs: dict[str, Any] = {"learning_rate": settings.learning_rate}
    if settings.momentum is not None:
        kwargs["momentum"] = settings.momentum
    if settings.weight_decay is not None:
        kwargs["weight_decay"] = settings.weight_decay
    optimizer = getattr(keras.optimizers, class_name)(**kwargs)
    if settings.exclude_from_weight_decay:
        optimizer.exclude_from_weight_decay(var_names=list(settings.exclude_from_weight_decay))
    return optimizer
