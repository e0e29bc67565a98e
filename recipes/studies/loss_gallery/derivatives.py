"""The gallery's given losses (``gallery.losses``): each loss's value and its derivative with
respect to the score, d loss / d p, i.e. how hard the loss pushes a point with score ``p``.

Each is evaluated like the fixed curves (:func:`.curves.evaluate`): the instance a trainer
compiles with (:func:`recipes.components.losses.get_loss`), a user's ``file.py:function``
included, on one output column with the positive class as the target (y = 1 in both the 0/1
and the -1/+1 encodings), differentiated by the backend's own autodiff.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from recipes.studies.loss_gallery.curves import Curve, CurveSpec, evaluate, format_params
from recipes.studies.loss_gallery.figures import mark_off_axis, plot_loss_curves

SCORE_RANGE = (-3.0, 5.0)
POINTS = 161  # a step of 0.05: the hinge's kink at p = 1 falls on a point
TARGET = 1.0
DERIVATIVES_FILE = "derivatives.csv"
DERIVATIVES_HEADER = ["loss", "score", "target", "value", "derivative"]
DERIVATIVES_FIGURE = "loss_derivatives.png"


def derivative_curves(losses: list[Any], points: int = POINTS) -> list[Curve]:
    """A :class:`~.curves.Curve` for each loss component (``name``, ``params``) given, named
    by its short name and labelled with its parameters (but ``labels``)."""
    from recipes.components.user_loss import short_name

    scores = np.linspace(*SCORE_RANGE, points)
    curves = []
    for index, loss in enumerate(losses):
        name = short_name(loss.name)
        shown = {key: value for key, value in loss.params.items() if key != "labels"}
        label = f"{name} ({format_params(shown)})" if shown else name
        style = {"color": f"C{index % 10}", "lw": 2}
        spec = CurveSpec(name, label, loss.name, dict(loss.params), formula="", style=style)
        curves.append(evaluate(spec, scores, TARGET))
    return curves


def derivative_rows(curves: list[Curve]) -> list[list[Any]]:
    """Rows of derivatives.csv: one per loss and score."""
    return [
        [curve.label, repr(float(p)), repr(curve.target), repr(float(v)), repr(float(d))]
        for curve in curves
        for p, v, d in zip(curve.predictions, curve.values, curve.derivatives, strict=True)
    ]


PUSH_FLOOR = -2.5  # the derivative axis stops here; a steeper loss gets an arrow


def plot_derivative_curves(
    curves: list[Curve], axes: Any = None, backend: str = "", dpi: int = 120
) -> Any:
    """Two panels: the value of each loss against the score (as the gallery's loss figures
    draw it, :func:`.figures.plot_loss_curves`), and its derivative (how hard it pushes a point
    with that score; 0 = not at all). ``axes``: two matplotlib axes, or None for a fresh
    figure; returns the axes."""
    from recipes.report import plots

    if axes is None:
        _, axes = plots.subplots(1, 2, figsize=(12.0, 4.8), dpi=dpi)
    value_ax, push_ax = axes
    title = f"Loss against the score ({backend})" if backend else "Loss"
    plot_loss_curves(curves, ax=value_ax, title=title, legend_loc="upper right")
    for curve in curves:
        push_ax.plot(curve.predictions, curve.derivatives, **curve.style)
    for ax in axes:
        ax.axvline(0.0, color="0.6", lw=0.8)
        ax.axvline(1.0, color="0.6", lw=0.8, ls=":")
        ax.set_xlabel("score p (model output), positive point y = 1")
    push_ax.grid(True, alpha=0.3)
    push_ax.axhline(0.0, color="0.3", lw=0.9)
    push_ax.set_ylabel("d loss / d p  (below 0: pushes p up)")
    top = max((float(np.max(c.values[c.predictions >= -1.5])) for c in curves), default=1.0)
    value_ax.set_ylim(-0.1 * top, 1.1 * top)
    if min((float(np.min(c.derivatives)) for c in curves), default=-1.0) < PUSH_FLOOR:
        # so the losses that saturate near -1 stay readable
        push_ax.set_ylim(PUSH_FLOOR, 0.25)
        mark_off_axis(push_ax, curves, PUSH_FLOOR, derivatives=True)
    push_ax.set_title("How hard each loss pushes a point with this score")
    return axes
