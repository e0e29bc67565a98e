"""What the lab sees of a run while it trains: a Keras callback, given to the run through the
door's ``watch`` hook, that at each epoch's end scores the recording's grid and test points
with the model's weights in place and computes the loss's force on each point, in the format
of recording.npz (:mod:`recipes.recording`), and hands them to the lab as one event.

Cheap by construction: the scores come from one jitted call of the model's ``stateless_call``
and the forces from one jitted gradient of the loss, both kept in this process for the next
run of the same model shape and loss (a warm lab traces them once), so an epoch's event costs
little beside the epoch itself (``make benchmark`` measures the lab).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from recipes.recording import grid_axes, margin_levels

_SCORERS: dict[str, Any] = {}  # model identity -> jitted scoring program
_GRADIENTS: dict[str, Any] = {}  # loss identity -> jitted d loss / d outputs


class Stop(KeyboardInterrupt):
    """The lab stops a run (a new one replaces it, a stop request, the lab closing): a
    KeyboardInterrupt, so the door records the run ``interrupted`` with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def rounded(values: Any, digits: int = 5) -> Any:
    """Nested lists of floats for JSON: rounded (an event is smaller), a non-finite value
    None (JSON has no NaN)."""
    array = np.round(np.asarray(values, dtype="float64"), digits)
    return np.where(np.isfinite(array), array, None).tolist()


def finite_or_none(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def weights_digest(model: Any) -> str:
    """A short digest of the model's weights: two runs side by side start from the same."""
    digest = hashlib.sha256()
    for weights in model.get_weights():
        digest.update(np.ascontiguousarray(weights).tobytes())
    return digest.hexdigest()[:16]


def _scorer(model: Any) -> Callable[..., Any] | None:
    """A jitted ``(trainable, non_trainable, inputs) -> outputs`` for models of this one's
    configuration, traced once per configuration in this process; None on another backend
    than JAX (the model's own compiled ``predict_on_batch`` then)."""
    import keras

    if keras.backend.backend() != "jax":
        return None
    import jax

    key = json.dumps(model.get_config(), sort_keys=True, default=str)
    if key not in _SCORERS:

        def score(trainable: Any, non_trainable: Any, inputs: Any) -> Any:
            outputs, _ = model.stateless_call(trainable, non_trainable, inputs, training=False)
            return outputs

        _SCORERS[key] = jax.jit(score)
    return _SCORERS[key]


def _gradient(loss: Any, user_loss: bool) -> Callable[..., Any] | None:
    """The loss's compiled gradient (:func:`recipes.report.forces.compiled_gradient`), kept
    per loss configuration; a user's loss (its file may change) gets a new one each run; None
    on another backend than JAX (differentiated op by op then)."""
    import keras

    from recipes.report.forces import compiled_gradient

    if keras.backend.backend() != "jax":
        return None
    if user_loss:
        return compiled_gradient(loss)
    key = json.dumps([type(loss).__name__, loss.get_config()], sort_keys=True, default=str)
    if key not in _GRADIENTS:
        _GRADIENTS[key] = compiled_gradient(loss)
    return _GRADIENTS[key]


def watcher(
    config: Any,
    split: Any,
    emit: Callable[[str, dict[str, Any]], None],
    check_stop: Callable[[], None],
    between_epochs: Callable[[], None],
    start_fields: dict[str, Any],
) -> list[Any]:
    """The lab's callbacks for one run (the door's ``watch`` hook): ``emit(name, data)`` the
    start event and one event per epoch; ``check_stop()`` raises :class:`Stop` when the lab
    wants the run stopped; ``between_epochs()`` lets runs side by side take turns."""
    import keras

    from recipes.components.labels import true_labels
    from recipes.components.models import model_output_kind
    from recipes.components.user_loss import is_user_loss
    from recipes.report.forces import hardest_share, point_forces
    from recipes.training.schedule import split_schedule

    points = np.asarray(split.x_test, dtype="float32").reshape(len(split.x_test), -1)
    two_features = points.shape[1] == 2
    output_kind = model_output_kind(config.model.name, config.model.params)
    grid_x, grid_y = grid_axes(points, config.plots.evolution_grid) if two_features else ([], [])
    xx, yy = np.meshgrid(grid_x, grid_y)
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1)
    inputs = np.concatenate([grid, points]) if two_features else points
    targets = np.asarray(split.y_test, dtype="float32").reshape(len(points), -1)
    levels = margin_levels(config.plots, split.label_kind, output_kind)

    def shown(scores: np.ndarray) -> np.ndarray:
        """The positive class's score on the scale the regions are drawn on (the margin
        levels'): a probability for a logit model; a multi-class model's predicted class."""
        if levels is not None:
            return levels.shown(scores)
        return scores[:, -1] if scores.shape[1] <= 2 else np.argmax(scores, axis=1)

    class Watcher(keras.callbacks.Callback):
        def on_train_begin(self, logs: dict | None = None) -> None:
            check_stop()
            self.score = _scorer(self.model)
            self.gradient = _gradient(self.model.loss, is_user_loss(config.loss.name))
            emit(
                "start",
                {
                    **start_fields,
                    "epochs": split_schedule(config.train, split).epochs,
                    "grid_x": rounded(grid_x),
                    "grid_y": rounded(grid_y),
                    "points": rounded(points) if two_features else [],
                    "labels": np.asarray(true_labels(split.y_test, split.label_kind)).tolist()
                    if two_features
                    else [],
                    "class_names": {
                        str(k): str(v) for k, v in (split.info.get("class_names") or {}).items()
                    },
                    "margin_levels": [levels.low, levels.threshold, levels.high]
                    if levels is not None
                    else [],
                    "output_kind": output_kind,
                    "label_kind": split.label_kind,
                    "initial_weights": weights_digest(self.model),
                },
            )

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            check_stop()  # model.fit calls it per batch; the compiled trainer per epoch

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            data = {"epoch": epoch + 1}
            for key, value in (logs or {}).items():
                data[key] = finite_or_none(value)
            for prefix in ("", "val_"):  # the recipe's accuracy metric, whatever its name
                named = [k for k in data if k.startswith(prefix) and k.endswith("accuracy")]
                named = [k for k in named if prefix or not k.startswith("val_")]
                if named and f"{prefix}accuracy" not in data:
                    data[f"{prefix}accuracy"] = data[named[0]]
            if two_features:
                data.update(self.scores())
            emit("epoch", data)
            check_stop()
            between_epochs()

        def scores(self) -> dict[str, Any]:
            if self.score is None:
                outputs = self.model.predict_on_batch(inputs)
            else:
                trainable = [variable.value for variable in self.model.trainable_variables]
                fixed = [variable.value for variable in self.model.non_trainable_variables]
                outputs = self.score(trainable, fixed, inputs)
            outputs = np.asarray(outputs).reshape(len(inputs), -1)
            point_scores = outputs[xx.size :]
            forces = point_forces(
                self.model.loss, targets, point_scores, output_kind, self.gradient
            )
            return {
                "grid_scores": rounded(shown(outputs[: xx.size]).reshape(xx.shape)),
                "point_scores": rounded(shown(point_scores)),
                "point_forces": rounded(forces),
                "hardest_share": finite_or_none(hardest_share(forces)),
            }

    return [Watcher()]
