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
import shlex
from collections.abc import Callable
from typing import Any

import numpy as np

from recipes.recording import grid_inputs, margin_levels

_PROGRAMS: dict[str, Any] = {}  # a model's or a loss's configuration -> its jitted program


class Stop(KeyboardInterrupt):
    """The lab stops a run (a new one replaces it, a stop request, the lab closing): a
    KeyboardInterrupt, so the door records the run ``interrupted`` with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def command_line(recipe: str, texts: list[str]) -> str:
    """The command line that trains the same run, as the page shows it (a run.json's own
    command is its process's: a notebook's kernel, the lab)."""
    sets = [f"--set {shlex.quote(text)}" for text in texts]
    return " ".join(["python -m recipes run", shlex.quote(recipe), *sets])


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


def _programs(model: Any, user_loss: bool) -> tuple[Callable | None, Callable | None]:
    """The model's jitted ``(trainable, non_trainable, inputs) -> outputs`` and its loss's
    compiled gradient (:func:`recipes.report.forces.compiled_gradient`), each traced once per
    configuration in this process (a user's loss, whose file may change, again each run);
    (None, None) on another backend than JAX: the model's own ``predict_on_batch`` and a
    gradient op by op then."""
    import keras

    if keras.backend.backend() != "jax":
        return None, None
    import jax

    from recipes.report.forces import compiled_gradient

    def score(trainable: Any, non_trainable: Any, inputs: Any) -> Any:
        outputs, _ = model.stateless_call(trainable, non_trainable, inputs, training=False)
        return outputs

    loss = model.loss
    model_key = json.dumps(["model", model.get_config()], sort_keys=True, default=str)
    loss_key = json.dumps([type(loss).__name__, loss.get_config()], sort_keys=True, default=str)
    if model_key not in _PROGRAMS:
        _PROGRAMS[model_key] = jax.jit(score)
    if user_loss or loss_key not in _PROGRAMS:
        _PROGRAMS[loss_key] = compiled_gradient(loss)
    return _PROGRAMS[model_key], _PROGRAMS[loss_key]


class Scene:
    """What a run's events show, fixed for the run: the recording's grid over the test points
    (two-feature data: none for other data, whose events carry the numbers only), their labels
    and targets, and the scale the regions are drawn on; named as a :class:`Recording`'s, so
    that :func:`view_fields` reads either."""

    def __init__(self, config: Any, split: Any) -> None:
        from recipes.components.labels import true_labels
        from recipes.components.models import model_output_kind

        self.config, self.split = config, split
        points = np.asarray(split.x_test, dtype="float32").reshape(len(split.x_test), -1)
        self.two_features = points.shape[1] == 2
        self.output_kind = model_output_kind(config.model.name, config.model.params)
        self.label_kind = split.label_kind
        self.class_names = split.info.get("class_names") or {}
        self.levels = margin_levels(config.plots, split.label_kind, self.output_kind)
        self.targets = np.asarray(split.y_test, dtype="float32").reshape(len(points), -1)
        self.grid_x = self.grid_y = self.points = self.labels = np.empty(0)
        if self.two_features:
            self.grid_x, self.grid_y, self.inputs = grid_inputs(points, config.plots.evolution_grid)
            self.points, self.labels = points, true_labels(split.y_test, split.label_kind)
        self.grid_shape = (len(self.grid_y), len(self.grid_x))

    def start_fields(self, model: Any) -> dict[str, Any]:
        """The start event's fields about the data and the model's first weights."""
        from recipes.training.schedule import split_schedule

        return {
            "epochs": split_schedule(self.config.train, self.split).epochs,
            **view_fields(self),
            "initial_weights": weights_digest(model),
        }

    def scores(self, model: Any, score: Any, gradient: Any) -> dict[str, Any]:
        """An epoch event's regions, point scores and forces for the model's weights in place
        (``score``/``gradient``: the jitted programs, or None for the model's own calls)."""
        from recipes.report.forces import point_forces

        if score is None:
            outputs = model.predict_on_batch(self.inputs)
        else:
            trainable = [variable.value for variable in model.trainable_variables]
            fixed = [variable.value for variable in model.non_trainable_variables]
            outputs = score(trainable, fixed, self.inputs)
        outputs = np.asarray(outputs).reshape(len(self.inputs), -1)
        cells = int(np.prod(self.grid_shape))
        point_scores = outputs[cells:]
        forces = point_forces(model.loss, self.targets, point_scores, self.output_kind, gradient)
        grid_scores = outputs[:cells].reshape(*self.grid_shape, outputs.shape[1])
        return region_fields(self.levels, grid_scores, point_scores, forces)


def view_fields(source: Any) -> dict[str, Any]:
    """A start event's fields about what is drawn, from a live run's :class:`Scene` or a
    replayed :class:`~recipes.recording.Recording`: the grid, the test points, their labels
    and class names, the margin levels and the kinds of outputs and labels."""
    levels = source.levels
    return {
        "grid_x": rounded(source.grid_x),
        "grid_y": rounded(source.grid_y),
        "points": rounded(source.points),
        "labels": np.asarray(source.labels).tolist(),
        "class_names": {str(key): str(name) for key, name in source.class_names.items()},
        "margin_levels": [levels.low, levels.threshold, levels.high] if levels else [],
        "output_kind": source.output_kind,
        "label_kind": source.label_kind,
    }


def shown(levels: Any, scores: np.ndarray) -> np.ndarray:
    """Scores (the last axis: the model's outputs) on the scale the regions are drawn on: the
    margin levels' (a probability for a logit model), else the positive class's column of
    two, a multi-class model's predicted class."""
    if levels is not None:
        return levels.shown(scores)
    return scores[..., -1] if scores.shape[-1] <= 2 else np.argmax(scores, axis=-1)


def region_fields(
    levels: Any, grid_scores: np.ndarray, point_scores: np.ndarray, forces: np.ndarray
) -> dict[str, Any]:
    """An epoch event's regions, point scores and forces, from the model's outputs on the grid
    (rows, columns, outputs) and on the test points, live (:class:`Scene`) or replayed."""
    from recipes.report.forces import hardest_share

    return {
        "grid_scores": rounded(shown(levels, grid_scores)),
        "point_scores": rounded(shown(levels, point_scores)),
        "point_forces": rounded(forces),
        "hardest_share": finite_or_none(hardest_share(forces)),
    }


def epoch_logs(epoch: int, logs: dict | None) -> dict[str, Any]:
    """An epoch event's numbers: Keras' logs (non-finite as None), with the recipe's accuracy
    metric, whatever its name, also as ``accuracy`` / ``val_accuracy``."""
    data: dict[str, Any] = {"epoch": epoch + 1}
    for key, value in (logs or {}).items():
        data[key] = finite_or_none(value)
    for prefix in ("", "val_"):
        named = [k for k in data if k.startswith(prefix) and k.endswith("accuracy")]
        named = [k for k in named if prefix or not k.startswith("val_")]
        if named and f"{prefix}accuracy" not in data:
            data[f"{prefix}accuracy"] = data[named[0]]
    return data


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

    from recipes.components.user_loss import is_user_loss

    scene = Scene(config, split)

    class Watcher(keras.callbacks.Callback):
        def on_train_begin(self, logs: dict | None = None) -> None:
            check_stop()
            self.score, self.gradient = _programs(self.model, is_user_loss(config.loss.name))
            emit("start", {**start_fields, **scene.start_fields(self.model)})

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            check_stop()  # model.fit calls it per batch; the compiled trainer per epoch

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            data = epoch_logs(epoch, logs)
            if scene.two_features:
                data.update(scene.scores(self.model, self.score, self.gradient))
            emit("epoch", data)
            check_stop()
            between_epochs()

    return [Watcher()]
