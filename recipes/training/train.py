"""The ``train`` task: config -> data -> model -> fit -> evaluate -> run folder.

Each step is one call; the clock of each goes to ``durations_s`` in run.json.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from recipes.components.user_loss import is_user_loss
from recipes.errors import TrainingFailed
from recipes.files import replaced_atomically, write_csv, write_json
from recipes.records import RECORDING_FILE, FiguresPending
from recipes.training import drawing
from recipes.training.backend import leave_tensorflow_unloaded
from recipes.training.evaluation import Evaluation, history_metrics
from recipes.training.fitting import (
    backup_callback,
    compile_model,
    early_stopping_callback,
    fit_model,
    history_file_callback,
    nan_guard_callback,
    resumed_history,
    uses_compiled_trainer,
)
from recipes.training.lifecycle import RunContext
from recipes.training.loss_check import loss_for_run
from recipes.training.recording import record, recorder
from recipes.training.schedule import split_schedule
from recipes.training.tensorboard import tensorboard_callbacks


@dataclass
class Prepared:
    """A run ready to train: its data, compiled model and callbacks."""

    split: Any
    model: Any
    callbacks: list[Any]
    nan_guard: Any
    history_file: Any
    recorder: Any = None  # the recording's callback (two-feature data), or None
    gradient_of: Any = None  # the loss's gradient compiled for a group of runs, or None


def train_and_evaluate(context: RunContext) -> dict[str, Any]:
    """Train the recipe's model on its data and write history, predictions, metrics, the
    model and the figures into the run folder; returns what run.json records."""
    prepared = prepare_training(context)
    with context.timed("fit"):
        fit_model(
            prepared.model, prepared.split, context.config, prepared.callbacks, context.verbose
        )
    return finish_training(context, prepared)


def prepare_training(context: RunContext) -> Prepared:
    """Seed, build the data and the compiled model, and the callbacks of the fit."""
    config, folder = context.config, context.folder
    with context.timed("import"):
        import keras

        from recipes.components.losses import loss_label_encoding
        from recipes.components.models import build_model, model_initialization
        from recipes.datasets import build_dataset
    with context.timed("backend_start"):  # the backend's runtime starts on its first operation
        leave_tensorflow_unloaded()
        keras.utils.set_random_seed(config.seed)
        keras.ops.convert_to_numpy(keras.ops.zeros(()))

    with context.timed("data"):
        labels = loss_label_encoding(
            config.loss.name, config.loss.params
        )  # a user's file: as the loss needs
        split = build_dataset(config.data.name, config.data.params, config.seed, labels)
    compiled = uses_compiled_trainer(config)
    with context.timed("model"):
        model = build_model(config.model.name, config.model.params, split.x_train.shape[1:])
        loss = None
        if is_user_loss(config.loss.name):  # its file kept in the run folder, checked once
            loss, kept = loss_for_run(config.loss.name, config.loss.params, folder, model, split)
            context.record.update(loss_source=kept)
        compile_model(model, config, loss)
    speed = {  # what the compiled model runs with, ``auto`` resolved (speed_settings)
        "steps_per_execution": int(model.steps_per_execution),
        "jit_compile": bool(model.jit_compile),
    }
    if compiled:  # one jitted program per epoch: model.fit's settings do not apply
        speed = {"steps_per_execution": "one epoch", "jit_compile": True}
    context.record.update(  # one rewrite of run.json for what preparing decided
        data=split.summary(),
        trainer="compiled" if compiled else "fit",
        schedule=split_schedule(config.train, split).model_dump(),
        initialization=model_initialization(config.model.name, config.model.params),
        speed_settings=speed,
    )

    nan_guard = nan_guard_callback()
    history_file = history_file_callback(folder / "history.csv", _resume_point(context))
    recording_callback = recorder(config, split)  # None unless the data has two features
    callbacks = [
        nan_guard,
        recording_callback,
        history_file,  # before the backup: history.csv never has fewer epochs than the backup
        backup_callback(folder, config.train.checkpoint_every_s)
        if config.train.checkpoint
        else None,
        early_stopping_callback(config, verbose=0 if context.verbose == 0 else 1),
        *tensorboard_callbacks(folder, config, context.recipe.overrides),
        *(context.watch(config, split) if context.watch is not None else []),
    ]
    callbacks = [callback for callback in callbacks if callback is not None]
    return Prepared(split, model, callbacks, nan_guard, history_file, recording_callback)


def finish_training(context: RunContext, prepared: Prepared) -> dict[str, Any]:
    """Evaluate the trained model, write the run folder's records, then its figures unless
    the run leaves them to be drawn when asked for (run.json says so)."""
    result = write_records(context, prepared)
    pending = context.figures_pending or drawing.pending_reason(context.config, sweep_point=False)
    if pending is not None:
        command = ["python", "-m", "recipes", "plot", str(context.folder)]  # what draws them
        context.record.update(figures=FiguresPending(reason=pending, command=command).model_dump())
        return result
    with context.timed("plots"):  # from the records just written, as `plot` draws them
        drawing.draw_and_record(context.folder, "run", context.config, context.record.update)
    return result


def write_records(context: RunContext, prepared: Prepared) -> dict[str, Any]:
    """Evaluate the trained model and write metrics.json, test_predictions.csv, model.keras
    and, for two-feature data, the recording (recording.npz) with the forces on the test
    points (run.json's ``forces``, and the hardest 10%'s share in the metrics): everything
    the figures are drawn from. Returns what run.json records when the run completes."""
    from recipes.components.models import model_output_kind
    from recipes.report.forces import SHARE_METRIC, forces_summary

    config, folder, model = context.config, context.folder, prepared.model
    history = prepared.history_file.history
    if prepared.nan_guard.failure:
        raise TrainingFailed(prepared.nan_guard.failure)

    with context.timed("evaluate"):
        evaluation = Evaluation(
            model, prepared.split, model_output_kind(config.model.name, config.model.params)
        )
    metrics = {**evaluation.metrics, **history_metrics(history, config)}
    if prepared.recorder is not None:
        with context.timed("recording"):  # scores on the grid and the points, and the forces
            recording = record(
                prepared.recorder.snapshots, model, prepared.split, evaluation.output_kind,
                history, config, prepared.gradient_of,
            )  # fmt: skip
            recording.save(folder / RECORDING_FILE)
        forces = forces_summary(recording)
        context.record.update(recording_s=round(prepared.recorder.seconds, 4), forces=forces)
        if config.plots.forces and forces["hardest_10pct_share"] is not None:
            metrics[SHARE_METRIC] = forces["hardest_10pct_share"]
    if not all(math.isfinite(v) for v in metrics.values() if isinstance(v, float)):
        raise TrainingFailed(f"evaluation produced non-finite metrics: {metrics}")  # diverged late
    write_csv(folder / "test_predictions.csv", *evaluation.table())
    write_json(folder / "metrics.json", metrics)

    with context.timed("save_model"), replaced_atomically(folder / "model.keras") as temporary:
        model.save(temporary)
    return {"metrics": metrics, "output_kind": evaluation.output_kind}


def _resume_point(context: RunContext) -> dict[str, list[float]]:
    """For a resumed run: the history of the epochs its backup holds (recorded in run.json
    under ``resumes``); the backup itself is restored by ``BackupAndRestore``."""
    if not context.resuming:
        return {}
    epochs, history = resumed_history(context.folder)
    resumes = context.record.data.get("resumes", [{}])
    resumes[-1]["from_epoch"] = epochs
    context.record.update(resumes=resumes, resumed_from_epoch=epochs)
    return history
