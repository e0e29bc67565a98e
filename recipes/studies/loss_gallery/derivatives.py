"""The gallery's given losses (``gallery.losses``): each loss's value and its derivative with
respect to the score, d loss / d p, i.e. how hard the loss pushes a point with score ``p``.

The derivative is the backend's own autodiff (:func:`recipes.components.gradients.output_gradient`,
the helper the pre-flight check of a user's loss uses), never a finite difference, so a kink
(hinge at the margin) is the value the optimiser sees, not an average across it. Each loss is
the instance a trainer compiles with (:func:`recipes.components.losses.get_loss`), a user's
``file.py:function`` included, evaluated on one output column with the positive class as the
target (y = 1 in both the 0/1 and the -1/+1 encodings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

SCORE_RANGE = (-3.0, 5.0)
POINTS = 161  # a step of 0.05: the hinge's kink at p = 1 falls on a point
TARGET = 1.0
DERIVATIVES_FILE = "derivatives.csv"
DERIVATIVES_HEADER = ["loss", "score", "target", "value", "derivative"]
DERIVATIVES_FIGURE = "loss_derivatives.png"


@dataclass
class DerivativeCurve:
    """One given loss: its value and d value / d score over ``scores``, target ``target``."""

    name: str  # as the config gave it (a user's loss by its short name)
    params: dict[str, Any]
    labels: str  # the targets the loss declares
    scores: np.ndarray
    target: float
    values: np.ndarray
    derivatives: np.ndarray

    @property
    def label(self) -> str:
        shown = {key: value for key, value in self.params.items() if key != "labels"}
        extra = ", ".join(f"{key}={value}" for key, value in shown.items())
        return f"{self.name} ({extra})" if extra else self.name


def loss_derivative(
    name: str, params: dict[str, Any], scores: np.ndarray, target: float = TARGET
) -> tuple[np.ndarray, np.ndarray]:
    """(per-point values, d value / d score) of the named loss at each score, one output
    column, every point with target ``target``."""
    from recipes.components.gradients import output_gradient
    from recipes.components.losses import get_loss

    loss = get_loss(name, params)
    y_pred = np.asarray(scores, dtype="float32").reshape(-1, 1)
    values, gradient = output_gradient(loss.call, np.full_like(y_pred, target), y_pred)
    # + 0.0: a loss that has stopped pushing reads 0, not -0
    return np.asarray(values, float).reshape(-1), np.asarray(gradient, float).reshape(-1) + 0.0


def derivative_curves(losses: list[Any], points: int = POINTS) -> list[DerivativeCurve]:
    """A :class:`DerivativeCurve` for each loss component (``name``, ``params``) given."""
    from recipes.components.losses import loss_label_encoding
    from recipes.components.user_loss import short_name

    scores = np.linspace(*SCORE_RANGE, points)
    curves = []
    for loss in losses:
        values, derivatives = loss_derivative(loss.name, loss.params, scores)
        if not (np.isfinite(values).all() and np.isfinite(derivatives).all()):
            raise ValueError(f"loss gallery: '{short_name(loss.name)}' is not finite on the range")
        curves.append(
            DerivativeCurve(
                name=short_name(loss.name),
                params=dict(loss.params),
                labels=loss_label_encoding(loss.name, loss.params),
                scores=scores,
                target=TARGET,
                values=values,
                derivatives=derivatives,
            )
        )
    return curves


def derivative_rows(curves: list[DerivativeCurve]) -> list[list[Any]]:
    """Rows of derivatives.csv: one per loss and score."""
    return [
        [curve.label, repr(float(p)), repr(curve.target), repr(float(v)), repr(float(d))]
        for curve in curves
        for p, v, d in zip(curve.scores, curve.values, curve.derivatives, strict=True)
    ]


PUSH_FLOOR = -2.5  # the derivative axis stops here; a steeper loss gets an arrow


def _clip_derivatives(ax: Any, curves: list[DerivativeCurve]) -> None:
    """Stop the derivative axis at PUSH_FLOOR (so the losses that saturate near -1 stay
    readable) and say where each steeper curve goes."""
    lowest = min((float(np.min(c.derivatives)) for c in curves), default=-1.0)
    if lowest >= PUSH_FLOOR:
        return
    ax.set_ylim(PUSH_FLOOR, 0.25)
    for index, curve in enumerate(curves):
        below = np.flatnonzero(curve.derivatives < PUSH_FLOOR)
        if below.size:
            x = float(curve.scores[below[-1]])
            ax.annotate(
                f"{curve.name}: {float(np.min(curve.derivatives)):.3g} at p = "
                f"{float(curve.scores[np.argmin(curve.derivatives)]):g} (off the axis)",
                xy=(x, PUSH_FLOOR),
                xytext=(x + 0.4, PUSH_FLOOR + 0.35 + 0.25 * index),
                fontsize=8,
                color=f"C{index % 10}",
                arrowprops={"arrowstyle": "->", "color": f"C{index % 10}"},
            )


def plot_derivative_curves(
    curves: list[DerivativeCurve], axes: Any = None, backend: str = "", dpi: int = 120
) -> Any:
    """Two panels: the value of each loss against the score, and its derivative (how hard it
    pushes a point with that score; 0 = not at all). ``axes``: two matplotlib axes, or None
    for a fresh figure; returns the axes."""
    from recipes.report import plots

    if axes is None:
        _, axes = plots.subplots(1, 2, figsize=(12.0, 4.8), dpi=dpi)
    value_ax, push_ax = axes
    for index, curve in enumerate(curves):
        style = {"color": f"C{index % 10}", "lw": 2}
        value_ax.plot(curve.scores, curve.values, label=plots.legend_label(curve.label), **style)
        push_ax.plot(curve.scores, curve.derivatives, **style)
    for ax in axes:
        ax.axvline(0.0, color="0.6", lw=0.8)
        ax.axvline(1.0, color="0.6", lw=0.8, ls=":")
        ax.grid(True, alpha=0.3)
        ax.set_xlabel("score p (model output), positive point y = 1")
    push_ax.axhline(0.0, color="0.3", lw=0.9)
    value_ax.set_ylabel("loss")
    push_ax.set_ylabel("d loss / d p  (below 0: pushes p up)")
    top = max((float(np.max(c.values[c.scores >= -1.5])) for c in curves), default=1.0)
    value_ax.set_ylim(-0.1 * top, 1.1 * top)
    _clip_derivatives(push_ax, curves)
    value_ax.set_title(f"Loss against the score ({backend})" if backend else "Loss")
    push_ax.set_title("How hard each loss pushes a point with this score")
    value_ax.legend(loc="upper right", fontsize=8.5, framealpha=0.92)
    return axes
