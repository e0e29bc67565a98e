"""Training as it happens: a Keras callback that records the model's scores on a coarse grid
(and on the plotted points) at chosen epochs, and the file that keeps them.

The callback only calls ``self.model`` on its inputs in ``on_epoch_end``, nothing tied to
``model.fit``'s internals, so any trainer that calls Keras callbacks with the model's weights
in place can use it. One call per recorded epoch, on a few thousand points: a few
milliseconds (``benchmarks/recording_overhead.py`` measures it against the fit).
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
    seconds: float = 0.0  # spent recording, inside the fit

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
    """A callback recording the scores on a grid around ``points`` (and on them) at the end of
    each epoch in ``epochs`` (1-based); ``.recording`` holds them."""
    import keras

    points = np.asarray(points, dtype="float32").reshape(len(points), -1)
    xx, yy = score_grid(points, points_per_axis)
    inputs = np.concatenate([np.stack([xx.ravel(), yy.ravel()], axis=1), points])
    wanted = set(epochs)

    class BoundaryRecorder(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.recording = BoundaryRecording(xx, yy, points, np.asarray(labels).reshape(-1))

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if epoch + 1 not in wanted:
                return
            started = time.perf_counter()
            # One direct call, not predict(): no predict function to build, no batching.
            scores = keras.ops.convert_to_numpy(self.model(inputs, training=False))
            scores = scores.reshape(len(inputs), -1)
            recording = self.recording
            recording.epochs.append(epoch + 1)
            recording.grid_scores.append(scores[: xx.size].reshape(*xx.shape, -1))
            recording.point_scores.append(scores[xx.size :])
            recording.losses.append(float((logs or {}).get("loss", np.nan)))
            recording.seconds += time.perf_counter() - started

    return BoundaryRecorder()


def boundary_recorder(config: Any, split: Any) -> Any:
    """The recorder callback for a run whose ``plots.evolution`` is on and whose data has two
    features (recording the test points, as decision_boundary.png shows them); else None."""
    from recipes.components.labels import true_labels

    points = split.x_test.reshape(len(split.x_test), -1)
    if not config.plots.evolution or points.shape[1] != 2:
        return None
    epochs = recorded_epochs(config.train.epochs, config.plots.evolution_epochs)
    labels = true_labels(split.y_test, split.label_kind)
    return boundary_recorder_callback(points, labels, epochs, config.plots.evolution_grid)
