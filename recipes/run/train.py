"""The ``train`` task: config -> data -> model -> fit -> evaluate -> run folder.

Each step is one call; the clock of each goes to ``durations_s`` in run.json.
"""

from __future__ import annotations

from typing import Any

from recipes.errors import TrainingFailed
from recipes.files import replaced_atomically, write_csv, write_json
from recipes.run.evaluation import Evaluation, check_finite, history_metrics
from recipes.run.fitting import (
    backup_callback,
    compile_model,
    completed_epochs,
    earlier_history,
    early_stopping_callback,
    fit_model,
    history_file_callback,
    nan_guard_callback,
)
from recipes.run.lifecycle import RunContext
from recipes.run.recording import boundary_recorder


def train_and_evaluate(context: RunContext) -> dict[str, Any]:
    """Train the recipe's model on its data and write history, predictions, metrics, the
    model and the figures into the run folder; returns what run.json records."""
    config, folder = context.config, context.folder
    with context.timed("import"):
        import keras

        from datasets import build_dataset
        from recipes.components.models import build_model, model_output_kind
        from recipes.run.figures import write_run_figures
    keras.utils.set_random_seed(config.seed)

    with context.timed("data"):
        split = build_dataset(config.data.name, config.data.params, config.seed)
    context.record.update(data=split.summary())
    model = build_model(config.model.name, config.model.params, split.x_train.shape[1:])
    compile_model(model, config)

    nan_guard = nan_guard_callback()
    history_file = history_file_callback(folder / "history.csv", _resume_point(context))
    recorder = boundary_recorder(config, split)  # None unless plots.evolution, 2 features
    callbacks = [
        nan_guard,
        recorder,
        history_file,  # before the backup: history.csv never has fewer epochs than the backup
        backup_callback(folder, config.train.checkpoint_every_s)
        if config.train.checkpoint
        else None,
        early_stopping_callback(config),
    ]
    with context.timed("fit"):
        fit_model(model, split, config, [c for c in callbacks if c is not None], context.verbose)
    history = history_file.history
    if nan_guard.failure:
        raise TrainingFailed(nan_guard.failure)

    with context.timed("evaluate"):
        evaluation = Evaluation(model, split, model_output_kind(config.model.name))
    metrics = {**evaluation.metrics, **history_metrics(history, config)}
    check_finite(metrics)
    write_csv(folder / "test_predictions.csv", *evaluation.table())
    write_json(folder / "metrics.json", metrics)

    with context.timed("save_model"), replaced_atomically(folder / "model.keras") as temporary:
        model.save(temporary)
    recording = recorder.recording if recorder is not None else None
    with context.timed("plots"):
        write_run_figures(folder, config, model, history, evaluation, recording)
    if recording is not None:  # inside durations_s.fit and durations_s.plots
        context.record.update(
            recording_s=round(recording.seconds, 4),
            recording_scoring_s=round(recording.scoring_seconds, 4),
        )
    return {"metrics": metrics, "output_kind": evaluation.output_kind}


def _resume_point(context: RunContext) -> dict[str, list[float]]:
    """For a resumed run: the history of the epochs its backup holds (recorded in run.json
    under ``resumes``); the backup itself is restored by ``BackupAndRestore``."""
    if not context.resuming:
        return {}
    epochs = completed_epochs(context.folder)
    resumes = context.record.data.get("resumes", [{}])
    resumes[-1]["from_epoch"] = epochs
    context.record.update(resumes=resumes, resumed_from_epoch=epochs)
    return earlier_history(context.folder, epochs)
