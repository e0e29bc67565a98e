"""Label encodings: from class indices to the targets a loss needs, and from targets and raw
model outputs back to integer labels, the same way for every recipe.

Each registered loss declares the targets it needs (``labels=`` in
:mod:`recipes.components.losses`); a dataset that reads the user's own classes encodes them with
:func:`encode_labels`, so the loss, not the dataset, decides the mapping.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

# The targets a loss trains on: plus_minus_one (-1/+1) and binary (0/1) hold two classes,
# categorical (one-hot rows) any number.
LabelKind = Literal["plus_minus_one", "binary", "categorical"]
TWO_CLASS_KINDS = ("plus_minus_one", "binary")


def encode_labels(class_indices: np.ndarray, kind: LabelKind, classes: int) -> np.ndarray:
    """float32 targets from class indices 0..classes-1: -1/+1, 0/1 (index 0 is the negative
    class) or one-hot rows."""
    class_indices = np.asarray(class_indices, dtype=int).reshape(-1)
    if kind == "categorical":
        return np.eye(classes, dtype="float32")[class_indices]
    if classes != 2:
        raise ValueError(f"{kind} labels need exactly 2 classes, got {classes}")
    if kind == "plus_minus_one":
        return np.where(class_indices == 1, 1.0, -1.0).astype("float32")
    return class_indices.astype("float32")


def predicted_labels(scores: np.ndarray, label_kind: str, output_kind: str) -> np.ndarray:
    """Turn raw model outputs into labels in the dataset's encoding.

    -1/+1 and logit outputs threshold at 0, probabilities at 0.5, softmax rows take the argmax
    (labels are then class indices).
    """
    scores = np.asarray(scores)
    if label_kind == "categorical" or output_kind == "softmax":
        return np.argmax(scores.reshape(len(scores), -1), axis=1)
    flat = scores.reshape(-1)
    threshold = 0.5 if output_kind == "probability" else 0.0
    positive = flat >= threshold
    if label_kind == "plus_minus_one":
        return np.where(positive, 1, -1)
    return positive.astype(int)


def true_labels(targets: np.ndarray, label_kind: str) -> np.ndarray:
    """Integer labels from targets: class index for one-hot rows, else the target itself."""
    targets = np.asarray(targets)
    if label_kind == "categorical":
        return np.argmax(targets.reshape(len(targets), -1), axis=1)
    return targets.reshape(-1).astype(int)
