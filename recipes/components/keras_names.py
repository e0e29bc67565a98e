"""Every name a config hands to Keras, as data: the config's check refuses a wrong one before
Keras is imported, in one line with the closest valid name. Tests compare these tables with
what Keras' own getters, signatures and docstrings say (tests/components/test_keras_names.py,
test_keras_losses.py), so they cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from recipes.registry import unknown_name

# keras.activations.get accepts these, and each applies to a tensor with no other argument
# (``threshold`` needs two, so a name alone cannot give it).
ACTIVATIONS = (
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish",
    "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus",
    "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh",
    "tanh_shrink",
)  # fmt: skip
# keras.initializers.get accepts these, and each draws a Dense layer's 2-D kernel from its name
# alone (``constant`` needs a value, ``stft`` a 3-D shape).
KERNEL_INITIALIZERS = (
    "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity", "lecun_normal",
    "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform",
    "truncated_normal", "variance_scaling", "zeros",
)  # fmt: skip
# A config's optimizer name -> its keras.optimizers class, the values it keeps per weight (its
# "slots", which the memory estimate counts) and how a message names them.
OPTIMIZERS = {
    "adam": ("Adam", 2, "Adam's two moments"),
    "adamw": ("AdamW", 2, "AdamW's two moments"),
    "sgd": ("SGD", 0, ""),
    "rmsprop": ("RMSprop", 1, "RMSprop's mean square"),
    "adagrad": ("Adagrad", 1, "Adagrad's accumulator"),
}
TAKE_MOMENTUM = ("sgd", "rmsprop")  # the optimizers whose class takes ``momentum``

# Each loss class keras.losses exports that a config may name -> the targets it trains on here
# (-1/+1, 0/1, or one-hot rows: the regression-style losses compare those rows with the
# outputs, as the MNIST tutorial does), its formula (its docstring's Formula block, else its
# first line) and its parameters with Keras' defaults (its __init__'s, less reduction, name
# and dtype).
CROSS_ENTROPY = {"from_logits": False, "label_smoothing": 0.0, "axis": -1}
FOCAL = {"alpha": 0.25, "gamma": 2.0, **CROSS_ENTROPY}
KERAS_LOSSES = {
    "BinaryCrossentropy": (
        "binary",
        "Computes the cross-entropy loss between true labels and predicted labels.",
        CROSS_ENTROPY,
    ),
    "BinaryFocalCrossentropy": (
        "binary",
        "Computes focal cross-entropy loss between true labels and predictions.",
        {"apply_class_balancing": False, **FOCAL},
    ),
    "CategoricalCrossentropy": (
        "categorical",
        "Computes the crossentropy loss between the labels and predictions.",
        CROSS_ENTROPY,
    ),
    "CategoricalFocalCrossentropy": (
        "categorical",
        "Computes the alpha balanced focal crossentropy loss.",
        FOCAL,
    ),
    "CategoricalHinge": ("categorical", "loss = maximum(neg - pos + 1, 0)", {}),
    "CosineSimilarity": (
        "categorical",
        "loss = -sum(l2_norm(y_true) * l2_norm(y_pred))",
        {"axis": -1},
    ),
    "Dice": (
        "binary",
        "loss = 1 - (2 * sum(y_true * y_pred)) / (sum(y_true) + sum(y_pred))",
        {"axis": None},
    ),
    "Hinge": ("plus_minus_one", "loss = maximum(1 - y_true * y_pred, 0)", {}),
    "Huber": (
        "categorical",
        "for x in error:; if abs(x) <= delta:; loss.append(0.5 * x^2); elif abs(x) > delta:; "
        "loss.append(delta * abs(x) - 0.5 * delta^2)",
        {"delta": 1.0},
    ),
    "KLDivergence": ("categorical", "loss = y_true * log(y_true / y_pred)", {}),
    "LogCosh": (
        "categorical",
        "error = y_pred - y_true; logcosh = mean(log((exp(error) + exp(-error))/2), axis=-1)",
        {},
    ),
    "MeanAbsoluteError": ("categorical", "loss = mean(abs(y_true - y_pred))", {}),
    "MeanSquaredError": ("categorical", "loss = mean(square(y_true - y_pred))", {}),
    "MeanSquaredLogarithmicError": (
        "categorical",
        "loss = mean(square(log(y_true + 1) - log(y_pred + 1)))",
        {},
    ),
    "Poisson": ("categorical", "loss = y_pred - y_true * log(y_pred)", {}),
    "SquaredHinge": ("plus_minus_one", "loss = square(maximum(1 - y_true * y_pred, 0))", {}),
    "Tversky": (
        "binary",
        "Computes the Tversky loss value between `y_true` and `y_pred`.",
        {"alpha": 0.5, "beta": 0.5, "axis": None},
    ),
}
# The other exported loss classes, and why they cannot train these recipes.
_SPARSE = (
    "takes integer class indices, and these recipes' datasets give one-hot rows; "
    "use {instead}, the same loss on one-hot targets"
)
KERAS_LOSSES_REFUSED = {
    "CTC": "CTC scores label sequences against per-timestep outputs (speech, handwriting); "
    "these recipes train one label per sample",
    "Circle": "Circle compares embeddings of pairs of samples (metric learning); these recipes "
    "train a score per sample",
    "SparseCategoricalCrossentropy": _SPARSE.format(instead="categorical_crossentropy"),
    "CategoricalGeneralizedCrossEntropy": _SPARSE.format(instead="categorical_crossentropy"),
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error divides by the target, and "
    "one-hot targets are 0 for every class but one; use mean_absolute_error",
}


def snake_name(class_name: str) -> str:
    """``BinaryFocalCrossentropy`` -> ``binary_focal_crossentropy`` (``KLDivergence`` ->
    ``kl_divergence``, ``CTC`` -> ``ctc``)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name).lower()


def known(kind: str, name: str, names: Collection[str]) -> str:
    """``name`` when it is one of ``names``; else a RecipeError (a ValueError, which pydantic
    reports at the key): :func:`recipes.registry.unknown_name`."""
    if name in names:
        return name
    raise unknown_name(kind, name, sorted(names))
