"""Compile and fit a Keras model as a config says: optimizer, loss, metrics, callbacks."""

from __future__ import annotations

import itertools
import math
import sys
import time
from pathlib import Path
from typing import Any

from recipes.components.losses import get_loss
from recipes.components.metrics import get_metric
from recipes.components.optimizers import build_optimizer
from recipes.config.schema import RecipeConfig
from recipes.errors import RecipeError
from recipes.files import read_csv_columns, read_json, write_csv
from recipes.signals import raise_if_stopping, signals_deferred
from recipes.training.schedule import split_schedule
from recipes.training.speed_settings import compile_speed_options

BACKUP_FOLDER = "backup"  # inside the run folder while training runs (BackupAndRestore)


def compile_model(model: Any, config: RecipeConfig, loss: Any = None) -> None:
    """``model.compile`` with the config's optimizer, loss (or ``loss``, already built),
    metrics and speed settings (resolved for the loaded backend:
    :mod:`recipes.training.speed_settings`)."""
    import keras

    model.compile(
        optimizer=build_optimizer(config.optimizer),
        loss=loss if loss is not None else get_loss(config.loss.name, config.loss.params),
        metrics=[get_metric(metric.name, metric.params) for metric in config.metrics],
        **compile_speed_options(config.train, keras.backend.backend()),
    )


def nan_guard_callback() -> Any:
    """A callback that stops at the first non-finite training loss; ``.failure`` says where."""
    import keras

    class NanGuard(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epoch = 0
            self.failure: str | None = None

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch = epoch

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            loss = (logs or {}).get("loss")
            if loss is not None and not math.isfinite(float(loss)) and self.failure is None:
                self.failure = (
                    f"loss became {float(loss)} during epoch {self.epoch + 1}; "
                    "try a smaller optimizer.learning_rate"
                )
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            # the compiled trainer reports epochs only; a non-finite step leaves the epoch's
            # mean loss non-finite
            self.epoch = epoch
            self.on_train_batch_end(0, logs)

    return NanGuard()


def early_stopping_callback(config: RecipeConfig, verbose: int = 1) -> Any:
    """``keras.callbacks.EarlyStopping`` as ``train.early_stopping`` says (its fields are the
    callback's own arguments), or None; ``verbose`` 0 (a run from Python, one line in all)
    leaves out its 'Restoring model weights' line."""
    import keras

    settings = config.train.early_stopping
    if settings is None:
        return None
    return keras.callbacks.EarlyStopping(**settings.model_dump(), verbose=verbose)


def history_file_callback(path: Path, earlier: dict[str, list[float]]) -> Any:
    """A callback that rewrites history.csv at the end of every epoch and of training
    (``earlier`` rows first, for a resumed run), so a run that dies mid-training keeps its
    curve; ``.history`` is the whole run's."""
    import keras

    class HistoryFile(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.history = {key: list(values) for key, values in earlier.items()}

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            for key, value in (logs or {}).items():
                self.history.setdefault(key, []).append(float(value))
            write_csv(path, *history_rows(self.history))

        def on_train_end(self, logs: dict | None = None) -> None:
            # a resumed fit with no epoch left to run still leaves the backup's history
            write_csv(path, *history_rows(self.history))

    return HistoryFile()


def backup_callback(folder: Path, every_s: float) -> Any:
    """``keras.callbacks.BackupAndRestore`` in ``folder/backup``: weights, optimizer state and
    epoch saved at an epoch's end, at most once per ``every_s`` seconds of training (so a short
    run, or each of 50 runs trained together, does not pay a save it will never use), restored
    by a resumed fit, deleted when fit ends."""
    import keras

    class ThrottledBackupAndRestore(keras.callbacks.BackupAndRestore):
        last_saved = -math.inf

        def on_train_begin(self, logs: dict | None = None) -> None:
            super().on_train_begin(logs)
            self.last_saved = time.monotonic()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if time.monotonic() - self.last_saved >= every_s:
                super().on_epoch_end(epoch, logs)
                self.last_saved = time.monotonic()

    return ThrottledBackupAndRestore(str(folder / BACKUP_FOLDER), save_freq="epoch")


def stop_on_signal_callback() -> Any:
    """The place a signal stops training (``fit`` runs under ``signals_deferred``): after a
    batch, or once an epoch's history row and backup are written. Put it last."""
    import keras

    def stop(*_: Any, **__: Any) -> None:
        raise_if_stopping()

    return keras.callbacks.LambdaCallback(
        on_train_batch_end=stop, on_test_batch_end=stop, on_epoch_end=stop
    )


def resumed_history(folder: Path) -> tuple[int, dict[str, list[float]]]:
    """Where a resumed fit starts: the epochs its backup records (0 without one), and the
    first that many rows of the run folder's history.csv, which the fit goes on from."""
    metadata = read_json(folder / BACKUP_FOLDER / "training_metadata.json")
    epochs = int(metadata.get("epoch", 0))
    columns = read_csv_columns(folder / "history.csv")
    return epochs, {key: values[:epochs] for key, values in columns.items()} if epochs else {}


def uses_compiled_trainer(config: RecipeConfig) -> bool:
    """Whether ``train.trainer`` resolves to the compiled path (``auto``: on JAX)."""
    return config.train.trainer == "compiled" or (
        config.train.trainer == "auto" and config.backend == "jax"
    )


def fit_model(
    model: Any, split: Any, config: RecipeConfig, callbacks: list[Any], verbose: int | None
) -> dict[str, list[float]]:
    """Train on the split (its own validation data, else ``validation_split``) with the
    trainer ``train.trainer`` resolves to, for the epochs of its schedule (``train.epochs``, or
    ``train.steps`` in whole epochs: :mod:`recipes.training.schedule`); returns the history of the
    epochs it ran (one list per logged value)."""
    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    if split.x_val is None:
        check_validation_split(len(split.x_train), config.train.validation_split)
    callbacks = [*callbacks, stop_on_signal_callback()]
    epochs = split_schedule(config.train, split).epochs
    with signals_deferred():
        if uses_compiled_trainer(config):
            from recipes.training.compiled import CompiledGroup

            member = compiled_member(model, split, config, callbacks, verbose)
            return CompiledGroup([member], config.train.batch_size, config.train.shuffle).fit(
                epochs
            )[0]
        validation: dict[str, Any] = {"validation_split": config.train.validation_split}
        if split.x_val is not None:
            validation = {"validation_data": (split.x_val, split.y_val)}
        return model.fit(
            split.x_train,
            split.y_train,
            epochs=epochs,
            batch_size=config.train.batch_size,
            shuffle=config.train.shuffle,
            callbacks=callbacks,
            verbose=verbose,
            **validation,
        ).history


def compiled_member(
    model: Any, split: Any, config: RecipeConfig, callbacks: list[Any], verbose: int
) -> Any:
    """The compiled trainer's view of one run: its data split as ``model.fit`` would take it
    (its own validation data, else the last ``validation_split`` of the training data)."""
    from recipes.training.compiled import Member, validation_holdout

    if split.x_val is not None:
        data = (split.x_train, split.y_train, split.x_val, split.y_val)
    else:
        data = validation_holdout(split.x_train, split.y_train, config.train.validation_split)
    # one line per epoch (verbose 2): the compiled path reports at epoch ends only
    return Member(model, *data, callbacks, config.seed, verbose=min(verbose, 2) and 2)


def check_validation_split(samples: int, fraction: float) -> None:
    """RecipeError (one line) when ``validation_split`` leaves no training or no validation
    sample (Keras keeps the first ceil(n * (1 - fraction)) samples for training)."""
    training = math.ceil(samples * (1.0 - fraction))
    if fraction > 0 and (training == 0 or training == samples):
        raise RecipeError(
            f"train.validation_split: {fraction} of {samples} training sample(s) leaves "
            f"{training} for training and {samples - training} for validation; use more data "
            "(e.g. data.n_samples) or --set train.validation_split=0"
        )


def history_rows(history: dict[str, list[float]]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of history.csv: one row per epoch, one column per logged value."""
    # a column shorter than the others (a value logged in some epochs only) ends in empty cells
    columns = itertools.zip_longest(*history.values(), fillvalue="")
    rows = [[epoch, *values] for epoch, values in enumerate(columns, start=1)]
    return ["epoch", *history], rows
