"""Margins on decision-boundary plots: the model's score as contour lines at the decision
threshold and at the loss's margins, and a ring around every point that still costs loss.

- -1/+1 models (hinge, squared hinge): scores -m, 0, +m. The hinge margin is m = 1; a tanh
  output only approaches it, so the lines are drawn at ``plots.hinge_margin`` (0.99: a point
  between them costs more than 0.01 hinge loss).
- logit and probability models: the probability at ``plots.margin_band`` (0.1 / 0.9) and 0.5
  (a logit goes through the sigmoid first).

The contours come from the same grid prediction as the regions
(:class:`recipes.report.regions.DecisionGrid`; :class:`ScoringPredictor` keeps the scores of
a predictor's grid), so the grid is predicted once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from recipes.report import contours, plots, regions

MARGIN_COLOUR = "black"
COSTING_COLOUR = "crimson"  # misclassified
INSIDE_COLOUR = "dimgray"  # right side of the threshold, inside the margin


@dataclass(frozen=True)
class MarginSpec:
    """Where a model's threshold and margins lie, on the scale the lines are drawn in."""

    levels: tuple[float, float, float]  # low margin, threshold, high margin
    sigmoid: bool  # scores are logits: draw probabilities
    signed_labels: bool  # labels are -1/+1 (else 0/1)
    text: str  # the legend's words for the margin lines
    drawn: bool = True  # False: the threshold alone (plots.margins: false)

    def shown(self, scores: np.ndarray) -> np.ndarray:
        """Scores on the drawn scale (probabilities for a logit model), as float64."""
        values = np.asarray(scores, dtype="float64").reshape(np.shape(scores)[:-1] or (-1,))
        return 0.5 * (1.0 + np.tanh(0.5 * values)) if self.sigmoid else values

    def costs_loss(self, scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """True for points inside the margin or on the wrong side of the threshold."""
        shown = self.shown(scores).reshape(-1)
        positive = np.asarray(labels).reshape(-1) == 1
        low, _, high = self.levels
        return np.where(positive, shown < high, shown > low)

    def misclassified(self, scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """True for points on the wrong side of the threshold."""
        shown = self.shown(scores).reshape(-1)
        positive = np.asarray(labels).reshape(-1) == 1
        return (shown >= self.levels[1]) != positive


def margin_spec(config_plots: Any, label_kind: str, output_kind: str) -> MarginSpec | None:
    """The threshold and margins of a binary model from the ``plots:`` block (``drawn``
    False when ``plots.margins`` is off); None for a multi-class model."""
    if label_kind == "categorical" or output_kind == "softmax":
        return None
    drawn = bool(config_plots.margins)
    if label_kind == "plus_minus_one":
        m = float(config_plots.hinge_margin)
        return MarginSpec((-m, 0.0, m), False, True, f"score -{m:g} / 0 / +{m:g}", drawn)
    low, high = (float(v) for v in config_plots.margin_band)
    text = f"p = {low:g} / 0.5 / {high:g}"
    return MarginSpec((low, 0.5, high), output_kind == "logit", False, text, drawn)


class ScoringPredictor(plots.LabelPredictor):
    """A :class:`plots.LabelPredictor` that keeps the raw scores of its largest call (the
    grid of the decision regions), so the margin contours reuse them."""

    grid: np.ndarray | None = None
    grid_scores: np.ndarray | None = None

    def predict(self, features: np.ndarray) -> np.ndarray:
        features = np.asarray(features, dtype="float32")
        scores = self.model.predict(features, batch_size=self.batch_size, verbose=0)
        if self.grid is None or len(features) > len(self.grid):
            self.grid, self.grid_scores = features, np.asarray(scores)
        return np.asarray(self.to_labels(scores)).astype(int)


def grid_axes(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The meshgrid (xx, yy) behind a flat grid of ``[xx.ravel(), yy.ravel()]`` rows."""
    changes = np.flatnonzero(grid[:, 1] != grid[0, 1])
    columns = int(changes[0]) if changes.size else len(grid)
    shape = (len(grid) // columns, columns)
    return grid[:, 0].reshape(shape), grid[:, 1].reshape(shape)


def plot_margin_contours(
    ax: Any, xx: np.ndarray, yy: np.ndarray, scores: np.ndarray, spec: MarginSpec
) -> Any:
    """Contour lines of the scores on a meshgrid: solid at the threshold, dashed at the
    margins, labelled with their values; the legend names a level the scores reach nowhere
    (a probability model never as sure as 0.9). Returns ``ax``."""
    shown = spec.shown(np.asarray(scores).reshape(*xx.shape, -1))
    low, threshold, high = spec.levels
    drawn = ((threshold, "-"), (low, "--"), (high, "--")) if spec.drawn else ((threshold, "-"),)
    nowhere = []
    x, y = xx[0], yy[:, 0]  # the axes as vectors: matplotlib inspects every point it is given
    for level, style in drawn:
        if not shown.min() < level < shown.max():
            nowhere.append(f"{level:g}")
            continue
        contours.add_contour(ax, contours.ContourLines(
            x, y, shown, level, label=f"{level:g}", colors=MARGIN_COLOUR, linestyles=style,
            linewidths=1.1 if style == "-" else 0.9,
        ))  # fmt: skip
    if spec.drawn:
        note = f" ({', '.join(nowhere)} nowhere)" if nowhere else ""
        ax.plot([], [], color=MARGIN_COLOUR, ls="--", lw=0.9, label=spec.text + note)
    return ax


def ring_costing_points(
    ax: Any, features: np.ndarray, labels: np.ndarray, scores: np.ndarray, spec: MarginSpec
) -> int:
    """Ring the points that still cost loss: red for misclassified, a thin dark ring for
    those on the right side but inside the margin (marker lines: cheaper than scatter);
    returns how many cost loss."""
    costing = spec.costs_loss(scores, labels)
    wrong = spec.misclassified(scores, labels)
    inside = costing & ~wrong
    size = 55 if len(features) <= 300 else 22  # area in points², as scatter's ``s``
    ax.plot(
        features[inside, 0], features[inside, 1], ls="none", marker="o", ms=np.sqrt(size),
        mfc="none", mec=INSIDE_COLOUR, mew=0.6, label=f"inside the margin ({int(inside.sum())})",
    )  # fmt: skip
    ax.plot(
        features[wrong, 0], features[wrong, 1], ls="none", marker="o", ms=np.sqrt(size * 1.3),
        mfc="none", mec=COSTING_COLOUR, mew=1.2, label=f"misclassified ({int(wrong.sum())})",
    )  # fmt: skip
    return int(costing.sum())


def plot_decision_boundary_with_margins(
    predictor: ScoringPredictor,
    features: np.ndarray,
    labels: np.ndarray,
    spec: MarginSpec,
    ax: Any = None,
    title: str | None = None,
    class_names: Mapping[int, str] | None = None,
) -> Any:
    """:func:`plots.plot_decision_boundary` plus the margin contours (from the same grid
    prediction) and rings around the points that still cost loss. Returns ``ax``."""
    ax = ax if ax is not None else plots.new_axes(plots.SQUARE_FIGURE_SIZE)
    features = np.asarray(features, dtype="float32")
    grid = regions.predict_grid(predictor, features, regions.figure_pixels(ax.figure))
    point_scores = predictor.model.predict(features, batch_size=predictor.batch_size, verbose=0)
    return plot_regions_with_margins(
        ax, grid, features, labels, point_scores, spec, title, class_names
    )


def plot_regions_with_margins(
    ax: Any,
    grid: regions.DecisionGrid,
    features: np.ndarray,
    labels: np.ndarray,
    point_scores: np.ndarray,
    spec: MarginSpec,
    title: str | None = None,
    class_names: Mapping[int, str] | None = None,
) -> Any:
    """The decision regions of ``grid`` (:func:`regions.plot_decision_regions`), its scores'
    margin contours and rings around the points that still cost loss (by ``point_scores``).
    Returns ``ax``."""
    regions.plot_decision_regions(ax, grid, features, labels, title=title)
    if grid.scores is not None:
        plot_margin_contours(ax, grid.xx, grid.yy, grid.scores, spec)
    ring_costing_points(ax, features, labels, point_scores, spec)
    # the legend again, now with the margin lines and the rings
    regions.class_legend(ax, class_names, columns=2, fontsize=8)
    return ax
