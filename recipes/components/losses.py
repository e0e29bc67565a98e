"""The loss registry: Keras' named losses plus this project's own.

Every loss declares the targets it trains on (``labels=``: ``plus_minus_one``, ``binary`` or
``categorical``, see :mod:`recipes.components.labels`); a dataset of the user's own classes is
encoded that way. Regression-style losses (MSE, Huber, ...) train on one-hot rows, as the MNIST
tutorial uses them.

Always hands out a ``keras.losses.Loss`` *instance*, never the raw function: the function
``keras.losses.hinge(y, p)`` with ``y`` of shape (N,) and ``p`` of shape (N, 1) broadcasts silently
to a wrong value, while the class reshapes. Keras is imported inside the factories so that config
validation (names and parameters) runs before Keras is loaded.
"""

from __future__ import annotations

from typing import Any

import pydantic

from recipes.components.keras_names import KERAS_LOSSES, KERAS_LOSSES_REFUSED, snake_name
from recipes.components.labels import LabelKind
from recipes.components.loss_params import (
    CrossEntropyParams,
    FocalParams,
    HuberParams,
    LossParams,
    SymmetricCrossEntropyParams,
)
from recipes.components.user_loss import is_user_loss
from recipes.registry import Registry

LOSSES: Registry = Registry("loss")


def _register(
    name: str,
    target: str,
    formula: str,
    labels: LabelKind,
    params: type[LossParams] = LossParams,
    aliases: tuple[str, ...] = (),
    **info: Any,
) -> None:
    """``name`` for the loss class ``target`` (``"module:Class"``, imported only when a loss
    is built, so a config is checked without Keras), called with its validated parameters.
    ``formula`` is what ``python -m recipes list`` prints beside the name."""
    info.update(labels=labels, formula=formula)
    LOSSES.register_class(name, target, params=params, aliases=aliases, **info)


def _register_keras_loss(
    name: str, class_name: str, params: type[LossParams] | None = None, aliases: tuple = ()
) -> None:
    """``name`` for ``keras.losses.<class_name>``, with ``params`` (by default, its own
    parameters and defaults: :data:`recipes.components.keras_names.KERAS_LOSSES`)."""
    labels, formula, defaults = KERAS_LOSSES[class_name]
    if params is None:  # its own parameters, typed by their defaults
        fields: dict[str, Any] = {}
        for key, value in defaults.items():
            kind = type(value) if isinstance(value, (bool, int, float, str)) else Any
            fields[key] = (float if kind is int and key != "axis" else kind, value)  # alpha=1: 1.0
        params = pydantic.create_model(f"{class_name}Params", __base__=LossParams, **fields)
    target = f"keras.losses:{class_name}"
    _register(name, target, formula, labels, params, aliases, keras_class=class_name)


def refused_loss(name: str) -> str | None:
    """Why a Keras loss cannot train these recipes (``ctc``, ``circle``, ...), or None."""
    for class_name, reason in KERAS_LOSSES_REFUSED.items():
        if name in (class_name, snake_name(class_name)):
            return f"keras.losses.{class_name} is not available here: {reason}"
    return None


_register_keras_loss("binary_crossentropy", "BinaryCrossentropy", CrossEntropyParams, ("bce",))
_register_keras_loss(
    "categorical_crossentropy", "CategoricalCrossentropy", CrossEntropyParams, ("cce",)
)
_register_keras_loss("mean_squared_error", "MeanSquaredError", aliases=("mse",))
_register_keras_loss("mean_absolute_error", "MeanAbsoluteError", aliases=("mae",))
_register_keras_loss("huber", "Huber", HuberParams)
_register_keras_loss("log_cosh", "LogCosh", aliases=("logcosh",))
_register_keras_loss("kl_divergence", "KLDivergence", aliases=("kld", "kullback_leibler"))
_registered = {LOSSES.entry(name).info["keras_class"] for name in LOSSES.names()}
for _class_name in sorted(KERAS_LOSSES.keys() - _registered):  # by its name in snake case
    _register_keras_loss(snake_name(_class_name), _class_name)


def get_loss(name: str, params: dict[str, Any] | LossParams | None = None) -> Any:
    """A ``keras.losses.Loss`` instance for the named loss and its parameters; a user's loss
    (``file.py:function``, :mod:`recipes.components.user_loss`) is wrapped in ``UserLoss``."""
    if is_user_loss(name):
        from recipes.components.keras_objects import UserLoss

        kwargs = {key: value for key, value in dict(params or {}).items() if key != "labels"}
        return UserLoss(name, kwargs)
    return LOSSES.build(name, params)


def loss_label_encoding(name: str, params: dict[str, Any] | None = None) -> LabelKind:
    """The targets the named loss trains on, as it declared them (``labels=``; a user's loss
    in its config block)."""
    if is_user_loss(name):
        return (params or {})["labels"]
    return LOSSES.entry(name).info["labels"]


# This project's own losses (recipes/components/keras_objects.py: each class's docstring says
# where it comes from and how it is computed).
OWN = "recipes.components.keras_objects"
_register(
    "pseudo_huber",
    f"{OWN}:PseudoHuber",
    "mean(delta^2 * (sqrt(1 + ((y - p) / delta)^2) - 1)).",
    "categorical",
    HuberParams,
)
_register(
    "focal",
    f"{OWN}:FocalLoss",
    "-alpha (1-p)^gamma log(p) if y=1, -(1-alpha) p^gamma log(1-p) if y=0.",
    "binary",
    FocalParams,
    ("focal_loss",),
)
_register(
    "symmetric_crossentropy",
    f"{OWN}:SymmetricCrossEntropy",
    "alpha * ce(y, p) + beta * ce(p, y), p and y clipped to [1e-4, 1 - 1e-4].",
    "binary",
    SymmetricCrossEntropyParams,
    ("sce",),
)


# The MNIST tutorial's PyTorch losses as it calls them, on a softmax output, each registered
# by its class's name in snake case (recipes/components/pytorch_losses.py: each class's
# docstring gives the formula in full).
PYTORCH_LOSSES = {
    "TorchCrossEntropyOnProbabilities": "nn.CrossEntropyLoss on probabilities (a second "
    "softmax): mean over samples of -sum_c y_c log_softmax(p)_c",
    "TorchKLDivOnProbabilities": "nn.KLDivLoss given probabilities for log-probabilities: "
    "mean over batch x classes of y (log y - p)",
    "TorchBinaryCrossEntropy": "nn.BCELoss: mean over batch x classes of "
    "-(y log p + (1 - y) log(1 - p)), logs >= -100",
    "TorchBCEWithLogitsOnProbabilities": "nn.BCEWithLogitsLoss on probabilities as logits: "
    "mean over batch x classes of max(p, 0) - p y + log(1 + exp(-|p|))",
    "TorchCosineEmbedding": "nn.CosineEmbeddingLoss with target 1: mean over samples of "
    "1 - cos(p, y)",
}
PYTORCH_LOSS_NAMES = [snake_name(class_name) for class_name in PYTORCH_LOSSES]


for _class_name, _formula in PYTORCH_LOSSES.items():
    target = f"recipes.components.pytorch_losses:{_class_name}"
    _register(snake_name(_class_name), target, _formula, "categorical")


def loss_listing() -> list[str]:
    """One line per registered loss for ``python -m recipes list``: name, targets, formula."""
    lines = []
    for name in LOSSES.names():
        info = LOSSES.entry(name).info
        lines.append(f"  {name:32} {info['labels']:15} {info['formula']}")
    return lines
