"""Where a loss pushes: each test point's force, the magnitude of the loss's gradient with
respect to the model's output at that point, and ``forces.png`` (two-feature runs).

The force of point i is ``|d loss_i / d z_i|``, z the model's output before its last
activation (the score; the norm over the output's units for one-hot targets): the backend's
autodiff of the loss the model was compiled with with respect to the output
(:func:`recipes.components.gradients.output_gradient`), then the chain rule through the
activation (:func:`through_activation`). It is what the optimiser passes back through the
network for that point: hinge gives 0 to a point beyond the margin, cross-entropy
never quite 0, focal loss little to the easy points. The hardest points are those with the
largest force; :func:`hardest_share` is the share of the total force the hardest 10% carry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from recipes.report.regions import MARKERS

FORCES_FIGURE = "forces.png"
HARDEST_FRACTION = 0.1
SHARE_METRIC = "force_share_hardest_10pct"
FORCE_MAP = "plasma_r"
EPOCH_COLUMNS = 5
FORCE_RANGE = 1e3  # the colour scale's span, largest force / smallest coloured one


def point_forces(
    loss: Any,
    y_true: np.ndarray,
    outputs: np.ndarray,
    output_kind: str = "logit",
    gradient_of: Callable[[np.ndarray, np.ndarray], Any] | None = None,
) -> np.ndarray:
    """|d loss_i / d z_i| for each point, z the output layer's score before its activation
    (``output_kind``: tanh, logit, probability or softmax; :func:`through_activation`).
    ``loss``: a Keras Loss instance, its ``call`` gives the per-point values; ``gradient_of``:
    its gradient with respect to the outputs compiled once (:func:`compiled_gradient`), else
    the backend differentiates it op by op."""
    from recipes.components.gradients import output_gradient

    outputs = np.asarray(outputs, dtype="float32").reshape(len(outputs), -1)
    y_true = np.asarray(y_true, dtype="float32").reshape(len(outputs), -1)
    if gradient_of is None:
        _, gradient = output_gradient(loss.call, y_true, outputs)
    else:
        gradient = gradient_of(y_true, outputs)
    gradient = np.asarray(gradient, float).reshape(outputs.shape)
    return np.linalg.norm(through_activation(gradient, outputs, output_kind), axis=1)


def compiled_gradient(loss: Any) -> Callable[[np.ndarray, np.ndarray], Any]:
    """d sum(loss) / d outputs of a Keras Loss as one compiled JAX function: for the runs of a
    group trained together (same loss, same shapes), which pay its compilation once instead
    of an op-by-op gradient each (about 16 ms a run, against well under 1 ms a call)."""
    import jax
    import keras

    def total(y_true: Any, outputs: Any) -> Any:
        return keras.ops.sum(loss.call(y_true, outputs))

    return jax.jit(jax.grad(total, argnums=1))


def through_activation(gradient: np.ndarray, outputs: np.ndarray, kind: str) -> np.ndarray:
    """d loss / d z from d loss / d output, by the chain rule through the output layer's
    activation: a tanh output has d p / d z = 1 - p^2, a sigmoid p (1 - p), a softmax row the
    Jacobian diag(p) - p p^T; a logit output is z itself.

    Why the score and not the output: a tanh output only approaches +-1, so hinge's gradient
    with respect to the output is -y for every point, however far beyond the margin; what
    the network receives, and what stops once a point is safe, is the gradient through tanh.
    """
    outputs = np.asarray(outputs, float)
    if kind == "tanh":
        return gradient * (1.0 - outputs**2)
    if kind == "probability":
        return gradient * outputs * (1.0 - outputs)
    if kind == "softmax":
        return outputs * (gradient - np.sum(gradient * outputs, axis=1, keepdims=True))
    return gradient


def hardest_share(forces: np.ndarray, fraction: float = HARDEST_FRACTION) -> float | None:
    """The share of the total force carried by the ``fraction`` of points with the largest
    force (at least one point); None when no point is pushed at all."""
    forces = np.sort(np.asarray(forces, float).reshape(-1))[::-1]
    total = float(forces.sum())
    if forces.size == 0 or total <= 0:
        return None
    count = max(1, math.ceil(fraction * forces.size))
    return float(forces[:count].sum() / total)


def share_text(share: float | None) -> str:
    return "no point pushed" if share is None else f"hardest 10% carry {share:.0%}"


def plot_point_forces(
    ax: Any,
    points: np.ndarray,
    labels: np.ndarray,
    forces: np.ndarray,
    norm: Any,
    size: float = 60.0,
) -> Any:
    """The points over whatever ``ax`` shows (the decision regions): colour and size by force
    (``norm``: the colour scale, shared by a figure's panels), marker by class (squares the
    negative class, triangles the positive one, as decision_boundary.png). Returns ``ax``."""
    labels = np.asarray(labels).reshape(-1)
    forces = np.asarray(forces, float).reshape(-1)
    scaled = np.clip(np.ma.filled(norm(forces), 0.0), 0, 1)
    for index, label in enumerate(sorted(np.unique(labels).tolist())):
        chosen = labels == label
        ax.scatter(
            points[chosen, 0], points[chosen, 1], c=forces[chosen], cmap=FORCE_MAP, norm=norm,
            s=4 + size * scaled[chosen], marker=MARKERS[index % len(MARKERS)],
            edgecolors="black", linewidths=0.25, zorder=3,
        )  # fmt: skip
    return ax


def plot_share_by_epoch(
    ax: Any, epochs: Sequence[int], shares: Sequence[float | None], final: float | None
) -> Any:
    """The hardest 10%'s share of the force at each recorded epoch (and at the end).
    Returns ``ax``."""
    shown = [(e, s) for e, s in zip(epochs, shares, strict=True) if s is not None]
    if shown:
        ax.plot(*zip(*shown, strict=True), marker="o", color="C3", lw=1.6, label="recorded epochs")
    if final is not None:
        ax.axhline(final, color="0.3", ls="--", lw=1, label=f"end of training: {final:.0%}")
    ax.axhline(HARDEST_FRACTION, color="0.6", ls=":", lw=1, label="every point pushed alike")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("epoch")
    ax.set_ylabel("share of the total force")
    ax.set_title("Carried by the hardest 10% of test points", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    return ax


def panel_indices(count: int, panels: int = EPOCH_COLUMNS) -> list[int]:
    """Which of ``count`` recorded epochs get a panel: all when they fit in one row, else
    ``panels`` spread from the first to the last."""
    if count <= panels:
        return list(range(count))
    return sorted({int(round(i)) for i in np.linspace(0, count - 1, panels)})


def draw_colour_bar(ax: Any, norm: Any) -> Any:
    """The force's colour scale, drawn in ``ax``; returns it."""
    import matplotlib.cm

    from recipes.report.plots import PlainLogFormatter

    mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=FORCE_MAP)
    bar = ax.figure.colorbar(mappable, cax=ax)
    bar.set_label("force |d loss / d score| (colour, size; log scale)")
    bar.ax.yaxis.set_major_formatter(PlainLogFormatter())
    return bar


def force_norm(*forces: np.ndarray) -> Any:
    """One colour scale for every panel, logarithmic (forces through a saturating output fall
    off by orders of magnitude): FORCE_RANGE below the largest force drawn up to it; a smaller
    force takes the lightest colour."""
    top = max((float(np.max(f)) for f in forces if np.size(f)), default=1.0)
    top = top if top > 0 else 1.0
    import matplotlib.colors

    return matplotlib.colors.LogNorm(top / FORCE_RANGE, top, clip=True)


def forces_summary(recording: Any) -> dict[str, Any]:
    """run.json's ``forces``: the hardest 10%'s share of the force at the end of training and
    at each recorded epoch (the last is the end)."""
    shares = [hardest_share(forces) for forces in recording.point_forces]
    return {
        "hardest_10pct_share": shares[-1],
        "epochs": [int(epoch) for epoch in recording.epochs],
        "hardest_10pct_share_by_epoch": shares,
    }


def forces_figure(
    recording: Any,
    title: str,
    dpi: int = 120,
    margins: bool = True,
    class_names: Any = None,
) -> Any:
    """forces.png: the end of training large on the left (the decision regions and each test
    point coloured and sized by its force), the hardest 10%'s share by epoch on the right, a
    row of small panels for recorded epochs below. Laid out in inches, the texts' sizes known
    (a tight_layout, which measures them, took a third of the drawing). Returns the figure."""
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    from recipes.report.canvas import new_figure
    from recipes.report.regions import draw_boundary

    shares = [hardest_share(forces) for forces in recording.point_forces]
    norm = force_norm(*recording.point_forces)
    count = len(recording.epochs)
    shown = panel_indices(count) if count > 1 else []  # the end alone: no row of panels
    width, panel = 13.0, 1.85
    height = 5.6 + (2.5 if shown else 0.0)
    figure = new_figure(figsize=(width, height), dpi=dpi)
    figure.set_layout_engine(PlaceHolderLayoutEngine(True, True))

    def axes(x: float, y: float, w: float, h: float) -> Any:  # inches from the bottom left
        return figure.add_axes((x / width, y / height, w / width, h / height))

    bottom = 3.05 if shown else 0.6
    side = height - 0.7 - bottom  # the final panel's, square
    final_ax, colour_ax = axes(0.9, bottom, side, side), axes(side + 1.05, bottom, 0.2, side)
    share_ax = axes(side + 2.55, bottom, width - side - 2.8, side)
    draw_boundary(final_ax, recording, -1, margins=margins, points=False, rings=False, legend=False)
    plot_point_forces(final_ax, recording.points, recording.labels, recording.point_forces[-1],
                      norm)  # fmt: skip
    final_ax.set_title(f"End of training: {share_text(shares[-1])} of the force")
    draw_colour_bar(colour_ax, norm)
    step = (width - 1.2 - panel) / max(len(shown) - 1, 1)
    for column, index in enumerate(shown):
        ax = axes(0.6 + column * step, 0.45, panel, panel)
        draw_boundary(ax, recording, index, margins=False, points=False, legend=False)
        plot_point_forces(ax, recording.points, recording.labels, recording.point_forces[index],
                          norm, size=25)  # fmt: skip
        ax.set_xticks([])
        ax.set_yticks([])
        epoch = recording.epochs[index]
        ax.set_xlabel(f"epoch {epoch}: {share_text(shares[index])}", fontsize=8)
    plot_share_by_epoch(share_ax, list(recording.epochs), shares, shares[-1])
    figure.suptitle(
        f"{title}: where the loss pushes (each test point by |d loss / d score|)", fontsize=11
    )
    return figure
