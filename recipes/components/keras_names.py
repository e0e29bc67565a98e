"""Every name a config hands to Keras, as data: the config's check refuses a wrong one before
Keras is imported, in one line with the closest valid name. A test compares these lists with
what Keras' own getters accept (tests/components/test_keras_names.py), so they cannot drift.
"""

from __future__ import annotations

from collections.abc import Collection

from recipes.registry import did_you_mean

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
# A config's optimizer name -> its keras.optimizers class.
OPTIMIZERS = {
    "adam": "Adam",
    "adamw": "AdamW",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}
TAKE_MOMENTUM = ("sgd", "rmsprop")  # the optimizers whose class takes ``momentum``


def known(kind: str, name: str, names: Collection[str]) -> str:
    """``name`` when it is one of ``names``; else ValueError, one line: ``unknown activation
    'rellu'. Did you mean 'relu'?`` (the valid names when none is close)."""
    if name in names:
        return name
    hint = did_you_mean(name, list(names)) or f" Valid names: {', '.join(sorted(names))}"
    raise ValueError(f"unknown {kind} '{name}'.{hint}")
