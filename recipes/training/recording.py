"""Training as it happens: a Keras callback that keeps the model's weights at chosen epochs,
the scores those weights give on a coarse grid (and on the plotted points), and the file that
keeps them.

During the fit the callback only copies ``self.model.get_weights()`` in ``on_epoch_end``
(well under a millisecond for these models), nothing tied to ``model.fit``'s internals, so any
trainer that calls Keras callbacks with the model's weights in place can use it. The grid is
scored after training (:meth:`BoundaryRecording.score`), with one compiled ``predict_on_batch``
per recorded epoch: calling a model eagerly inside the fit cost seconds on JAX (each
operation compiled on first use), a fifth of the compiled trainer's fit.
``benchmarks/recording_overhead.py`` measures both parts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from recipes.files import replaced_atomically

RECORDING_FILE = "boundary_recording.npz"
EVERY_EPOCH_UP_TO = 12
LOG_SPACED_EPOCHS = 10
GRID_PADDING = 0.1  # of each axis' range, beyond the points


def recorded_epochs(total: int, chosen: list[int] | None = None) -> list[int]:
    """The 1-based epochs to record: ``chosen`` (those within the run), else every epoch for a
    short run, else ten log-spaced ones (fewer once rounded) from 1 to ``total``."""
    if chosen is not None:
        return sorted({epoch for epoch in chosen if 1 <= epoch <= total})
    if total <= EVERY_EPOCH_UP_TO:
        return list(range(1, total + 1))
    spaced = np.geomspace(1, total, LOG_SPACED_EPOCHS)
    return sorted({int(round(epoch)) for epoch in spaced} | {total})


def score_grid(features: np.ndarray, points_per_axis: int) -> tuple[np.ndarray, np.ndarray]:
    """A square-celled meshgrid (xx, yy) over the points' range plus a margin."""
    low, high = features.min(axis=0), features.max(axis=0)
    pad = GRID_PADDING * (high - low).max()
    x = np.linspace(low[0] - pad, high[0] + pad, points_per_axis, dtype="float32")
    y = np.linspace(low[1] - pad, high[1] + pad, points_per_axis, dtype="float32")
    return np.meshgrid(x, y)


@dataclass
class BoundaryRecording:
    """Scores on a grid and on the plotted points, one row per recorded epoch."""

    xx: np.ndarray
    yy: np.ndarray
    points: np.ndarray
    labels: np.ndarray
    epochs: list[int] = field(default_factory=list)
    grid_scores: list[np.ndarray] = field(default_factory=list)
    point_scores: list[np.ndarray] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    weights: list[list[np.ndarray]] = field(default_factory=list)  # until scored
    seconds: float = 0.0  # spent recording, inside the fit
    scoring_seconds: float = 0.0  # spent scoring the grid, after the fit

    def score(self, model: Any) -> None:
        """Score the grid and the points with each recorded epoch's weights, then give the
        model back its own weights (also when scoring fails)."""
        started = time.perf_counter()
        inputs = np.concatenate([np.stack([self.xx.ravel(), self.yy.ravel()], axis=1), self.points])
        final = model.get_weights()
        try:
            for weights in self.weights:
                model.set_weights(weights)
                scores = np.asarray(model.predict_on_batch(inputs)).reshape(len(inputs), -1)
                self.grid_scores.append(scores[: self.xx.size].reshape(*self.xx.shape, -1))
                self.point_scores.append(scores[self.xx.size :])
        finally:
            model.set_weights(final)
        self.weights = []
        self.scoring_seconds += time.perf_counter() - started

    def save(self, path: Path) -> Path:
        """Write the recording as one .npz (atomically)."""
        with replaced_atomically(path) as temporary, open(temporary, "wb") as stream:
            np.savez_compressed(
                stream,
                xx=self.xx,
                yy=self.yy,
                points=self.points,
                labels=self.labels,
                epochs=np.asarray(self.epochs, dtype=int),
                grid_scores=np.asarray(self.grid_scores, dtype="float32"),
                point_scores=np.asarray(self.point_scores, dtype="float32"),
                losses=np.asarray(self.losses, dtype=float),
            )
        return Path(path)

    @classmethod
    def load(cls, path: Path) -> BoundaryRecording:
        """A recording saved by :meth:`save`."""
        with np.load(path) as data:
            return cls(
                xx=data["xx"],
                yy=data["yy"],
                points=data["points"],
                labels=data["labels"],
                epochs=[int(e) for e in data["epochs"]],
                grid_scores=list(data["grid_scores"]),
                point_scores=list(data["point_scores"]),
                losses=[float(v) for v in data["losses"]],
            )


def boundary_recorder_callback(
    points: np.ndarray, labels: np.ndarray, epochs: list[int], points_per_axis: int
) -> Any:
    """A callback keeping the model's weights and training loss at the end of each epoch in
    ``epochs`` (1-based); ``.recording`` holds them, on a grid around ``points``, to be scored
    after training (:meth:`BoundaryRecording.score`)."""
    import keras

    points = np.asarray(points, dtype="float32").reshape(len(points), -1)
    xx, yy = score_grid(points, points_per_axis)
    wanted = set(epochs)

    class BoundaryRecorder(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.recording = BoundaryRecording(xx, yy, points, np.asarray(labels).reshape(-1))

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if epoch + 1 not in wanted:
                return
            started = time.perf_counter()
            recording = self.recording
            recording.weights.append([np.array(w, copy=True) for w in self.model.get_weights()])
            recording.epochs.append(epoch + 1)
            recording.losses.append(float((logs or {}).get("loss", np.nan)))
            recording.seconds += time.perf_counter() - started

    return BoundaryRecorder()


def boundary_recorder(config: Any, split: Any) -> Any:
    """The recorder callback for a run whose ``plots.evolution`` is on and whose data has two
    features (recording the test points, as decision_boundary.png shows them); else None."""
    from recipes.components.labels import true_labels
    from recipes.training.schedule import split_schedule

    points = split.x_test.reshape(len(split.x_test), -1)
    if not config.plots.evolution or points.shape[1] != 2:
        return None
    total = split_schedule(config.train, split).epochs
    epochs = recorded_epochs(total, config.plots.evolution_epochs)
    labels = true_labels(split.y_test, split.label_kind)
    return boundary_recorder_callback(points, labels, epochs, config.plots.evolution_grid)
