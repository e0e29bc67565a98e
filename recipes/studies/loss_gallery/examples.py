"""The tutorials' worked examples, recomputed through the loss registry.

Tutorial 001 (PyTorch): BCE on sigmoid outputs and on logits, cross-entropy / NLL / KL from
one-hot targets, the focal loss beside BCE, and the symmetric cross-entropy ratio. Tutorial 002
(TensorFlow): softmax cross-entropy on logits (no printed value: compared with a float64
reference). Tutorial 003: the KL divergence of two XOR-network outputs. Each is an
:class:`Example` with the published value next to the computed one (``examples.csv``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from recipes.studies.loss_gallery.curves import (
    FOCAL_PARAMS,
    format_params,
    mean_loss,
)

# Float32 results agree with a published (itself float32) value to about 1e-7, not better.
FLOAT32_SLACK = 1e-7
EXAMPLES_FILE = "examples.csv"


@dataclass
class Example:
    """A worked example: a tutorial's published value next to the one Keras computes."""

    name: str
    source: str
    inputs: str
    computation: str
    computed: float
    published: float | None
    decimals: int
    reference: float | None = None
    note: str = ""

    @property
    def expected(self) -> float:
        """The published value, or (where the tutorial prints none) a float64 reference."""
        return self.published if self.published is not None else float(self.reference)

    @property
    def tolerance(self) -> float:
        """Half a unit in the last printed digit, plus float32 rounding."""
        return 0.5 * 10.0**-self.decimals + FLOAT32_SLACK

    @property
    def abs_diff(self) -> float:
        return abs(self.computed - self.expected)

    @property
    def match(self) -> bool:
        return math.isfinite(self.computed) and self.abs_diff <= self.tolerance


def worked_examples() -> list[Example]:
    """The tutorials' worked examples recomputed through the registry (see module docstring)."""
    return (
        _bce_examples()
        + _categorical_examples()
        + [_softmax_002_example()]
        + [
            _kl_003_example("kl_003_a", [0.07158904, 0.92822515], 0.07447962),
            _kl_003_example("kl_003_d", [0.11774177, 0.88200493], 0.12555622),
        ]
        + _focal_examples()
        + _symmetric_ce_examples()
    )


def _bce_examples() -> list[Example]:
    """001: BCELoss on sigmoid outputs vs BCEWithLogitsLoss on logits."""
    import keras

    logits = np.float32([5.0, 3.0, 10.0, -5.0, -3.0, -10.0])
    labels = np.float32([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    inputs = "y_pred = [5, 3, 10, -5, -3, -10], y_true = [1, 1, 1, 0, 0, 0]"
    return [
        Example(
            name="bce_on_sigmoid",
            source="001 (torch nn.BCELoss)",
            inputs=inputs,
            computation="binary_crossentropy(y_true, sigmoid(y_pred))",
            computed=mean_loss("binary_crossentropy", {}, labels, keras.ops.sigmoid(logits)),
            published=0.0184,
            decimals=4,
            note="on TensorFlow Keras reads the logits behind a sigmoid output, so this equals "
            "bce_on_logits exactly; JAX and PyTorch use the probability clipped to "
            "[1e-7, 1 - 1e-7] and differ in the 9th decimal",
        ),
        Example(
            name="bce_on_logits",
            source="001 (torch nn.BCEWithLogitsLoss)",
            inputs=inputs,
            computation="binary_crossentropy(from_logits=True)(y_true, y_pred)",
            computed=mean_loss("binary_crossentropy", {"from_logits": True}, labels, logits),
            published=0.0184,
            decimals=4,
        ),
    ]


def _categorical_examples() -> list[Example]:
    """001: CrossEntropyLoss == LogSoftmax + NLLLoss == KLDivLoss from one-hot targets."""
    from keras import ops

    logits = np.float32([[10.0, 0.0, -10.0], [8.0, 8.0, 8.0]])
    one_hot = ops.one_hot(ops.convert_to_tensor([0, 2]), 3)
    inputs = "logits = [[10, 0, -10], [8, 8, 8]], labels = [0, 2] (one-hot)"
    return [
        Example(
            name="categorical_ce_on_logits",
            source="001 (torch nn.CrossEntropyLoss / NLLLoss)",
            inputs=inputs,
            computation="categorical_crossentropy(from_logits=True)(one_hot, logits)",
            computed=mean_loss("categorical_crossentropy", {"from_logits": True}, one_hot, logits),
            published=0.5493,
            decimals=4,
        ),
        Example(
            name="kl_divergence_from_one_hot",
            source="001 (torch nn.KLDivLoss, batchmean)",
            inputs=inputs,
            computation="kl_divergence(one_hot, softmax(logits))",
            computed=mean_loss("kl_divergence", {}, one_hot, ops.softmax(logits)),
            published=0.5493,
            decimals=4,
            note="torch's KLDivLoss takes log-probabilities; Keras' KLDivergence takes "
            "probabilities (sum over classes, mean over samples, like batchmean)",
        ),
    ]


def _softmax_002_example() -> Example:
    """002: tf.nn.softmax_cross_entropy_with_logits; the text prints no value."""
    from scipy.special import log_softmax

    logits_002 = np.array([[1.0, -3.0, 10.0]])
    target_002 = np.array([[0.1, 0.02, 0.88]])
    reference = float(-(target_002 * log_softmax(logits_002, axis=-1)).sum())
    return Example(
        name="softmax_ce_002",
        source="002 (tf.nn.softmax_cross_entropy_with_logits)",
        inputs="logits = [[1, -3, 10]], target = [[0.1, 0.02, 0.88]]",
        computation="categorical_crossentropy(from_logits=True)(target, logits)",
        computed=mean_loss(
            "categorical_crossentropy",
            {"from_logits": True},
            np.float32(target_002),
            np.float32(logits_002),
        ),
        published=None,
        decimals=6,
        reference=reference,
        note="002 prints no value: compared with a float64 NumPy reference "
        "-sum(t * log_softmax(z))",
    )


def _kl_003_example(name: str, predicted: list[float], published: float) -> Example:
    """003: KL([0, 1] || ``predicted``), one of two XOR-network outputs, through the registry,
    against 003's ``published`` value."""
    # What the text's formula gives with 0 log 0 = 0, and the term Keras' clip of p to
    # [epsilon, 1] adds instead of that 0 (float64 NumPy: notes only, not the loss).
    textbook = -math.log(predicted[1])
    epsilon = 1e-7
    clip_term = epsilon * math.log(epsilon / predicted[0])
    return Example(
        name=name,
        source="003 (KL / relative entropy, eq. 10-1)",
        inputs=f"p = [0, 1], q = {predicted}",
        computation="kl_divergence([[0, 1]], [q])",
        computed=mean_loss("kl_divergence", {}, np.float32([[0.0, 1.0]]), np.float32([predicted])),
        published=published,
        decimals=8,
        note=f"the text's formula with 0 log 0 = 0 gives {textbook:.8f}, "
        f"{textbook - published:.2g} above the published value; Keras clips p to "
        f"[1e-7, 1], so the 0 entry adds 1e-7 log(1e-7 / q_0) = {clip_term:.3g}, "
        "and the published value matches that to float32 rounding (so it was "
        "probably computed with such a clip)",
    )


def _focal_examples() -> list[Example]:
    """001's focal example (gamma 2, alpha 0.75; probabilities), and the BCE beside it."""
    examples = []
    cases = {
        "easy": ([[0.9], [0.1]], 0.0005, 0.1054),
        "hard": ([[0.5], [0.5]], 0.0866, 0.6931),
    }
    y_true = np.float32([[1.0], [0.0]])
    for case, (predicted, focal_published, bce_published) in cases.items():
        inputs = f"y_pred = {predicted}, y_true = [[1], [0]]"
        params = {**FOCAL_PARAMS, "from_logits": False}
        examples.append(
            Example(
                name=f"focal_{case}",
                source="001 (FocalLoss, gamma 2, alpha 0.75)",
                inputs=inputs,
                computation=f"focal({format_params(params)})(y_true, y_pred)",
                computed=mean_loss("focal", params, y_true, np.float32(predicted)),
                published=focal_published,
                decimals=4,
            )
        )
        examples.append(
            Example(
                name=f"bce_{case}",
                source="001 (torch nn.BCELoss, beside FocalLoss)",
                inputs=inputs,
                computation="binary_crossentropy(y_true, y_pred)",
                computed=mean_loss("binary_crossentropy", {}, y_true, np.float32(predicted)),
                published=bce_published,
                decimals=4,
            )
        )
    return examples


def _symmetric_ce_examples() -> list[Example]:
    """001's symmetric cross-entropy example: rce / ce for a clean and a noisy label.

    ``alpha`` weighs ce and ``beta`` rce, so ce and rce are each the loss with the other
    weight 0.
    """
    base = {"from_logits": False}
    examples = []
    for case, label, published in (("clean", 1.0, 8.2502), ("noisy", 0.0, 4.5786)):
        y_true, y_pred = np.float32([[label]]), np.float32([[0.8]])
        ce = mean_loss(
            "symmetric_crossentropy", {**base, "alpha": 1.0, "beta": 0.0}, y_true, y_pred
        )
        rce = mean_loss(
            "symmetric_crossentropy", {**base, "alpha": 0.0, "beta": 1.0}, y_true, y_pred
        )
        examples.append(
            Example(
                name=f"sce_ratio_{case}",
                source="001 (SCE, rce(y, p) / ce(y, p), clamps 1e-4)",
                inputs=f"y = {label:g}, p = 0.8",
                computation="symmetric_crossentropy(alpha=0, beta=1) "
                "/ symmetric_crossentropy(alpha=1, beta=0)",
                computed=rce / ce,
                published=published,
                decimals=4,
            )
        )
    return examples


# ------------------------------------------------------------------------------ examples.csv


def example_table(examples: list[Example]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of examples.csv."""
    rows = [
        {
            "example": e.name,
            "source": e.source,
            "inputs": e.inputs,
            "computation": e.computation,
            "published": "" if e.published is None else repr(e.published),
            "reference": "" if e.reference is None else repr(e.reference),
            "computed": repr(e.computed),
            "abs_diff": f"{e.abs_diff:.3g}",
            "tolerance": f"{e.tolerance:.3g}",
            "match": e.match,
            "note": e.note,
        }
        for e in examples
    ]
    return list(rows[0]), [list(row.values()) for row in rows]
