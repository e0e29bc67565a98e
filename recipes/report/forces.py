"""Where a loss pushes: each test point's force, the magnitude of the loss's gradient with
respect to the model's output at that point, and ``forces.png`` (two-feature runs).

The force of point i is ``|d loss_i / d z_i|``, z the model's output before its last
activation (the score; the norm over the output's units for one-hot targets): the backend's
autodiff of the loss the model was compiled with with respect to the output
(:func:`recipes.components.gradients.output_gradient`), then the chain rule through the
activation (:func:`through_activation`). It is what the optimiser passes back through the
network for that point: hinge gives 0 to a point beyond the margin, cross-entropy
never quite 0, focal loss little to the easy points.

Where the force goes is read per class (:func:`class_shares`): each class's share of the total
force against its share of the points, what an even spread would give it. That reads the same
on balanced and imbalanced data: on the circles the inner circle, 52% of the points, carries
99% of hinge's force at every epoch; on the rings the inner ring, 14%, carries about half of
focal's. How much force there is at all (the mean, which falls by orders of magnitude as the
points clear the margin) is drawn beside it: the shares stay while the thumbnails fade.
:func:`hardest_share`, the share the hardest 10% of the points carry, stays in the metrics
(``force_share_hardest_10pct``), written against an even spread's 10% (":func:`share_text`"):
on the circles it is 19% at every epoch, 1.9 times even, because the hardest tenth is a slice
of the inner circle, whose points are pushed alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from recipes.report.canvas import legend_label
from recipes.report.regions import MARKERS, class_colours

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
    """The hardest 10%'s share against what an even spread gives them (10%)."""
    if share is None:
        return "no point pushed"
    return f"hardest 10% carry {share:.0%} of the force ({share / HARDEST_FRACTION:.1f}× even)"


class ClassShare(NamedTuple):
    """One class's share of the test points and of the total force on them."""

    label: int
    points: float
    force: float

    @property
    def ratio(self) -> float:
        """Its force against an even spread's (1: pushed as much as its count gives it)."""
        return self.force / self.points if self.points else math.nan


def class_shares(
    forces: np.ndarray, labels: np.ndarray, classes: Sequence[int]
) -> list[ClassShare] | None:
    """Each class's share of the points and of the total force, in ``classes`` order; None
    when no point is pushed at all."""
    forces = np.asarray(forces, float).reshape(-1)
    labels = np.asarray(labels).reshape(-1)
    total = float(forces.sum())
    if forces.size == 0 or total <= 0:
        return None
    return [
        ClassShare(int(c), float(np.mean(labels == c)), float(forces[labels == c].sum() / total))
        for c in classes
    ]


def pushed_class(shares: Sequence[ClassShare]) -> ClassShare:
    """The class pushed most against its count (the first of equals)."""
    return max(shares, key=lambda share: share.ratio)


def class_name(label: int, names: Mapping[int, str] | None) -> str:
    """A class as the figures name it: its name (the data's), else ``class <label>``."""
    return (names or {}).get(label, f"class {label}")


def class_text(shares: Sequence[ClassShare] | None, names: Mapping[int, str] | None) -> str:
    """The class pushed most against its count, in words: ``inner circle (+1), 52% of the
    points, carries 99% of the force``."""
    if shares is None:
        return "no point pushed"
    most = pushed_class(shares)
    name = class_name(most.label, names)
    return f"{name}, {most.points:.0%} of the points, carries {most.force:.0%} of the force"


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


def plot_class_shares(
    ax: Any,
    epochs: Sequence[int],
    shares: Sequence[Sequence[ClassShare] | None],
    mean_forces: Sequence[float],
    names: Mapping[int, str] | None = None,
) -> Any:
    """Where the force goes and how much there is, by recorded epoch: each class's share of
    the total force (solid, its colour) against its share of the points (dotted: what an
    even spread would give it), and on a second, logarithmic axis the mean force (grey,
    dashed); the legend below the axes. Returns ``ax`` (the shares' axes)."""
    from matplotlib.ticker import MaxNLocator

    from recipes.report.plots import PlainLogFormatter

    known = [(e, s) for e, s in zip(epochs, shares, strict=True) if s is not None]
    classes = [share.label for share in known[-1][1]] if known else []
    colours = class_colours(classes)
    for position, label in enumerate(classes):
        name = legend_label(class_name(label, names))
        values = [(e, s[position].force) for e, s in known]
        ax.plot(*zip(*values, strict=True), marker="o", color=colours[label], lw=1.6,
                label=name)  # fmt: skip
        ax.axhline(known[-1][1][position].points, color=colours[label], ls=":", lw=1.2)
    ax.plot([], [], color="0.3", ls=":", lw=1.2, label="dotted: the class's share of the points")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("share of the total force")
    ax.grid(True, alpha=0.3)
    amount = ax.twinx()
    positive = [(e, m) for e, m in zip(epochs, mean_forces, strict=True) if m > 0]
    if positive:
        amount.plot(*zip(*positive, strict=True), color="0.35", ls="--", marker="x", lw=1.2,
                    label="mean force per point (right axis)")  # fmt: skip
        amount.set_yscale("log")
        amount.yaxis.set_major_formatter(PlainLogFormatter())
        amount.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))
    amount.set_ylabel("mean force per point (log scale)")
    handles, texts = ax.get_legend_handles_labels()
    more, more_texts = amount.get_legend_handles_labels()
    # below the axes: inside, it hid the lines it names
    amount.legend(handles + more, texts + more_texts, fontsize=8, ncol=2, loc="upper center",
                  bbox_to_anchor=(0.5, -0.16), title="share of the force (solid lines)",
                  title_fontsize=8)  # fmt: skip
    ax.set_title("Where the force goes, by class, and how much there is", fontsize=10)
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
    at each recorded epoch (the last is the end), and each class's share of the points and of
    the force at the end."""
    shares = [hardest_share(forces) for forces in recording.point_forces]
    by_class = class_shares(recording.point_forces[-1], recording.labels, recording.classes)
    return {
        "hardest_10pct_share": shares[-1],
        "epochs": [int(epoch) for epoch in recording.epochs],
        "hardest_10pct_share_by_epoch": shares,
        "class_shares": None if by_class is None else [share._asdict() for share in by_class],
    }


def forces_figure(
    recording: Any,
    title: str,
    dpi: int = 120,
    margins: bool = True,
) -> Any:
    """forces.png: the end of training large on the left (the decision regions and each test
    point coloured and sized by its force), where the force goes by class and how much there
    is by epoch on the right (:func:`plot_class_shares`), a row of small panels for recorded
    epochs below. Laid out in inches, the texts' sizes known (a tight_layout, which measures
    them, took a third of the drawing). Returns the figure."""
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    from recipes.report.canvas import new_figure
    from recipes.report.regions import draw_boundary

    names = recording.class_names
    shares = [class_shares(f, recording.labels, recording.classes) for f in recording.point_forces]
    means = [float(np.mean(forces)) for forces in recording.point_forces]
    norm = force_norm(*recording.point_forces)
    count = len(recording.epochs)
    shown = panel_indices(count) if count > 1 else []  # the end alone: no row of panels
    width, panel = 13.0, 1.85
    height = 5.6 + (2.6 if shown else 0.0)
    figure = new_figure(figsize=(width, height), dpi=dpi)
    figure.set_layout_engine(PlaceHolderLayoutEngine(True, True))

    def axes(x: float, y: float, w: float, h: float) -> Any:  # inches from the bottom left
        return figure.add_axes((x / width, y / height, w / width, h / height))

    bottom = 3.15 if shown else 0.6
    side = height - 0.7 - bottom  # the final panel's, square
    final_ax, colour_ax = axes(0.9, bottom, side, side), axes(side + 1.05, bottom, 0.2, side)
    # the shares' panel: room on its left for the colour bar's label, on its right for the
    # mean force's axis, below it for its legend
    share_ax = axes(side + 2.95, bottom + 1.1, width - side - 4.55, side - 1.1)
    draw_boundary(final_ax, recording, -1, margins=margins, points=False, rings=False, legend=False)
    plot_point_forces(final_ax, recording.points, recording.labels, recording.point_forces[-1],
                      norm)  # fmt: skip
    final_ax.set_title(f"End of training: {class_text(shares[-1], names)}", fontsize=10)
    draw_colour_bar(colour_ax, norm)
    step = (width - 1.2 - panel) / max(len(shown) - 1, 1)
    for column, index in enumerate(shown):
        ax = axes(0.6 + column * step, 0.55, panel, panel)
        draw_boundary(ax, recording, index, margins=False, points=False, legend=False)
        plot_point_forces(ax, recording.points, recording.labels, recording.point_forces[index],
                          norm, size=25)  # fmt: skip
        ax.set_xticks([])
        ax.set_yticks([])
        caption = _panel_caption(recording.epochs[index], means[index], shares[index], names)
        ax.set_xlabel(caption, fontsize=8)
    plot_class_shares(share_ax, list(recording.epochs), shares, means, names)
    figure.suptitle(
        f"{title}: where the loss pushes (each test point by |d loss / d score|)", fontsize=11
    )
    return figure


def _panel_caption(
    epoch: int, mean: float, shares: Sequence[ClassShare] | None, names: Mapping[int, str]
) -> str:
    """Under a small panel: the epoch, the mean force, the most pushed class's share."""
    if shares is None:
        return f"epoch {epoch}: no point pushed"
    most = pushed_class(shares)
    name = class_name(most.label, names)
    return f"epoch {epoch}: mean force {mean:.2g}\n{name}: {most.force:.0%} of it"
