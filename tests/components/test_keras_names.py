"""The names a config hands to Keras are checked before Keras starts, against lists kept as
data that agree with what Keras' own getters accept."""

from __future__ import annotations

import inspect

import numpy as np
from conftest import resolve_in_fresh_process

from recipes.components import keras_names
from recipes.paths import CONFIG_DIR


def _public_lowercase_names(module) -> list[str]:
    return [name for name in dir(module) if name.islower() and not name.startswith("_")]


def test_the_activations_are_those_keras_applies_by_name_alone():
    import keras

    def applies(name: str) -> bool:
        try:
            keras.activations.get(name)(np.ones((2, 4), "float32"))
        except (TypeError, ValueError):
            return False
        return True

    names = _public_lowercase_names(keras.activations)
    assert sorted(keras_names.ACTIVATIONS) == [name for name in names if applies(name)]


def test_the_kernel_initializers_are_those_keras_draws_a_kernel_with_by_name_alone():
    import keras

    def draws(name: str) -> bool:
        try:
            keras.initializers.get(name)((4, 3))
        except (TypeError, ValueError, KeyError):
            return False
        return True

    names = _public_lowercase_names(keras.initializers)
    assert sorted(keras_names.KERNEL_INITIALIZERS) == [name for name in names if draws(name)]


def test_each_optimizer_is_keras_own_and_takes_momentum_and_keeps_slots_as_listed():
    import keras

    for name, (class_name, slots, _) in keras_names.OPTIMIZERS.items():
        optimizer = keras.optimizers.get(name)
        assert type(optimizer) is getattr(keras.optimizers, class_name)
        takes = "momentum" in inspect.signature(type(optimizer)).parameters
        assert takes == (name in keras_names.TAKE_MOMENTUM), name
        # the memory estimate's slots: what the optimizer builds per weight, beside its own
        # iteration count and learning rate
        bare = len(optimizer.variables)
        optimizer.build([keras.Variable(np.zeros((3, 2), dtype="float32"))])
        assert len(optimizer.variables) - bare == slots, name


def test_a_wrong_name_is_one_line_with_the_closest_before_keras_is_imported(tmp_path):
    config = tmp_path / "x.yaml"
    parent = CONFIG_DIR / "focal_rings.yaml"
    config.write_text(f"extends: {parent}\nmodel:\n  hidden_activation: rellu\n")
    lines = resolve_in_fresh_process([
        (str(config), []),
        ("hinge", ["model.kernel_initializer=he_unifrom"]),
        ("hinge", ["optimizer.name=adamm"]),
        ("hinge", ["optimizer.momentum=0.9"]),
        ("focal_rings", ["train.early_stopping.monitor=val_acu"]),
    ])  # fmt: skip
    activations = ", ".join(sorted(keras_names.ACTIVATIONS))
    initializers = ", ".join(sorted(keras_names.KERNEL_INITIALIZERS))
    # every unknown name, a registry's or Keras', is said one way (recipes.registry.unknown_name)
    assert lines == [
        f"{config}: model.hidden_activation: unknown activation 'rellu'. Did you mean 'relu'? "
        f"Valid names: {activations}",
        "--set: model.kernel_initializer: unknown kernel initializer 'he_unifrom'. "
        f"Did you mean 'he_uniform'? Valid names: {initializers}",
        "--set: optimizer.name: unknown optimizer 'adamm'. Did you mean 'adam'? "
        "Valid names: adagrad, adam, adamw, rmsprop, sgd",
        "--set: optimizer.momentum: adam takes no momentum; sgd and rmsprop do",
        "--set: train.early_stopping.monitor: unknown metric 'val_acu'. Did you mean 'val_auc'? "
        "Valid names: auc, loss, val_auc, val_loss",
        "False",
    ]
