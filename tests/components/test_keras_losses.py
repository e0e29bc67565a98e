"""Every loss class Keras exports is either nameable in a config (registered, with its targets,
and its formula and parameters as Keras' own docstring and __init__ say) or refused on purpose
with a reason."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from conftest import run_cli

from recipes.components.keras_names import KERAS_LOSSES, KERAS_LOSSES_REFUSED, snake_name
from recipes.components.labels import encode_labels
from recipes.components.losses import LOSSES, get_loss, loss_label_encoding
from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError


def exported_loss_classes() -> list[str]:
    import keras

    return sorted(
        name
        for name, value in vars(keras.losses).items()
        if inspect.isclass(value)
        and issubclass(value, keras.losses.Loss)
        and value is not keras.losses.Loss
    )


def registered_keras_classes() -> dict[str, str]:
    return {
        entry.info["keras_class"]: name
        for name in LOSSES.names()
        if (entry := LOSSES.entry(name)).info.get("keras_class")
    }


def test_every_exported_keras_loss_is_nameable_or_refused_on_purpose():
    exported = exported_loss_classes()
    assert exported == sorted([*KERAS_LOSSES, *KERAS_LOSSES_REFUSED]), (
        "declare a new Keras loss in KERAS_LOSSES (its targets) or KERAS_LOSSES_REFUSED (why not)"
    )
    registered = registered_keras_classes()
    assert sorted(registered) == sorted(KERAS_LOSSES)
    for name in ("BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "Dice", "Tversky",
                 "Poisson", "MeanSquaredLogarithmicError"):  # fmt: skip
        assert name in registered


@pytest.mark.parametrize("class_name", sorted(registered_keras_classes()))
def test_each_nameable_keras_loss_trains_on_the_targets_it_declares(class_name):
    name = registered_keras_classes()[class_name]
    kind = loss_label_encoding(name)
    targets = encode_labels(np.array([0, 1, 1, 0]), kind, 2)
    outputs = np.array([0.2, 0.7, 0.9, 0.4], dtype="float32")
    if kind == "categorical":
        outputs = np.stack([1 - outputs, outputs], axis=1)
    else:
        outputs = outputs[:, None]
    value = float(np.asarray(get_loss(name)(targets, outputs)))
    assert np.isfinite(value)
    assert type(get_loss(name)).__name__ == class_name


def _formula(docstring: str) -> str:
    """The lines of the docstring's ``Formula:`` block as one line, else its first line."""
    lines = docstring.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "Formula:"), None)
    if start is None:
        return lines[0].strip()
    body: list[str] = []
    for text in (line.strip() for line in lines[start + 1 :]):
        if (text.startswith("```") or not text) and body:
            break
        if text and not text.startswith("```"):
            body.append(text)
    return "; ".join(body).strip("`")


@pytest.mark.parametrize("class_name", sorted(KERAS_LOSSES))
def test_each_loss_formula_and_defaults_are_what_keras_says(class_name):
    """KERAS_LOSSES is data, so a config is checked without importing Keras; this compares it
    with Keras' own docstring and __init__, so it cannot drift."""
    import keras

    loss_class = getattr(keras.losses, class_name)
    _, formula, defaults = KERAS_LOSSES[class_name]
    assert formula == _formula(inspect.getdoc(loss_class))
    parameters = inspect.signature(loss_class).parameters.values()
    literal = (bool, int, float, str, type(None))
    assert defaults == {
        parameter.name: parameter.default
        for parameter in parameters
        if parameter.name not in ("reduction", "name", "dtype")
        and isinstance(parameter.default, literal)
    }


def test_parameters_come_from_the_keras_classes_own_init():
    params = LOSSES.entry("binary_focal_crossentropy").params.model_fields
    assert params["gamma"].default == 2.0 and params["apply_class_balancing"].default is False
    loss = get_loss("binary_focal_crossentropy", {"gamma": 3, "apply_class_balancing": True})
    assert loss.get_config()["gamma"] == 3.0 and loss.get_config()["apply_class_balancing"]
    assert snake_name("KLDivergence") == "kl_divergence" and snake_name("CTC") == "ctc"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("ctc", "keras.losses.CTC is not available here: CTC scores label sequences"),
        ("circle", "keras.losses.Circle is not available here: Circle compares embeddings"),
        (
            "sparse_categorical_crossentropy",
            "keras.losses.SparseCategoricalCrossentropy is not available here: takes integer "
            "class indices",
        ),
    ],
)
def test_naming_a_refused_keras_loss_is_one_line_saying_why(name, reason):
    with pytest.raises(RecipeError) as raised:
        resolve_recipe("hinge", [f"loss={name}"])
    assert str(raised.value).startswith(f"--set: loss.name: {reason}")


def test_list_prints_each_loss_with_its_targets_and_formula():
    result = run_cli("list")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert lines["dice"].split(None, 2)[1:] == [
        "binary",
        "loss = 1 - (2 * sum(y_true * y_pred)) / (sum(y_true) + sum(y_pred))",
    ]
    assert "plus_minus_one  loss = maximum(1 - y_true * y_pred, 0)" in lines["hinge"]
