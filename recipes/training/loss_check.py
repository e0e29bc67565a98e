"""The run's side of a user's loss: its file kept in the run folder, the loss built from that
copy, and one evaluation on a small batch before the first epoch, so that a loss that returns
NaN, one number for the batch, or a gradient that is not finite fails in one line instead of
after minutes of training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recipes.components.losses import get_loss
from recipes.components.user_loss import keep_source, short_name


def preflight(loss: Any, label: str, y_true: Any, y_pred: Any) -> None:
    """Evaluate the loss once on a small batch before the first epoch: finite per-sample
    values with one per sample (a shape Keras can reduce), and a finite gradient with respect to
    the model's output. TrainingFailed (one line naming the loss) otherwise."""
    import numpy as np

    from recipes.components.gradients import output_gradient
    from recipes.errors import TrainingFailed

    count = len(y_pred)
    try:
        values, gradient = output_gradient(loss.call, y_true, y_pred)
        reduced = float(np.asarray(loss(y_true, y_pred)))
    except Exception as error:
        raise TrainingFailed(
            f"loss {label} raised {type(error).__name__} on a batch of {count}: {error}"
        ) from error
    problem = None
    if values.ndim == 0 or values.shape[0] != count:
        problem = (
            f"returned shape {tuple(values.shape)} for a batch of {count}; return one value per "
            f"sample (shape ({count},))"
        )
    elif not np.all(np.isfinite(values)) or not np.isfinite(reduced):
        flat = np.append(values.reshape(-1), reduced)
        problem = f"returned a non-finite value ({flat[~np.isfinite(flat)][0]})"
    elif not np.all(np.isfinite(gradient)):
        problem = "has a non-finite gradient with respect to the model's output"
    if problem:
        raise TrainingFailed(f"loss {label} {problem} (checked before the first epoch)")


def loss_for_run(name: str, params: dict[str, Any], run_folder: Path, model: Any, split: Any):
    """(the Keras loss, what run.json records) for a user's loss: its file copied into the run
    folder, the loss built from the copy and checked once on a small batch (:func:`preflight`)."""
    import keras

    from recipes.errors import TrainingFailed

    kept = keep_source(name, run_folder)
    label = short_name(name)
    try:
        loss = get_loss(kept["reference"], params)
    except Exception as error:
        raise TrainingFailed(
            f"loss {label} could not be built: {type(error).__name__}: {error}"
        ) from error
    x_batch, y_batch = split.x_train[:8], split.y_train[:8]
    outputs = keras.ops.convert_to_numpy(model(x_batch, training=False))
    preflight(loss, label, y_batch, outputs)
    return loss, kept
