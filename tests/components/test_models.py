"""A model's size counted from its parameters (without Keras) agrees with the model Keras
builds from them; ``model.init`` gives the initial weights it says."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from recipes.components.models import (
    INITIALIZATIONS,
    MODELS,
    build_model,
    model_initialization,
    model_size,
)


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


# --- model.init: keras (glorot/he kernels, zero biases) or pytorch (torch.nn.Linear's default)

WIDE = {"hidden_units": [256, 128], "classes": 10}  # enough values per bias for its spread


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
    model = _seeded_model("mlp_784_784_784_10", {**WIDE, "init": "pytorch"}, (28, 28))
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
    model = _seeded_model("mlp_784_784_784_10", WIDE, (28, 28))
    widths = [784, 256, 128, 10]
    for (fan_in, kernel, bias), fan_out in zip(_dense_weights(model), widths[1:], strict=True):
        assert not bias.any()
        glorot = math.sqrt(6 / (fan_in + fan_out))  # glorot_uniform's limit
        assert np.abs(kernel).max() <= glorot and np.abs(kernel).max() > 0.99 * glorot
    he_model = _seeded_model("relu_relu_tanh", {"hidden_units": [512]}, (300,))
    fan_in, kernel, bias = _dense_weights(he_model)[0]
    assert np.abs(kernel).max() > 0.99 * math.sqrt(6 / fan_in) and not bias.any()  # he_uniform


@pytest.mark.parametrize("init", ["keras", "pytorch"])
def test_the_same_seed_gives_the_same_initial_weights(init):
    params = {"hidden_units": [16], "init": init}
    first, again, other = (
        [w for layer in _dense_weights(_seeded_model("mlp_2_4_8_1", params, (2,), seed))
         for w in layer[1:]]
        for seed in (3, 3, 4)
    )  # fmt: skip
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other[0])


def test_every_registered_model_takes_init_and_says_it_for_run_json():
    for name in MODELS.names():
        assert MODELS.entry(name).params.model_fields["init"].default == "keras"
    assert model_initialization("mlp_784_784_784_10", {"init": "pytorch"}) == {
        "init": "pytorch",
        "weights": INITIALIZATIONS["pytorch"],
    }
    keras_init = model_initialization("relu_relu_tanh", {})
    assert keras_init["init"] == "keras" and "he_uniform" in keras_init["weights"]


def test_init_is_checked_without_keras_and_refuses_an_ignored_kernel_initializer():
    code = (
        "import sys\n"
        "from recipes.config.resolve import resolve_recipe\n"
        "from recipes.errors import RecipeError\n"
        "config = resolve_recipe('hinge', ['model.init=pytorch']).config\n"
        "assert config.as_mapping()['model']['init'] == 'pytorch'\n"
        "for bad in (['model.init=torch'], ['model.init=pytorch', 'model.kernel_initializer=x']):\n"
        "    try:\n"
        "        resolve_recipe('hinge', bad)\n"
        "    except RecipeError as error:\n"
        "        print(error)\n"
        "print('keras' in sys.modules)\n"
    )
    lines = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    assert lines == [
        "--set: model.init: input should be 'keras' or 'pytorch'; got 'torch' (str)",
        "--set: model.kernel_initializer: init: pytorch draws the kernels itself "
        "(U(+-1/sqrt(fan_in))), so 'x' would be ignored; drop kernel_initializer, or use "
        "init: keras",
        "False",
    ]
