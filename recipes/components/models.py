"""Model builders, looked up by name from configs.

Each builder takes the input shape and its validated parameters and returns an uncompiled
``keras.Model``. ``output`` in the registration says what the last layer emits, which decides how
scores become labels: ``tanh`` (threshold 0, -1/+1 labels), ``logit`` (threshold 0),
``probability`` (threshold 0.5) or ``softmax`` (argmax).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Literal

import pydantic

from recipes.registry import Registry

MODELS: Registry = Registry("model")

Activation = Literal["relu", "tanh", "sigmoid", "elu", "gelu", "linear", "softmax", "selu"]


class MultiLayerPerceptronParams(pydantic.BaseModel):
    """Parameters shared by the small fully connected networks of the tutorials."""

    model_config = pydantic.ConfigDict(extra="forbid")

    hidden_units: list[pydantic.PositiveInt] = pydantic.Field(
        description="units of each hidden layer; [] is a linear model into the output layer"
    )
    hidden_activation: Activation = "relu"
    kernel_initializer: str = "glorot_uniform"
    l1: float = pydantic.Field(0.0, ge=0, description="L1 penalty on kernels (never biases)")
    l2: float = pydantic.Field(0.0, ge=0, description="L2 penalty on kernels (never biases)")

    def penalties(self) -> list[str]:
        """The penalties Keras adds to the loss, for titles: ``["L1", "L2"]``."""
        return [label for label, value in (("L1", self.l1), ("L2", self.l2)) if value]


def build_multilayer_perceptron(
    input_shape: tuple[int, ...],
    params: MultiLayerPerceptronParams,
    *,
    output_units: int,
    output_activation: str | None,
    name: str,
) -> Any:
    """Dense layers of ``params.hidden_units`` then one output layer.

    L1/L2 penalties go through ``kernel_regularizer`` only, so biases are never regularized
    (the point of the focal-loss tutorial's regularization section).
    """
    import keras

    regularizer = None
    if params.l1 or params.l2:
        regularizer = keras.regularizers.L1L2(l1=params.l1, l2=params.l2)
    inputs = keras.Input(shape=input_shape, name="features")
    hidden = keras.layers.Flatten()(inputs) if len(input_shape) > 1 else inputs
    for index, units in enumerate(params.hidden_units, start=1):
        hidden = keras.layers.Dense(
            units,
            activation=params.hidden_activation,
            kernel_initializer=params.kernel_initializer,
            kernel_regularizer=regularizer,
            name=f"hidden_{index}",
        )(hidden)
    outputs = keras.layers.Dense(
        output_units,
        activation=output_activation,
        kernel_initializer=params.kernel_initializer,
        kernel_regularizer=regularizer,
        name="output",
    )(hidden)
    return keras.Model(inputs, outputs, name=name)


class ReluReluTanhParams(MultiLayerPerceptronParams):
    hidden_units: list[pydantic.PositiveInt] = pydantic.Field([4, 2])
    kernel_initializer: str = "he_uniform"


@MODELS.register("relu_relu_tanh", params=ReluReluTanhParams, output="tanh")
def build_relu_relu_tanh(params: ReluReluTanhParams, input_shape: tuple[int, ...]) -> Any:
    """The hinge tutorial's net: Dense(4, relu) - Dense(2, relu) - Dense(1, tanh), he_uniform."""
    return build_multilayer_perceptron(
        input_shape, params, output_units=1, output_activation="tanh", name="relu_relu_tanh"
    )


class Mlp2481Params(MultiLayerPerceptronParams):
    hidden_units: list[pydantic.PositiveInt] = pydantic.Field([4, 8])


@MODELS.register("mlp_2_4_8_1", params=Mlp2481Params, output="logit")
def build_mlp_2_4_8_1(params: Mlp2481Params, input_shape: tuple[int, ...]) -> Any:
    """The focal-loss tutorial's net: Dense(4, relu) - Dense(8, relu) - Dense(1) (a logit)."""
    return build_multilayer_perceptron(
        input_shape, params, output_units=1, output_activation=None, name="mlp_2_4_8_1"
    )


class Mlp784Params(MultiLayerPerceptronParams):
    hidden_units: list[pydantic.PositiveInt] = pydantic.Field([784, 784])
    classes: pydantic.PositiveInt = 10


@MODELS.register("mlp_784_784_784_10", params=Mlp784Params, output="softmax")
def build_mlp_784_784_784_10(params: Mlp784Params, input_shape: tuple[int, ...]) -> Any:
    """The MNIST tutorial's net: Dense(784, relu) - Dense(784, relu) - Dense(10, softmax)."""
    return build_multilayer_perceptron(
        input_shape,
        params,
        output_units=params.classes,
        output_activation="softmax",
        name="mlp_784_784_784_10",
    )


def build_model(name: str, params: Any, input_shape: tuple[int, ...]) -> Any:
    """Build the named model from (validated) parameters."""
    return MODELS.build(name, params, tuple(input_shape))


def model_output_kind(name: str) -> str:
    """What the named model's last layer emits: tanh, logit, probability or softmax."""
    return MODELS.entry(name).info["output"]


def model_output_units(name: str, params: Any) -> int:
    """How many values the named model emits per sample: its ``classes`` parameter, else 1."""
    entry = MODELS.entry(name)
    if entry.params is not None and not isinstance(params, entry.params):
        params = entry.params.model_validate(dict(params or {}))
    return int(getattr(params, "classes", 1))


@dataclass(frozen=True)
class ModelSize:
    """A model's size, counted from its parameters without building it."""

    parameters: int  # weights and biases
    activations: int  # values each sample produces on its way through (hidden and output)


def model_size(name: str, params: Any, input_features: int) -> ModelSize | None:
    """The named model's size on inputs of ``input_features`` values, counted from its
    ``hidden_units`` (Dense layers: inputs x units + units each), without importing Keras;
    None for a model whose parameters do not say."""
    entry = MODELS.entry(name)
    if entry.params is not None and not isinstance(params, entry.params):
        params = entry.params.model_validate(dict(params or {}))
    hidden = getattr(params, "hidden_units", None)
    if hidden is None:
        return None
    widths = [int(input_features), *hidden, model_output_units(name, params)]
    parameters = sum(inputs * units + units for inputs, units in itertools.pairwise(widths))
    return ModelSize(parameters=parameters, activations=sum(widths[1:]))


def model_penalties(name: str, params: Any) -> list[str]:
    """The penalties the named model adds to the loss (``["L1", "L2"]``), for titles; a model
    whose parameters declare none adds none."""
    entry = MODELS.entry(name)
    if entry.params is not None and not isinstance(params, entry.params):
        params = entry.params.model_validate(dict(params or {}))
    penalties = getattr(params, "penalties", None)
    return penalties() if callable(penalties) else []
