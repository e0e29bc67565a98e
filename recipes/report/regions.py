"""Decision regions from one prediction on a grid, drawn as an image.

The look is mlxtend's ``plot_decision_regions`` (its colours, markers and alpha, a grid one
point per pixel of the figure reaching 1 beyond the points, thin black lines between the
regions, no spines), which the first figures were drawn with; the drawing is not. mlxtend
predicts its own grid on every call and fills it with ``contourf``: here the grid is predicted
once (:class:`DecisionGrid`), its scores serve the regions, the margin contours
(:mod:`recipes.report.margins`) and forces.png, and the regions are one ``imshow``, about a
tenth of ``contourf``'s drawing time on a grid this fine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.colors
import numpy as np

from recipes.report.canvas import SQUARE_FIGURE_SIZE, legend_label, new_axes
from recipes.report.contours import ContourLines, add_contour

REGION_COLOURS = (
    "#1f77b4", "#ff7f0e", "#3ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
MARKERS = "s^oxv<>"
REGION_ALPHA = 0.45
GRID_REACH = 1.0  # beyond the points on each side, in data units (as mlxtend)
POINT_STYLE = {"s": 18, "alpha": 0.85, "edgecolor": "black", "linewidths": 0.3}
LEGEND_BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.13), "framealpha": 0.9}


@dataclass(frozen=True)
class DecisionGrid:
    """A meshgrid (xx, yy), the label predicted at each point and, when the model's scores
    are known, those scores (``xx.shape + (units,)``)."""

    xx: np.ndarray
    yy: np.ndarray
    predicted: np.ndarray
    scores: np.ndarray | None = None

    def within(self, x_range: Sequence[float], y_range: Sequence[float]) -> DecisionGrid:
        """The part of the grid inside the ranges, and one point beyond each side."""
        x, y = self.xx[0], self.yy[:, 0]
        columns = slice(max(int(np.searchsorted(x, x_range[0])) - 1, 0),
                        int(np.searchsorted(x, x_range[1], side="right")) + 1)  # fmt: skip
        rows = slice(max(int(np.searchsorted(y, y_range[0])) - 1, 0),
                     int(np.searchsorted(y, y_range[1], side="right")) + 1)  # fmt: skip
        scores = None if self.scores is None else self.scores[rows, columns]
        return DecisionGrid(
            self.xx[rows, columns], self.yy[rows, columns], self.predicted[rows, columns], scores
        )

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """The image extent whose pixel centres are the grid points."""
        half_x = (self.xx[0, -1] - self.xx[0, 0]) / max(self.xx.shape[1] - 1, 1) / 2
        half_y = (self.yy[-1, 0] - self.yy[0, 0]) / max(self.yy.shape[0] - 1, 1) / 2
        return (
            float(self.xx[0, 0] - half_x), float(self.xx[0, -1] + half_x),
            float(self.yy[0, 0] - half_y), float(self.yy[-1, 0] + half_y),
        )  # fmt: skip


def grid_points(features: np.ndarray, pixels: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The meshgrid over the points plus :data:`GRID_REACH`, ``pixels`` (columns, rows)."""
    features = np.asarray(features, dtype="float32").reshape(len(features), -1)
    low, high = features.min(axis=0) - GRID_REACH, features.max(axis=0) + GRID_REACH
    x = np.linspace(low[0], high[0], int(pixels[0]), dtype="float32")
    y = np.linspace(low[1], high[1], int(pixels[1]), dtype="float32")
    return np.meshgrid(x, y)


def figure_pixels(figure: Any) -> tuple[int, int]:
    """One grid point per pixel of ``figure`` (columns, rows), as mlxtend sized its grid."""
    width, height = figure.dpi * figure.get_size_inches()
    return int(np.floor(width)), int(np.ceil(height))


def predict_grid(predictor: Any, features: np.ndarray, pixels: tuple[int, int]) -> DecisionGrid:
    """The grid around ``features`` predicted in one ``predictor.predict`` call (labels); the
    scores too when the predictor keeps them (:class:`recipes.report.margins.ScoringPredictor`)."""
    xx, yy = grid_points(features, pixels)
    flat = np.stack([xx.ravel(), yy.ravel()], axis=1)
    predicted = np.asarray(predictor.predict(flat)).reshape(xx.shape).astype(int)
    scores = getattr(predictor, "grid_scores", None)
    if scores is not None and len(scores) == flat.shape[0]:
        scores = np.asarray(scores).reshape(*xx.shape, -1)
    else:
        scores = None
    return DecisionGrid(xx, yy, predicted, scores)


def class_colours(labels: Sequence[int], predicted: np.ndarray) -> dict[int, str]:
    """A colour per class: the test labels' in order, then any only the model predicts."""
    classes = sorted({*np.unique(labels).tolist(), *np.unique(predicted).tolist()})
    known = sorted(np.unique(labels).tolist())
    ordered = known + [c for c in classes if c not in known]
    return {int(c): REGION_COLOURS[i % len(REGION_COLOURS)] for i, c in enumerate(ordered)}


def draw_regions(ax: Any, grid: DecisionGrid, colours: Mapping[int, str]) -> None:
    """The regions as one image (pixel centres on the grid points) and thin black lines
    between them; the axes' limits are the grid's."""
    classes = sorted(colours)
    index = np.searchsorted(classes, grid.predicted)
    palette = np.array([matplotlib.colors.to_rgba(colours[c], REGION_ALPHA) for c in classes])
    ax.imshow(
        palette[index], origin="lower", extent=grid.extent, interpolation="nearest",
        aspect="auto", zorder=0,
    )  # fmt: skip
    present = np.unique(index)
    for level in np.arange(len(classes) - 1) + 0.5 if len(present) > 1 else []:
        add_contour(ax, ContourLines(
            grid.xx[0], grid.yy[:, 0], index, level, colors="black", linewidths=0.5
        ))  # fmt: skip
    ax.set_xlim(grid.xx.min(), grid.xx.max())
    ax.set_ylim(grid.yy.min(), grid.yy.max())


def draw_points(
    ax: Any, features: np.ndarray, labels: np.ndarray, colours: Mapping[int, str]
) -> None:
    """The points by class: mlxtend's markers (squares, triangles, ...) in the region colours."""
    features = np.asarray(features).reshape(len(features), -1)
    for position, label in enumerate(sorted(np.unique(labels).tolist())):
        chosen = labels == label
        ax.scatter(
            features[chosen, 0], features[chosen, 1], color=colours[int(label)],
            marker=MARKERS[position % len(MARKERS)], label=str(label), **POINT_STYLE,
        )  # fmt: skip


def class_legend(
    ax: Any, class_names: Mapping[int, str] | None, columns: int | None = None, **options: Any
) -> Any:
    """The legend below the axes (the regions fill the plot: inside it would hide points),
    class numbers shown as their names."""
    handles, texts = ax.get_legend_handles_labels()
    names = class_names or {}
    texts = [legend_label(names.get(int(t), t) if _is_int(t) else t) for t in texts]
    columns = columns or max(1, min(len(handles), 3))
    return ax.legend(handles, texts, title="test points", **LEGEND_BELOW, ncol=columns, **options)


def plot_decision_regions(
    ax: Any,
    grid: DecisionGrid,
    features: np.ndarray,
    labels: np.ndarray,
    title: str | None = None,
    class_names: Mapping[int, str] | None = None,
) -> Any:
    """Decision regions of ``grid`` with the points, a legend below; says so when the model
    predicts one class everywhere. Returns ``ax``."""
    labels = np.asarray(labels).reshape(-1).astype(int)
    colours = class_colours(labels, grid.predicted)
    draw_regions(ax, grid, colours)
    draw_points(ax, features, labels, colours)
    regions = np.unique(grid.predicted)
    if len(regions) == 1:
        ax.text(
            0.5, 0.97, f"the model predicts {int(regions[0])} everywhere", transform=ax.transAxes,
            ha="center", va="top", fontsize=9, bbox={"facecolor": "white", "alpha": 0.8},
        )  # fmt: skip
    for spine in ax.spines.values():
        spine.set_visible(False)
    class_legend(ax, class_names)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_aspect("equal", adjustable="box")
    if title:
        ax.set_title(title)
    return ax


def plot_decision_boundary(
    predictor: Any,
    features: np.ndarray,
    labels: np.ndarray,
    ax: Any = None,
    title: str | None = None,
    class_names: Mapping[int, str] | None = None,
) -> Any:
    """Decision regions of ``predictor`` (anything with ``predict(points) -> labels``) with
    the points: one prediction on a grid one point per pixel of the axes' figure, so the
    boundary is as sharp as the image. Returns ``ax``."""
    ax = ax if ax is not None else new_axes(SQUARE_FIGURE_SIZE)
    grid = predict_grid(predictor, features, figure_pixels(ax.figure))
    return plot_decision_regions(ax, grid, features, labels, title, class_names)


def _is_int(text: str) -> bool:
    try:
        int(text)
    except (TypeError, ValueError):
        return False
    return True
