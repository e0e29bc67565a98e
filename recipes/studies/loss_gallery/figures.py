"""The gallery's figures: loss value against prediction, one line per curve.

Each function draws on the matplotlib ``ax`` it is given (a fresh one when none is) and returns
it; saving is the task's job (:func:`recipes.report.canvas.save_figure`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from recipes.studies.loss_gallery.curves import CLASSIFICATION_TARGET, Curve

CLASSIFICATION_Y_LIMITS = (-0.15, 4.6)
GALLERY_FIGURE_SIZE = (7.6, 5.0)

REGRESSION_FIGURE = "regression_losses.png"
CLASSIFICATION_FIGURE = "classification_losses.png"


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


def regression_figure(curves: list[Curve], backend: str, dpi: int = 120, ax: Any = None) -> Any:
    """The axes of regression_losses.png (legend at the top centre, above the valley)."""
    return plot_loss_curves(
        curves,
        ax=ax,
        dpi=dpi,
        title=f"Regression losses against the prediction, target 0 ({backend})",
        legend_loc="upper center",
    )


def classification_figure(curves: list[Curve], backend: str, dpi: int = 120, ax: Any = None) -> Any:
    """The axes of classification_losses.png (legend at the top right, where every loss is
    near 0; the y-axis stops at 4.6 and says where the squared hinge goes)."""
    return plot_loss_curves(
        curves,
        ax=ax,
        dpi=dpi,
        title=f"Classification losses against the prediction, target 1 ({backend})",
        target=CLASSIFICATION_TARGET,
        y_limits=CLASSIFICATION_Y_LIMITS,
        legend_loc="upper right",
        probability_band=True,
    )
