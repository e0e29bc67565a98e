"""A model's size counted from its parameters (without Keras) agrees with the model Keras
builds from them; ``model.init`` gives the initial weights it says."""

from __future__ import annotations

import math
import re

import numpy as np
import pydantic
import pytest
from conftest import resolve_in_fresh_process

from recipes.components.models import (
    INITIALIZATIONS,
    MODELS,
    OUTPUT_ACTIVATIONS,
    build_model,
    model_initialization,
    model_output_kind,
    model_output_units,
    model_size,
)

HINGE = {"hidden_units": [4, 2], "output": "tanh", "kernel_initializer": "he_uniform"}


@pytest.mark.parametrize(
    ("name", "params", "input_shape"),
    [
        ("mlp", {"hidden_units": [4, 2], "output": "tanh"}, (2,)),
        ("mlp", {"hidden_units": [16, 16], "output": "logit"}, (2,)),
        ("mlp", {"hidden_units": [], "output": "probability"}, (5,)),
        ("mlp", {"hidden_units": [32], "output": "softmax", "classes": 3}, (28, 28)),
    ],
)
def test_the_parameter_count_is_what_keras_builds(name, params, input_shape):
    model = build_model(name, params, input_shape)
    assert model_size(name, params, math.prod(input_shape)).parameters == model.count_params()
    output = model.get_layer("output")
    assert output.units == params.get("classes", 1)
    assert output.activation.__name__ == (OUTPUT_ACTIVATIONS[params["output"]] or "linear")
    assert model_output_kind(name, params) == params["output"]


def test_the_output_and_its_classes_are_checked_together():
    for params, message in [
        ({"output": "softmax"}, "output: softmax needs 2 or more classes (e.g. 10), got 1"),
        ({"output": "tanh", "classes": 3}, "output: tanh emits one value; classes goes with"),
        ({"output": "sigmoid"}, "Input should be 'tanh', 'logit', 'probability' or 'softmax'"),
    ]:
        with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
            model_output_units("mlp", {"hidden_units": [4], **params})


def test_the_count_needs_no_keras_and_names_every_layer_output():
    size = model_size("mlp", {"hidden_units": [100000000], "output": "tanh"}, 2)
    assert size.parameters == 2 * 10**8 + 10**8 + 10**8 + 1  # kernels and biases of 2 layers
    assert size.activations == 10**8 + 1
    assert model_size("mlp", MNIST, 784).activations == 784 + 784 + 10


def test_every_registered_model_can_be_counted():
    for name in MODELS.names():
        assert model_size(name, HINGE, 2) is not None


# --- model.init: keras (glorot/he kernels, zero biases) or pytorch (torch.nn.Linear's default)

MNIST = {"hidden_units": [784, 784], "output": "softmax", "classes": 10}
WIDE = {**MNIST, "hidden_units": [256, 128]}  # enough values per bias for its spread


def _dense_weights(model):
    """(fan_in, kernel, bias) of each Dense layer, as numpy arrays."""
    return [
        (layer.kernel.shape[0], np.asarray(layer.kernel), np.asarray(layer.bias))
        for layer in model.layers
        if hasattr(layer, "kernel")
    ]


def _seeded_model(name, params, input_shape, seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    return build_model(name, params, input_shape)


def test_pytorch_init_draws_kernels_and_biases_uniform_within_one_over_root_fan_in():
    model = _seeded_model("mlp", {**WIDE, "init": "pytorch"}, (28, 28))
    layers = _dense_weights(model)
    assert [fan_in for fan_in, _, _ in layers] == [784, 256, 128]
    for fan_in, kernel, bias in layers:
        bound = 1 / math.sqrt(fan_in)
        for values in (kernel, bias):
            assert np.abs(values).max() <= bound
        # a uniform on [-b, b]: its largest |value| close to b, its std b / sqrt(3)
        assert np.abs(kernel).max() > 0.99 * bound
        assert kernel.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)
        assert abs(kernel.mean()) < 0.02 * bound
    for fan_in, _, bias in layers[:2]:  # 256 and 128 biases: their spread is measurable
        bound = 1 / math.sqrt(fan_in)
        assert np.abs(bias).max() > 0.9 * bound
        assert bias.std() == pytest.approx(bound / math.sqrt(3), rel=0.2)
    assert np.count_nonzero(layers[2][2]) == 10  # the output biases are drawn too


def test_keras_init_keeps_zero_biases_and_the_models_kernel_initializer():
    model = _seeded_model("mlp", WIDE, (28, 28))
    widths = [784, 256, 128, 10]
    for (fan_in, kernel, bias), fan_out in zip(_dense_weights(model), widths[1:], strict=True):
        assert not bias.any()
        glorot = math.sqrt(6 / (fan_in + fan_out))  # glorot_uniform's limit
        assert np.abs(kernel).max() <= glorot and np.abs(kernel).max() > 0.99 * glorot
    he_model = _seeded_model("mlp", {**HINGE, "hidden_units": [512]}, (300,))
    fan_in, kernel, bias = _dense_weights(he_model)[0]
    assert np.abs(kernel).max() > 0.99 * math.sqrt(6 / fan_in) and not bias.any()  # he_uniform


@pytest.mark.parametrize("init", ["keras", "pytorch"])
def test_the_same_seed_gives_the_same_initial_weights(init):
    params = {"hidden_units": [16], "output": "logit", "init": init}
    first, again, other = (
        [w for layer in _dense_weights(_seeded_model("mlp", params, (2,), seed))
         for w in layer[1:]]
        for seed in (3, 3, 4)
    )  # fmt: skip
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other[0])


def test_every_registered_model_takes_init_and_says_it_for_run_json():
    for name in MODELS.names():
        assert MODELS.entry(name).params.model_fields["init"].default == "keras"
    assert model_initialization("mlp", {**MNIST, "init": "pytorch"}) == {
        "init": "pytorch",
        "weights": INITIALIZATIONS["pytorch"],
    }
    keras_init = model_initialization("mlp", HINGE)
    assert keras_init["init"] == "keras" and "he_uniform" in keras_init["weights"]


def test_init_is_checked_without_keras_and_refuses_an_ignored_kernel_initializer():
    """The later layer says how the kernels start: init or kernel_initializer, as for
    epochs and steps; one layer saying pytorch and an initializer is refused."""
    before = (
        "model = resolve_recipe('hinge', ['model.init=pytorch']).config.model.params\n"
        "print(model['init'], model['kernel_initializer'])\n"
        "he = ['model.kernel_initializer=he_normal']\n"
        "print(resolve_recipe('mnist_losses_tutorial', he).config.model.params['init'])\n"
    )
    ones = ["model.init=pytorch", "model.kernel_initializer=ones"]
    lines = resolve_in_fresh_process([("hinge", ["model.init=torch"]), ("hinge", ones)], before)
    assert lines == [
        "pytorch None",
        "keras",
        "--set: model.init: input should be 'keras' or 'pytorch'; got 'torch' (str)",
        "--set: model.kernel_initializer: init: pytorch draws the kernels itself "
        "(U(+-1/sqrt(fan_in))), so 'ones' would be ignored; drop kernel_initializer, or use "
        "init: keras",
        "False",
    ]
