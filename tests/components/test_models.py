"""A model's size counted from its parameters (without Keras) agrees with the model Keras
builds from them."""

from __future__ import annotations

import math

import pytest

from recipes.components.models import MODELS, build_model, model_size


@pytest.mark.parametrize(
    ("name", "params", "input_shape"),
    [
        ("relu_relu_tanh", {}, (2,)),
        ("mlp_2_4_8_1", {"hidden_units": [16, 16]}, (2,)),
        ("mlp_2_4_8_1", {"hidden_units": []}, (5,)),
        ("mlp_784_784_784_10", {"hidden_units": [32], "classes": 3}, (28, 28)),
    ],
)
def test_the_parameter_count_is_what_keras_builds(name, params, input_shape):
    model = build_model(name, params, input_shape)
    assert model_size(name, params, math.prod(input_shape)).parameters == model.count_params()


def test_the_count_needs_no_keras_and_names_every_layer_output():
    size = model_size("relu_relu_tanh", {"hidden_units": [100000000]}, 2)
    assert size.parameters == 2 * 10**8 + 10**8 + 10**8 + 1  # kernels and biases of 2 layers
    assert size.activations == 10**8 + 1
    assert model_size("mlp_784_784_784_10", {}, 784).activations == 784 + 784 + 10


def test_every_registered_model_can_be_counted():
    for name in MODELS.names():
        assert model_size(name, {}, 2) is not None
