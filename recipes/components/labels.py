"""From targets and raw model outputs to integer labels, the same way for every recipe."""

from __future__ import annotations

import numpy as np


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
