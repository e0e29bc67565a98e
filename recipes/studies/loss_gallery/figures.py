"""The gallery's figures: loss value against prediction, one line per curve, and the given
losses' derivatives beside their values.

Each plot function draws on the matplotlib ``ax`` (or axes) it is given, a fresh one when none
is, and returns it; :func:`gallery_figures` draws every figure of a run, the task saves them
(:func:`recipes.report.canvas.save_figure`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from recipes.studies.loss_gallery.curves import CLASSIFICATION_TARGET, Curve

CLASSIFICATION_Y_LIMITS = (-0.15, 4.6)
GALLERY_FIGURE_SIZE = (7.6, 5.0)

REGRESSION_FIGURE = "regression_losses.png"
CLASSIFICATION_FIGURE = "classification_losses.png"
DERIVATIVES_FIGURE = "loss_derivatives.png"
PUSH_FLOOR = -2.5  # the derivative axis stops here; a steeper loss gets an arrow


def mark_off_axis(ax: Any, curves: list[Curve], limit: float, derivatives: bool = False) -> None:
    """An arrow, saying how far the curve goes and where, for each curve that leaves the axis
    at ``limit``: its values above it or (``derivatives``) its derivatives below it. NaN
    (undefined) points never leave. Call it once the y limits are set."""
    bottom, top = ax.get_ylim()
    sign = -1.0 if derivatives else 1.0  # a derivative leaves downwards: flip it to compare
    arrows = 0
    for curve in curves:
        values = sign * (curve.derivatives if derivatives else curve.values)
        beyond = np.flatnonzero(values > sign * limit)  # False where NaN
        if not beyond.size:
            continue
        x, farthest = float(curve.predictions[beyond[-1]]), int(np.nanargmax(values))
        colour = curve.style.get("color", "black")
        ax.annotate(
            f"{curve.label}: {'down' if derivatives else 'up'} to {sign * values[farthest]:.3g}\n"
            f"at p = {curve.predictions[farthest]:g} (off the axis)",
            xy=(x, limit),
            xytext=(x + 0.45, limit - sign * (0.12 + 0.1 * arrows) * (top - bottom)),
            fontsize=8,
            color=colour,
            arrowprops={"arrowstyle": "->", "color": colour},
        )
        arrows += 1


def plot_loss_curves(
    curves: list[Curve],
    ax: Any = None,
    title: str | None = None,
    target: float | None = None,
    y_limits: tuple[float, float] | None = None,
    legend_loc: str = "best",
    probability_band: bool = False,
    dpi: int = 120,
) -> Any:
    """Loss value against prediction, one line per curve; NaN (undefined) points are not drawn.

    A curve that leaves ``y_limits`` gets an arrow saying where it goes; ``probability_band``
    shades 0 < p < 1, the only place a prediction is a probability. Without ``ax``, fresh axes
    of the gallery's size.
    """
    from recipes.report import plots

    if ax is None:
        ax = plots.new_axes(GALLERY_FIGURE_SIZE, dpi=dpi)
    if probability_band:
        ax.axvspan(0, 1, color="0.85", alpha=0.6, lw=0, label="0 < p < 1 (a probability)")
    if target is not None:
        ax.axvline(target, color="0.45", lw=0.9, ls=(0, (1, 2)), label=f"target y = {target:g}")
    for curve in curves:
        label = plots.legend_label(curve.label)
        ax.plot(curve.predictions, curve.values, label=label, **curve.style)
    if y_limits is not None:
        ax.set_ylim(*y_limits)
        mark_off_axis(ax, curves, y_limits[1])
    ax.set_xlabel("prediction p")
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    ax.legend(loc=legend_loc, framealpha=0.92, fontsize=8.5)
    if title:
        ax.set_title(title)
    return ax


def gallery_figures(
    regression: list[Curve],
    classification: list[Curve],
    given: list[Curve],
    backend: str,
    dpi: int = 120,
) -> dict[str, Any]:
    """Every figure of a gallery run, by file name: the regression losses (legend at the top
    centre, above the valley), the classification losses (legend at the top right, where every
    loss is near 0; the y-axis stops at 4.6 and says where the squared hinge goes) and, when
    losses are given, their derivatives (the first of its two axes)."""
    figures = {
        REGRESSION_FIGURE: plot_loss_curves(
            regression,
            dpi=dpi,
            legend_loc="upper center",
            title=f"Regression losses against the prediction, target 0 ({backend})",
        ),
        CLASSIFICATION_FIGURE: plot_loss_curves(
            classification,
            dpi=dpi,
            target=CLASSIFICATION_TARGET,
            y_limits=CLASSIFICATION_Y_LIMITS,
            legend_loc="upper right",
            probability_band=True,
            title=f"Classification losses against the prediction, target 1 ({backend})",
        ),
    }
    if given:
        figures[DERIVATIVES_FIGURE] = plot_derivative_curves(given, backend=backend, dpi=dpi)[0]
    return figures


def plot_derivative_curves(
    curves: list[Curve], axes: Any = None, backend: str = "", dpi: int = 120
) -> Any:
    """Two panels: the value of each loss against the score (as the gallery's loss figures
    draw it, :func:`plot_loss_curves`), and its derivative (how hard it pushes a point
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
