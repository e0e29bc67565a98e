"""Every loss class Keras exports, read from Keras' own source without importing Keras.

The names Keras exports come from ``keras/losses/__init__.py``; each class's formula from the
``Formula:`` block its docstring opens with, and its parameters (with their defaults) from its
``__init__``, all through :mod:`ast`, so a config naming ``dice`` or ``poisson`` is validated
before the slow Keras import. What Keras cannot say is written here, once per class: the
targets each loss trains on in these recipes (``KERAS_LOSS_LABELS``), and why a few cannot
train on them at all (``KERAS_LOSS_REFUSED``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from recipes.components.keras_private import keras_folder

# The targets each exported loss trains on: -1/+1, 0/1, or one-hot rows (one output per class;
# the regression-style losses compare those rows with the outputs, as the MNIST tutorial does).
KERAS_LOSS_LABELS = {
    "Hinge": "plus_minus_one",
    "SquaredHinge": "plus_minus_one",
    "BinaryCrossentropy": "binary",
    "BinaryFocalCrossentropy": "binary",
    "Dice": "binary",
    "Tversky": "binary",
    "CategoricalCrossentropy": "categorical",
    "CategoricalFocalCrossentropy": "categorical",
    "CategoricalHinge": "categorical",
    "CosineSimilarity": "categorical",
    "Huber": "categorical",
    "KLDivergence": "categorical",
    "LogCosh": "categorical",
    "MeanAbsoluteError": "categorical",
    "MeanSquaredError": "categorical",
    "MeanSquaredLogarithmicError": "categorical",
    "Poisson": "categorical",
}
_SPARSE = (
    "takes integer class indices, and these recipes' datasets give one-hot rows; "
    "use {instead}, the same loss on one-hot targets"
)
KERAS_LOSS_REFUSED = {
    "CTC": "CTC scores label sequences against per-timestep outputs (speech, handwriting); "
    "these recipes train one label per sample",
    "Circle": "Circle compares embeddings of pairs of samples (metric learning); these recipes "
    "train a score per sample",
    "SparseCategoricalCrossentropy": _SPARSE.format(instead="categorical_crossentropy"),
    "CategoricalGeneralizedCrossEntropy": _SPARSE.format(instead="categorical_crossentropy"),
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error divides by the target, and "
    "one-hot targets are 0 for every class but one; use mean_absolute_error",
}
NOT_PARAMETERS = ("self", "reduction", "name", "dtype")


@dataclass(frozen=True)
class KerasLoss:
    """One exported Keras loss class as its source declares it."""

    class_name: str
    formula: str
    parameters: dict[str, Any] = field(default_factory=dict)  # name -> default


def snake_name(class_name: str) -> str:
    """``BinaryFocalCrossentropy`` -> ``binary_focal_crossentropy`` (``KLDivergence`` ->
    ``kl_divergence``, ``CTC`` -> ``ctc``)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name).lower()


def _keras_folder() -> Path:
    return keras_folder()  # Keras' source layout is private: see keras_private.PRIVATE_USES


def exported_class_names(folder: Path | None = None) -> list[str]:
    """The loss classes ``keras.losses`` exports (``Loss`` itself left out), from
    ``keras/losses/__init__.py``."""
    tree = ast.parse((folder or _keras_folder()).joinpath("losses", "__init__.py").read_text())
    return sorted(
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "keras.src.losses.losses"  # private
        for alias in node.names
        if alias.name[0].isupper()
    )


def _formula(docstring: str) -> str:
    """The lines of the ``Formula:`` block as one line (else the docstring's first line)."""
    lines = docstring.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "Formula:"), None)
    if start is None:
        return lines[0].strip()
    body: list[str] = []
    for line in lines[start + 1 :]:
        text = line.strip()
        if text.startswith("```"):
            if body:
                break
            continue
        if not text and body:
            break
        if text:
            body.append(text)
    return "; ".join(body)


def _parameters(init: ast.FunctionDef | None) -> dict[str, Any]:
    if init is None:
        return {}
    arguments = init.args
    positional = arguments.args[len(arguments.args) - len(arguments.defaults) :]
    pairs = [*zip(positional, arguments.defaults, strict=True)]
    pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d]
    found = {}
    for argument, default in pairs:
        if argument.arg in NOT_PARAMETERS:
            continue
        try:
            found[argument.arg] = ast.literal_eval(default)
        except ValueError:
            continue  # not a literal default: not settable from a config
    return found


@cache
def keras_losses() -> dict[str, KerasLoss]:
    """Every exported loss class, by class name, as ``keras/src/losses/losses.py`` declares it."""
    folder = _keras_folder()
    tree = ast.parse(folder.joinpath("src", "losses", "losses.py").read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    found = {}
    for class_name in exported_class_names(folder):
        node = classes[class_name]
        init = next(
            (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
        )
        found[class_name] = KerasLoss(
            class_name, _formula(ast.get_docstring(node) or class_name), _parameters(init)
        )
    return found
