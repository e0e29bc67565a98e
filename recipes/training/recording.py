"""Recording what training looked like (the format: :mod:`recipes.recording`).

During the fit a callback only copies ``self.model.get_weights()`` at the chosen epochs
(well under a millisecond for these models), so any trainer that calls Keras callbacks with
the model's weights in place (``model.fit``, the compiled trainer) records the same. The
scores are computed after the fit (:func:`record`), one compiled ``predict_on_batch`` per
recorded epoch, and the forces in one gradient call (:func:`recipes.report.forces.point_forces`):
calling a model eagerly inside the fit cost seconds on JAX. The end of training is always
recorded (the final figures are drawn from it); ``plots.evolution`` adds the epochs before it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from recipes.recording import Recording, grid_inputs, margin_levels, recorded_epochs


def recorder(config: Any, split: Any) -> Any:
    """For two-feature data, a callback keeping the model's weights at the end of the epochs
    ``plots.evolution`` records (``.snapshots``: (epoch, weights), 1-based; ``.seconds`` spent
    in the fit); None for other data."""
    import keras

    from recipes.training.schedule import split_schedule

    if split.x_test.reshape(len(split.x_test), -1).shape[1] != 2:
        return None
    total = split_schedule(config.train, split).epochs
    wanted = set(recorded_epochs(total, config.plots.evolution_epochs))
    wanted = wanted if config.plots.evolution else set()

    class Recorder(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.snapshots: list[tuple[int, list[np.ndarray]]] = []
            self.seconds = 0.0

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if epoch + 1 in wanted:
                started = time.perf_counter()
                weights = [np.array(w, copy=True) for w in self.model.get_weights()]
                self.snapshots.append((epoch + 1, weights))
                self.seconds += time.perf_counter() - started

    return Recorder()


def record(
    snapshots: list[tuple[int, list[np.ndarray]]],
    model: Any,
    split: Any,
    output_kind: str,
    history: dict[str, list[float]],
    config: Any,
    gradient_of: Any = None,
) -> Recording:
    """Score the grid and the test points with each snapshot's weights and with the model as
    it ended training (which replaces a snapshot of the last epoch: early stopping may have
    restored other weights), and the forces on the test points, in one gradient call
    (``gradient_of``: :func:`recipes.report.forces.point_forces`'). The model keeps its own
    weights (also when scoring fails)."""
    from recipes.components.labels import true_labels
    from recipes.report.forces import point_forces

    points = np.asarray(split.x_test, dtype="float32").reshape(len(split.x_test), -1)
    x, y, inputs = grid_inputs(points, config.plots.evolution_grid)
    cells = len(x) * len(y)
    done = len(history.get("loss", []))
    kept = [(epoch, weights) for epoch, weights in snapshots if epoch < done]
    final = model.get_weights()
    outputs = []
    try:
        for _, weights in kept:
            model.set_weights(weights)
            outputs.append(np.asarray(model.predict_on_batch(inputs)).reshape(len(inputs), -1))
    finally:
        model.set_weights(final)
    outputs.append(np.asarray(model.predict_on_batch(inputs)).reshape(len(inputs), -1))
    scores = np.stack(outputs).astype("float32")
    point_scores = scores[:, cells:]
    targets = np.asarray(split.y_test, dtype="float32").reshape(len(points), -1)
    forces = point_forces(
        model.loss, np.tile(targets, (len(scores), 1)), point_scores.reshape(-1, scores.shape[-1]),
        output_kind, gradient_of,
    ).reshape(len(scores), len(points))  # fmt: skip
    levels = margin_levels(config.plots, split.label_kind, output_kind)
    margin = [levels.low, levels.threshold, levels.high] if levels is not None else []
    return Recording(
        grid_x=x,
        grid_y=y,
        points=points,
        labels=true_labels(split.y_test, split.label_kind),
        epochs=np.array([epoch for epoch, _ in kept] + [done], dtype=int),
        grid_scores=scores[:, :cells].reshape(len(scores), len(y), len(x), -1),
        point_scores=point_scores,
        point_forces=forces.astype("float32"),
        history={key: np.asarray(values, float) for key, values in history.items()},
        output_kind=output_kind,
        label_kind=split.label_kind,
        margin_levels=np.array(margin, dtype=float),
        feature_names=[str(name) for name in split.feature_names],
        class_names={int(k): str(v) for k, v in (split.info.get("class_names") or {}).items()},
        standardized="standardization" in split.info,
    )
