"""What the gallery writes as text: the rows of ``curves.csv`` and ``derivatives.csv``, and
``report.md``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from recipes.files import MarkdownCode, MarkdownParts, markdown_table
from recipes.studies.loss_gallery.curves import POSITIVE_WEIGHT, Curve, format_params
from recipes.studies.loss_gallery.examples import FLOAT32_SLACK, Example
from recipes.studies.loss_gallery.figures import (
    CLASSIFICATION_FIGURE,
    DERIVATIVES_FIGURE,
    REGRESSION_FIGURE,
)

CURVES_FILE = "curves.csv"
CURVE_HEADER = ["loss", "prediction", "target", "value"]
DERIVATIVES_FILE = "derivatives.csv"
DERIVATIVES_HEADER = ["loss", "score", "target", "value", "derivative"]
REPORT_FILE = "report.md"
PUSH_AT = (-2.0, 0.0, 1.5, 4.0)  # scores the report reads each derivative at


def curve_rows(curves: list[Curve]) -> list[list[Any]]:
    """Rows of curves.csv: one per defined point (undefined points are left out)."""
    return [
        [curve.name, repr(float(p)), repr(float(curve.target)), repr(float(v))]
        for curve in curves
        for p, v in zip(curve.predictions, curve.values, strict=True)
        if math.isfinite(v)
    ]


def derivative_rows(curves: list[Curve]) -> list[list[Any]]:
    """Rows of derivatives.csv: one per loss and score."""
    return [
        [curve.label, repr(float(p)), repr(curve.target), repr(float(v)), repr(float(d))]
        for curve in curves
        for p, v, d in zip(curve.predictions, curve.values, curve.derivatives, strict=True)
    ]


def render_report(
    examples: list[Example],
    curves: dict[str, list[Curve]],
    backend: str,
    versions: dict[str, str],
    run_id: str,
    given: list[Curve] = (),
) -> str:
    """report.md: figures, the worked-examples table and what differs from the tutorials."""
    lines = [
        "# Loss gallery",
        "",
        f"Run `{run_id}`, Keras {versions.get('keras', '?')} on the **{backend}** backend. Every "
        "value is computed by the loss registry (`recipes.components.losses.get_loss`) in "
        "float32, the loss a training recipe would compile with.",
        "",
    ]
    lines += _curves_section(curves)
    lines += _derivatives_section(list(given))
    lines += _examples_section(examples)
    lines += _notes(examples)
    return "\n".join(lines) + "\n"


def _curves_section(curves: dict[str, list[Curve]]) -> list[str]:
    """The two figures and a table of their curves (``curves``: figure name -> curves)."""
    rows = [
        [
            figure,
            curve.label,
            # code spans as parts: the table escapes text, never the code the project writes
            MarkdownParts(
                (
                    MarkdownCode(curve.loss),
                    f" ({format_params(curve.params)})" if curve.params else "",
                )
            ),
            MarkdownCode(curve.formula),
            curve.note,
        ]
        for figure, figure_curves in curves.items()
        for curve in figure_curves
    ]
    return [
        "## Regression losses (target 0)",
        "",
        f"![regression losses]({REGRESSION_FIGURE})",
        "",
        "## Classification losses (target 1)",
        "",
        f"![classification losses]({CLASSIFICATION_FIGURE})",
        "",
        markdown_table(["figure", "curve", "registry loss", "formula", "note"], rows).rstrip(),
        "",
        f"Curve values: `{CURVES_FILE}` (loss, prediction, target, value); points where a loss "
        "is not defined are left out.",
        "",
    ]


def _derivatives_section(given: list[Curve]) -> list[str]:
    """The given losses (``gallery.losses``): their value and how hard they push."""
    from recipes.components.losses import loss_label_encoding

    if not given:
        return []
    rows = [
        [
            curve.label,
            loss_label_encoding(curve.loss, curve.params),
            *(
                f"{curve.derivatives[np.argmin(np.abs(curve.predictions - p))]:.4g}"
                for p in PUSH_AT
            ),
        ]
        for curve in given
    ]
    return [
        "## How hard each loss pushes (the losses in `gallery.losses`)",
        "",
        f"![losses and their derivatives]({DERIVATIVES_FIGURE})",
        "",
        "The derivative d loss / d p is the backend's autodiff of the loss a trainer compiles "
        "with, for a positive point (y = 1) with score p: below 0 the loss pushes the score "
        "up, at 0 it has stopped pushing.",
        "",
        markdown_table(
            ["loss", "targets", *(f"d/dp at p = {p:g}" for p in PUSH_AT)], rows
        ).rstrip(),
        "",
        f"Values and derivatives: `{DERIVATIVES_FILE}` (loss, score, target, value, derivative).",
        "",
    ]


def _published(example: Example) -> str:
    """The published value as printed, or the reference where the tutorial prints none."""
    if example.published is not None:
        return f"{example.published:.{example.decimals}f}"
    return f"— (reference {example.reference:.8f})"


def _examples_section(examples: list[Example]) -> list[str]:
    """The worked-examples table, headed by how many match."""
    matched = sum(e.match for e in examples)
    header = [
        "example",
        "source",
        "inputs",
        "computation",
        "published",
        "computed",
        "abs diff",
        "match",
    ]
    rows = [
        [
            e.name,
            e.source,
            e.inputs,
            MarkdownCode(e.computation),
            _published(e),
            f"{e.computed:.8f}",
            f"{e.abs_diff:.2g}",
            "yes" if e.match else "**no**",
        ]
        for e in examples
    ]
    return [
        f"## Worked examples: {matched} of {len(examples)} match",
        "",
        "A value matches when |computed - published| is at most half a unit in the published "
        f"last digit plus {FLOAT32_SLACK:g} (float32 rounding).",
        "",
        markdown_table(header, rows).rstrip(),
    ]


def _notes(examples: list[Example]) -> list[str]:
    """The examples' notes, then what differs from the tutorials."""
    lines = ["", "## Notes", ""]
    lines += [f"- **{e.name}**: {e.note}." for e in examples if e.note]
    lines += [
        "- In the classification figure the prediction p is the model's raw output: a score "
        "for the hinge losses, a logit for the sigmoid and focal losses, a probability only "
        "for the plain cross-entropy.",
        "- Pseudo-Huber is not a Keras loss: it is registered as `pseudo_huber` "
        "(`recipes.components.keras_objects.PseudoHuber`), so it can also be trained with.",
        f"- Weighted sigmoid cross-entropy (positive weight {POSITIVE_WEIGHT:g}) is "
        "`binary_crossentropy(from_logits=True)` with sample weight "
        f"{POSITIVE_WEIGHT:g} on positive samples, the same as TF1's "
        "`weighted_cross_entropy_with_logits` for 0/1 labels.",
        "- 002's cross-entropy on probabilities evaluates `log(p)` on predictions from -3 to 5; "
        "it is drawn only where 0 < p < 1. Keras clips a probability to [1e-7, 1 - 1e-7], so "
        "outside that interval it would return finite, meaningless values.",
    ]
    return lines
