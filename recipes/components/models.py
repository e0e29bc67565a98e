"""Model builders, looked up by name from configs.

Each builder takes the input shape and its validated parameters and returns an uncompiled
``keras.Model``. A model's ``output`` parameter says what the last layer emits, which decides
how scores become labels: ``tanh`` (threshold 0, -1/+1 labels), ``logit`` (threshold 0),
``probability`` (threshold 0.5) or ``softmax`` (argmax).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Literal

import pydantic

from recipes.components.keras_names import ACTIVATIONS, KERNEL_INITIALIZERS, known
from recipes.registry import Registry

MODELS: Registry = Registry("model")

# What the output layer emits -> its Keras activation (a logit: none).
OUTPUT_ACTIVATIONS = {"tanh": "tanh", "logit": None, "probability": "sigmoid", "softmax": "softmax"}
Initialization = Literal["keras", "pytorch"]
KERAS_KERNELS = "glorot_uniform"  # Keras' Dense default, for kernel_initializer: null
INITIALIZATIONS = {
    "keras": "kernels: kernel_initializer; biases: zeros (Keras' Dense defaults)",
    "pytorch": "kernels and biases: U(-1/sqrt(fan_in), +1/sqrt(fan_in)) "
    "(torch.nn.Linear's reset_parameters)",
}


class MultiLayerPerceptronParams(pydantic.BaseModel):
    """A fully connected network: the tutorials' nets, each said in its config."""

    model_config = pydantic.ConfigDict(extra="forbid")

    hidden_units: list[pydantic.PositiveInt] = pydantic.Field(
        description="units of each hidden layer; [] is a linear model into the output layer"
    )
    hidden_activation: str = "relu"
    output: Literal["tanh", "logit", "probability", "softmax"] = pydantic.Field(
        description="what the output layer emits: tanh (one score in -1..1), logit (one "
        "score), probability (a sigmoid) or softmax (one probability per class)"
    )
    classes: pydantic.PositiveInt = pydantic.Field(
        1, description="output: softmax only: how many classes", validate_default=True
    )
    init: Initialization = pydantic.Field(
        "keras",
        description="keras: kernel_initializer kernels, zero biases; pytorch: "
        "torch.nn.Linear's default, kernels and biases U(-1/sqrt(fan_in), +1/sqrt(fan_in))",
    )
    kernel_initializer: str | None = pydantic.Field(
        None, description=f"init: keras only (pytorch sets the kernels); null: {KERAS_KERNELS}"
    )
    l1: float = pydantic.Field(0.0, ge=0, description="L1 penalty on kernels (never biases)")
    l2: float = pydantic.Field(0.0, ge=0, description="L2 penalty on kernels (never biases)")

    @pydantic.field_validator("init", mode="before")
    @classmethod
    def _cleared_init(cls, value: Any) -> Any:
        """Cleared (null) by a later layer that names a kernel_initializer: Keras' own."""
        return "keras" if value is None else value

    @pydantic.field_validator("hidden_activation")
    @classmethod
    def _known_activation(cls, value: str) -> str:
        return known("activation", value, ACTIVATIONS)

    @pydantic.field_validator("classes")
    @classmethod
    def _classes_for_softmax(cls, value: int, info: pydantic.ValidationInfo) -> int:
        output = info.data.get("output")
        if output == "softmax" and value < 2:
            raise ValueError(f"output: softmax needs 2 or more classes (e.g. 10), got {value}")
        if output not in (None, "softmax") and value != 1:
            raise ValueError(f"output: {output} emits one value; classes goes with softmax")
        return value

    @pydantic.field_validator("kernel_initializer")
    @classmethod
    def _one_kernel_initialization(
        cls, value: str | None, info: pydantic.ValidationInfo
    ) -> str | None:
        """``init: pytorch`` draws the kernels itself: a kernel_initializer would be silently
        ignored, so it is refused."""
        if value is None:
            return value
        known("kernel initializer", value, KERNEL_INITIALIZERS)
        if info.data.get("init") == "pytorch":
            raise ValueError(
                f"init: pytorch draws the kernels itself (U(+-1/sqrt(fan_in))), so "
                f"'{value}' would be ignored; drop kernel_initializer, or use init: keras"
            )
        return value

    def penalties(self) -> list[str]:
        """The penalties Keras adds to the loss, for titles: ``["L1", "L2"]``."""
        return [label for label, value in (("L1", self.l1), ("L2", self.l2)) if value]


@MODELS.register("mlp", params=MultiLayerPerceptronParams)
def build_multilayer_perceptron(
    params: MultiLayerPerceptronParams, input_shape: tuple[int, ...]
) -> Any:
    """Dense layers of ``params.hidden_units`` then the output layer ``params.output`` says
    (the hinge tutorial's net: hidden_units [4, 2], output tanh, he_uniform kernels).

    L1/L2 penalties go through ``kernel_regularizer`` only, so biases are never regularized
    (the point of the focal-loss tutorial's regularization section). ``params.init`` chooses
    the initial weights (:func:`dense_initializers`).
    """
    import keras

    regularizer = None
    if params.l1 or params.l2:
        regularizer = keras.regularizers.L1L2(l1=params.l1, l2=params.l2)
    inputs = keras.Input(shape=input_shape, name="features")
    hidden = keras.layers.Flatten()(inputs) if len(input_shape) > 1 else inputs
    fan_in = math.prod(input_shape)
    layers = [*((units, params.hidden_activation) for units in params.hidden_units)]
    layers.append((params.classes, OUTPUT_ACTIVATIONS[params.output]))
    for index, (units, activation) in enumerate(layers, start=1):
        hidden = keras.layers.Dense(
            units,
            activation=activation,
            kernel_regularizer=regularizer,
            name="output" if index == len(layers) else f"hidden_{index}",
            **dense_initializers(params, fan_in),
        )(hidden)
        fan_in = units
    return keras.Model(inputs, hidden, name="mlp")


def dense_initializers(params: MultiLayerPerceptronParams, fan_in: int) -> dict[str, Any]:
    """A Dense layer's ``kernel_initializer`` and ``bias_initializer`` for ``params.init``.

    ``keras``: ``params.kernel_initializer`` and zero biases. ``pytorch``: what
    ``torch.nn.Linear.reset_parameters`` draws, ``kaiming_uniform_(a=sqrt(5))`` for the weight,
    which is U(-1/sqrt(fan_in), +1/sqrt(fan_in)), and the same uniform for the bias (a Keras
    bias initializer is given only the bias's shape, so the layer's ``fan_in`` is passed here).
    Both are unseeded Keras initializers, drawn from the run's seed
    (``keras.utils.set_random_seed``) as the default ones are: same seed, same weights.
    """
    import keras

    if params.init == "keras":
        kernels = params.kernel_initializer or KERAS_KERNELS
        return {"kernel_initializer": kernels, "bias_initializer": "zeros"}
    bound = 1.0 / math.sqrt(fan_in)
    return {
        "kernel_initializer": keras.initializers.RandomUniform(-bound, bound),
        "bias_initializer": keras.initializers.RandomUniform(-bound, bound),
    }


def build_model(name: str, params: Any, input_shape: tuple[int, ...]) -> Any:
    """Build the named model from (validated) parameters."""
    return MODELS.build(name, params, tuple(input_shape))


def model_output_kind(name: str, params: Any) -> str:
    """What the named model's last layer emits: tanh, logit, probability or softmax."""
    return MODELS.validated(name, params).output


def model_output_units(name: str, params: Any) -> int:
    """How many values the named model emits per sample: its ``classes`` parameter."""
    return MODELS.validated(name, params).classes


@dataclass(frozen=True)
class ModelSize:
    """A model's size, counted from its parameters without building it."""

    parameters: int  # weights and biases
    activations: int  # values each sample produces on its way through (hidden and output)


def model_size(name: str, params: Any, input_features: int) -> ModelSize:
    """The named model's size on inputs of ``input_features`` values, counted from its
    ``hidden_units`` (Dense layers: inputs x units + units each), without importing Keras."""
    params = MODELS.validated(name, params)
    widths = [int(input_features), *params.hidden_units, params.classes]
    parameters = sum(inputs * units + units for inputs, units in itertools.pairwise(widths))
    return ModelSize(parameters=parameters, activations=sum(widths[1:]))


def model_penalties(name: str, params: Any) -> list[str]:
    """The penalties the named model adds to the loss (``["L1", "L2"]``), for titles."""
    return MODELS.validated(name, params).penalties()


def model_initialization(name: str, params: Any) -> dict[str, str]:
    """How the named model's weights start, for run.json: ``{"init": "pytorch", "weights":
    "kernels and biases: U(...)"}``."""
    params = MODELS.validated(name, params)
    weights = INITIALIZATIONS[params.init]
    if params.init == "keras":
        weights = weights.replace("kernel_initializer", params.kernel_initializer or KERAS_KERNELS)
    return {"init": params.init, "weights": weights}
