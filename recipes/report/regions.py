"""The one picture of a two-feature model: its decision regions, the threshold and the
margins as contour lines, and the test points (ringed while they still cost loss), drawn
from one recorded epoch of a run's recording (:mod:`recipes.recording`).

:func:`draw_boundary` draws it into any axes: decision_boundary.png, the final panel of
forces.png, each panel of boundary_epochs.png (which the animation shows), and the panels the
studies put side by side. One grid (the recording's), one rule from scores to the drawn scale
and to labels (:class:`recipes.recording.Levels`): a logit is drawn as its
probability, the threshold is 0 for -1/+1 and logit models and p = 0.5 for probability models,
a softmax row takes its largest unit.

- -1/+1 models (hinge, squared hinge): lines at scores -m, 0, +m. The hinge margin is m = 1;
  a tanh output only approaches it, so they are drawn at ``plots.hinge_margin`` (0.99: a point
  between them costs more than 0.01 hinge loss).
- logit and probability models: the probability at ``plots.margin_band`` (0.1 / 0.9) and 0.5.

The regions are one image of the grid's scores, interpolated (bilinearly) to a finer grid
before they are classified, so a region's edge follows the threshold's contour line rather
than the recorded grid's staircase. The lines are matplotlib's ``contour`` and ``clabel``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.colors
import numpy as np

from recipes.components.labels import predicted_labels
from recipes.recording import Levels
from recipes.report.canvas import legend_label

REGION_COLOURS = (
    "#1f77b4", "#ff7f0e", "#3ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
MARKERS = "s^oDv<>"
REGION_ALPHA = 0.4
FINER = 6  # the regions' image: this many points per recorded grid step
LINE_COLOUR = "black"
COSTING_COLOUR = "crimson"  # misclassified
INSIDE_COLOUR = "dimgray"  # the margin band's hatch: inside it a point still costs loss
BAND_HATCH = "////"
LEGEND_BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.13), "framealpha": 0.9}


def finer(values: np.ndarray, factor: int = FINER) -> np.ndarray:
    """A grid of values (rows, columns, ...) interpolated bilinearly to ``factor`` times as
    many steps along each axis (the corners stay where they were)."""
    rows, columns = values.shape[:2]
    y = np.linspace(0, rows - 1, (rows - 1) * factor + 1)
    x = np.linspace(0, columns - 1, (columns - 1) * factor + 1)
    y0, x0 = np.minimum(y.astype(int), rows - 2), np.minimum(x.astype(int), columns - 2)
    wy, wx = (y - y0)[:, None], (x - x0)[None, :]
    if values.ndim == 3:
        wy, wx = wy[..., None], wx[..., None]
    top = values[y0][:, x0] * (1 - wx) + values[y0][:, x0 + 1] * wx
    bottom = values[y0 + 1][:, x0] * (1 - wx) + values[y0 + 1][:, x0 + 1] * wx
    return top * (1 - wy) + bottom * wy


def class_colours(classes: list[int]) -> dict[int, str]:
    """A colour per class, in order: the negative class C0's blue, the positive C1's orange."""
    return {c: REGION_COLOURS[i % len(REGION_COLOURS)] for i, c in enumerate(classes)}


def draw_boundary(
    ax: Any,
    recording: Any,
    index: int = -1,
    *,
    margins: bool = True,
    points: bool = True,
    rings: bool = True,
    legend: bool = True,
    class_names: Mapping[int, str] | None = None,
    marker_size: float = 4.0,
    counts: bool = True,
) -> Any:
    """Recorded epoch ``index`` of ``recording``: its regions, the threshold line (with the
    margins' dashed lines, labelled, when ``margins``), the test points by class (``points``)
    and the cues of what still costs loss (``rings``, with the margins: the band between the
    margins hatched, red rings around the misclassified points), a legend below the axes
    (``legend``). ``counts``: the legend entries say how many points each cue marks and which
    lines no score reaches (off where a caption says it). Returns ``ax``."""
    levels, classes = recording.levels, recording.classes
    scores = np.asarray(recording.grid_scores[index], dtype="float64")
    shown = scores if levels is None else levels.shown(scores)  # on the drawn scale
    regions = draw_regions(ax, recording, shown)
    x, y = recording.grid_x, recording.grid_y
    nowhere = []
    if levels is not None:
        nowhere = _lines(ax, recording, shown, levels, margins)
    elif regions.min() != regions.max():  # thin lines between the classes' regions
        fine_x = np.linspace(x[0], x[-1], regions.shape[1])
        fine_y = np.linspace(y[0], y[-1], regions.shape[0])
        ax.contour(fine_x, fine_y, regions, np.arange(len(classes) - 1) + 0.5,
                   colors=LINE_COLOUR, linewidths=0.5)  # fmt: skip
    if points:
        draw_points(ax, recording.points, recording.labels, classes, marker_size)
    if levels is not None and margins:  # the lines' legend entry, after the classes'
        text = margin_text(levels, recording.output_kind, nowhere if counts else [])
        ax.plot([], [], color=LINE_COLOUR, ls="--", lw=0.9, label=text)
    if levels is not None and margins and rings:
        hatch_margin_band(ax, recording, shown, levels)
        ring_costing_points(ax, recording.points, recording.labels,
                            recording.point_scores[index], levels, marker_size,
                            counts)  # fmt: skip
    if regions.min() == regions.max():
        ax.text(
            0.5, 0.97, f"the model predicts {classes[int(regions.flat[0])]} everywhere",
            transform=ax.transAxes, ha="center", va="top", fontsize=9,
            bbox={"facecolor": "white", "alpha": 0.8},
        )  # fmt: skip
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    ax.set_aspect("equal", adjustable="box")
    if legend:
        class_legend(ax, class_names)
    return ax


def draw_regions(ax: Any, recording: Any, shown: np.ndarray) -> np.ndarray:
    """The decision regions of one epoch's grid scores, ``shown`` on the drawn scale (the
    margin levels' :meth:`~recipes.recording.Levels.shown`; a multi-class model's raw scores),
    an image of the finer grid (:func:`finer`) in the classes' colours; returns each fine
    point's class position."""
    levels, classes = recording.levels, recording.classes
    colours = class_colours(classes)
    fine = finer(shown)
    regions = np.argmax(fine, axis=-1) if levels is None else (fine >= levels.threshold).astype(int)
    palette = np.array(
        [matplotlib.colors.to_rgba_array(colours[c], REGION_ALPHA)[0] for c in classes]
    )
    palette = np.round(palette * 255).astype(np.uint8)  # an image of bytes: no normalizing
    x, y = recording.grid_x, recording.grid_y
    step_x, step_y = (x[1] - x[0]) / FINER / 2, (y[1] - y[0]) / FINER / 2
    extent = (x[0] - step_x, x[-1] + step_x, y[0] - step_y, y[-1] + step_y)
    ax.imshow(palette[regions], origin="lower", extent=extent, interpolation="none",
              aspect="auto", zorder=0)  # fmt: skip
    return regions


def draw_points(
    ax: Any,
    points: np.ndarray,
    labels: np.ndarray,
    classes: list[int],
    marker_size: float = 4.0,
    names: Mapping[int, str] | None = None,
) -> Any:
    """The points by class, in the classes' colours and markers (squares, triangles, ...), as
    marker lines (a few times cheaper to make than ``scatter``, drawn the same); each labelled
    with its class (``names``: as its name, with how many points it has). Returns ``ax``."""
    colours = class_colours(classes)
    for position, label in enumerate(classes):
        chosen = labels == label
        text = str(label) if names is None else f"{names.get(label, label)} ({chosen.sum()})"
        ax.plot(
            points[chosen, 0], points[chosen, 1], ls="none", ms=marker_size,
            marker=MARKERS[position % len(MARKERS)], color=colours[label], mec="black",
            mew=0.3, alpha=0.9, label=legend_label(text),
        )  # fmt: skip
    return ax


def predictions_figure(
    recording: Any, title: str, dpi: int = 120, class_names: Mapping[int, str] | None = None
) -> Any:
    """predictions.png: the test points by their true label and, beside them, by the label the
    model predicts at the end of training. Returns the figure."""
    from recipes.report.canvas import subplots

    figure, axes = subplots(1, 2, figsize=(11, 5.8), dpi=dpi)
    predicted = predicted_labels(
        recording.point_scores[-1], recording.label_kind, recording.output_kind
    )  # as test_predictions.csv's y_pred
    for ax, labels, which in zip(axes, (recording.labels, predicted),
                                 ("true labels", "predicted labels"), strict=True):  # fmt: skip
        draw_points(ax, recording.points, labels, recording.classes, 4.0, class_names or {})
        ax.set_aspect("equal", adjustable="datalim")
        ax.legend(**LEGEND_BELOW, ncol=2, fontsize=8)  # below the axes: it hides no points
        ax.set_title(which)
    figure.suptitle(title)
    return figure


def _lines(ax: Any, recording: Any, shown: np.ndarray, levels: Levels, margins: bool) -> list[str]:
    """The threshold's contour (solid) and, with ``margins``, the margins' (dashed), labelled
    with their values, as one contour set; returns the levels the scores reach nowhere (a
    probability model never as sure as 0.9), which the legend names."""
    drawn = [(levels.low, "--", 0.9), (levels.threshold, "-", 1.1), (levels.high, "--", 0.9)]
    if not margins:
        drawn = [(levels.threshold, "-", 0.6)]
    low, high = shown.min(), shown.max()
    reached = [line for line in drawn if low < line[0] < high]
    if reached:
        values, styles, widths = zip(*reached, strict=True)
        lines = ax.contour(recording.grid_x, recording.grid_y, shown, values,
                           colors=LINE_COLOUR, linestyles=styles, linewidths=widths)  # fmt: skip
        if margins:
            ax.clabel(lines, fmt={value: f"{value:g}" for value in values}, fontsize=7)
    return [f"{level:g}" for level, _, _ in drawn if not low < level < high]


def cues_text(levels: Levels) -> str:
    """A sheet of small panels' key to what they draw, for its title (its panels have no
    legend): ``lines: score -1 / 0 / +1; hatched: inside the margin; red rings: ...``."""
    return f"lines: {levels.text}; hatched: inside the margin; red rings: misclassified"


def margin_text(levels: Levels, output_kind: str, nowhere: list[str]) -> str:
    """The margin lines' legend entry: their values, why a tanh's margins sit just short of
    +-1 (``plots.hinge_margin`` 0.99; one set far from 1 is the user's own choice), and which
    lines are missing because no score on the grid reaches them."""
    text = levels.text
    if levels.signed and output_kind == "tanh" and 0.9 <= levels.high < 1:
        text += f"\n(at {levels.high:g}, not 1: a tanh output never reaches 1)"
    if nowhere:
        which = "it" if len(nowhere) == 1 else "them"
        text += f"\n(no line at {' / '.join(nowhere)}: no score reaches {which})"
    return text


def hatch_margin_band(ax: Any, recording: Any, shown: np.ndarray, levels: Levels) -> None:
    """Hatch the band between the margins, where a point on the right side still costs loss:
    a cue on the regions, not on the points, so every point keeps its class colour (grey
    rings around the 1,310 of focal_rings' 1,400 points inside its band hid them)."""
    band = ax.contourf(recording.grid_x, recording.grid_y, shown, [levels.low, levels.high],
                       colors="none", hatches=[BAND_HATCH], zorder=1)  # fmt: skip
    band.set_edgecolor(INSIDE_COLOUR)
    band.set_hatch_linewidth(0.4)
    band.set_linewidth(0)


def ring_costing_points(
    ax: Any,
    points: np.ndarray,
    labels: np.ndarray,
    scores: np.ndarray,
    levels: Levels,
    marker_size: float = 4.0,
    counts: bool = True,
) -> int:
    """Ring the misclassified points red, and give the legend the hatched margin band's entry
    (:func:`hatch_margin_band`), each labelled with how many points (``counts``); returns how
    many cost loss."""
    costing = levels.costs_loss(scores, labels)
    wrong = levels.misclassified(scores, labels)
    inside = costing & ~wrong

    def label(text: str, chosen: np.ndarray) -> str:
        return f"{text} ({int(chosen.sum())})" if counts else text

    ax.fill([], [], facecolor="none", edgecolor=INSIDE_COLOUR, hatch=BAND_HATCH, lw=0,
            label=label("inside the margin", inside))  # fmt: skip
    ax.plot(
        points[wrong, 0], points[wrong, 1], ls="none", marker="o", ms=marker_size * 2.2,
        mfc="none", mec=COSTING_COLOUR, mew=0.3 * marker_size, label=label("misclassified", wrong),
    )  # fmt: skip
    return int(costing.sum())


def class_legend(
    ax: Any, class_names: Mapping[int, str] | None, columns: int = 2, **options: Any
) -> Any:
    """The legend below the axes (the regions fill the plot: inside it would hide points),
    class numbers shown as their names."""
    handles, texts = ax.get_legend_handles_labels()
    options = {"fontsize": 8, "title": "test points", **LEGEND_BELOW, **options}
    return ax.legend(handles, named_classes(texts, class_names), ncol=columns, **options)


def named_classes(texts: list[str], class_names: Mapping[int, str] | None) -> list[str]:
    """Legend entries with the class numbers (``-1``, ``1``) shown as the classes' names."""
    names = class_names or {}
    return [legend_label(names.get(int(t), t) if t.lstrip("-").isdigit() else t) for t in texts]
