"""What training looked like, recorded once per run of two-feature data: at each recorded epoch
the scores on one grid around the test points, the test points' scores and the force of the
loss on each, with everything the figures need besides (the history, the labels, the levels,
the names), in one file: recording.npz, whose arrays docs/recording.md describes. Every figure
of the run, the studies' panels and any later view are drawn from it, without Keras or the
model. The run writes it (:mod:`recipes.training.recording`); this module is its format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recipes.files import replaced_atomically

SCHEMA_VERSION = 1
EVERY_EPOCH_UP_TO = 12
LOG_SPACED_EPOCHS = 10
GRID_PADDING = 0.1  # of the points' wider range, beyond them on each side


@dataclass(frozen=True)
class Levels:
    """Where a binary model's threshold and margins lie, on the drawn scale (probabilities
    for a logit model): a score at or above the threshold is the positive class, as
    :func:`recipes.components.labels.predicted_labels` says."""

    low: float
    threshold: float
    high: float
    sigmoid: bool  # scores are logits: draw probabilities
    signed: bool  # labels are -1/+1 (else 0/1)

    @property
    def text(self) -> str:
        """The legend's words for the margin lines."""
        if self.signed:
            return f"score -{self.high:g} / 0 / +{self.high:g}"
        return f"p = {self.low:g} / 0.5 / {self.high:g}"

    def shown(self, scores: np.ndarray) -> np.ndarray:
        """Scores on the drawn scale, one value a point (float64)."""
        values = np.asarray(scores, dtype="float64")
        values = values[..., 0] if values.ndim > 1 else values
        return 0.5 * (1.0 + np.tanh(0.5 * values)) if self.sigmoid else values

    def costs_loss(self, scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """True for points inside the margin or on the wrong side of the threshold."""
        shown = self.shown(scores).reshape(-1)
        positive = np.asarray(labels).reshape(-1) == 1
        return np.where(positive, shown < self.high, shown > self.low)

    def misclassified(self, scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """True for points on the wrong side of the threshold."""
        shown = self.shown(scores).reshape(-1)
        return (shown >= self.threshold) != (np.asarray(labels).reshape(-1) == 1)


def margin_levels(plots_config: Any, label_kind: str, output_kind: str) -> Levels | None:
    """The threshold and margins of a binary model from the ``plots:`` block; None for a
    multi-class model."""
    if label_kind == "categorical" or output_kind == "softmax":
        return None
    if label_kind == "plus_minus_one":
        m = float(plots_config.hinge_margin)
        return Levels(-m, 0.0, m, False, True)
    low, high = (float(v) for v in plots_config.margin_band)
    return Levels(low, 0.5, high, output_kind == "logit", False)


def recorded_epochs(total: int, chosen: list[int] | None = None) -> list[int]:
    """The 1-based epochs to record: ``chosen`` (those within the run), else every epoch for a
    short run, else ten log-spaced ones (fewer once rounded) from 1 to ``total``."""
    if chosen is not None:
        return sorted({epoch for epoch in chosen if 1 <= epoch <= total})
    if total <= EVERY_EPOCH_UP_TO:
        return list(range(1, total + 1))
    spaced = np.geomspace(1, total, LOG_SPACED_EPOCHS)
    return sorted({int(round(epoch)) for epoch in spaced} | {total})


def grid_axes(points: np.ndarray, points_per_axis: int) -> tuple[np.ndarray, np.ndarray]:
    """The grid's x and y values: square cells over the points' range plus a margin."""
    low, high = points.min(axis=0), points.max(axis=0)
    pad = GRID_PADDING * (high - low).max()
    x = np.linspace(low[0] - pad, high[0] + pad, points_per_axis, dtype="float32")
    y = np.linspace(low[1] - pad, high[1] + pad, points_per_axis, dtype="float32")
    return x, y


def grid_inputs(points: np.ndarray, points_per_axis: int) -> tuple[np.ndarray, ...]:
    """The grid's x and y values (:func:`grid_axes`) and what a model scores to draw the
    regions and the points: the grid's cells, row by row (rows: y), then the points."""
    x, y = grid_axes(points, points_per_axis)
    xx, yy = np.meshgrid(x, y)
    return x, y, np.concatenate([np.stack([xx.ravel(), yy.ravel()], axis=1), points])


@dataclass
class Recording:
    """One run's recording (docs/recording.md): arrays by recorded epoch, the last one the
    end of training."""

    grid_x: np.ndarray  # (columns,)
    grid_y: np.ndarray  # (rows,)
    points: np.ndarray  # (points, 2): the test points
    labels: np.ndarray  # (points,): their true labels, -1/+1, 0/1 or class indices
    epochs: np.ndarray  # (recorded,): 1-based epoch numbers
    grid_scores: np.ndarray  # (recorded, rows, columns, units)
    point_scores: np.ndarray  # (recorded, points, units)
    point_forces: np.ndarray  # (recorded, points): |d loss / d score|
    history: dict[str, np.ndarray]  # per-epoch columns, as history.csv
    output_kind: str  # tanh, logit, probability or softmax
    label_kind: str  # plus_minus_one, binary or categorical
    margin_levels: np.ndarray  # (3,) low margin, threshold, high margin; (0,) multi-class
    feature_names: list[str]
    class_names: dict[int, str]
    standardized: bool  # the features were standardized before training

    @property
    def levels(self) -> Levels | None:
        """The threshold and margins, with the rule from scores to labels."""
        if len(self.margin_levels) != 3:
            return None
        signed = self.label_kind == "plus_minus_one"
        low, threshold, high = (float(v) for v in self.margin_levels)
        return Levels(low, threshold, high, not signed and self.output_kind == "logit", signed)

    @property
    def classes(self) -> list[int]:
        """The class labels in order: the regions' colours and the points' markers."""
        if self.levels is None:
            return list(range(self.grid_scores.shape[-1]))
        return [-1, 1] if self.levels.signed else [0, 1]

    def losses(self) -> list[float]:
        """The training loss at each recorded epoch."""
        loss = self.history.get("loss", np.array([]))
        return [float(loss[e - 1]) if e <= len(loss) else float("nan") for e in self.epochs]

    def subset(self, keep: list[int]) -> Recording:
        """The recording at the given indices of its epochs only."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("epochs", "grid_scores", "point_scores", "point_forces"):
            fields[name] = fields[name][keep]
        return Recording(**fields)

    def save(self, path: Path) -> Path:
        """Write recording.npz (atomically)."""
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        with replaced_atomically(path) as temporary, open(temporary, "wb") as stream:
            np.savez_compressed(
                stream,
                schema_version=np.int64(SCHEMA_VERSION),
                output_kind=np.str_(self.output_kind),
                label_kind=np.str_(self.label_kind),
                feature_names=np.array(self.feature_names, dtype=str),
                class_ids=np.array(list(self.class_names), dtype=int),
                class_names=np.array(list(self.class_names.values()), dtype=str),
                standardized=np.bool_(self.standardized),
                **arrays,
                **{f"history_{key}": np.asarray(v, float) for key, v in self.history.items()},
            )
        return Path(path)

    @classmethod
    def load(cls, path: Path) -> Recording:
        """A recording written by :meth:`save`; RecipeError for another schema version."""
        from recipes.errors import RecipeError

        with np.load(path, allow_pickle=False) as data:
            version = int(data["schema_version"]) if "schema_version" in data else None
            if version != SCHEMA_VERSION:
                raise RecipeError(
                    f"{path}: recording schema version {version}, this project reads "
                    f"{SCHEMA_VERSION}; run the recipe again to record it"
                )
            return cls(
                **{name: data[name] for name in _ARRAYS},
                history={k[8:]: data[k] for k in data.files if k.startswith("history_")},
                output_kind=str(data["output_kind"]),
                label_kind=str(data["label_kind"]),
                feature_names=[str(name) for name in data["feature_names"]],
                class_names=dict(
                    zip(data["class_ids"].tolist(), data["class_names"].tolist(), strict=True)
                ),
                standardized=bool(data["standardized"]),
            )


_ARRAYS = ("grid_x", "grid_y", "points", "labels", "epochs", "grid_scores", "point_scores",
           "point_forces", "margin_levels")  # fmt: skip
