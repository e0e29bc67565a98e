"""Compile and fit a Keras model as a config says: optimizer, loss, metrics, callbacks."""

from __future__ import annotations

import math
import sys
from typing import Any

from recipes.components.losses import get_loss
from recipes.components.metrics import get_metric
from recipes.components.optimizers import build_optimizer
from recipes.config.schema import RecipeConfig


def compile_model(model: Any, config: RecipeConfig) -> None:
    """``model.compile`` with the config's optimizer, loss, metrics and speed settings."""
    model.compile(
        optimizer=build_optimizer(config.optimizer),
        loss=get_loss(config.loss.name, config.loss.params),
        metrics=[get_metric(metric.name, metric.params) for metric in config.metrics],
        steps_per_execution=config.train.steps_per_execution,
        jit_compile=config.train.jit_compile,
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

    return NanGuard()


def early_stopping_callback(config: RecipeConfig) -> Any:
    """``keras.callbacks.EarlyStopping`` as ``train.early_stopping`` says, or None."""
    import keras

    settings = config.train.early_stopping
    if settings is None:
        return None
    return keras.callbacks.EarlyStopping(
        monitor=settings.monitor,
        mode=settings.mode,
        patience=settings.patience,
        min_delta=settings.min_delta,
        restore_best_weights=settings.restore_best_weights,
        verbose=1,
    )


def fit_model(
    model: Any, split: Any, config: RecipeConfig, callbacks: list[Any], verbose: int | None
) -> dict[str, list[float]]:
    """``model.fit`` on the split (its own validation data, else ``validation_split``);
    returns the history (one list per logged value, one entry per epoch)."""
    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    validation: dict[str, Any] = {"validation_split": config.train.validation_split}
    if split.x_val is not None:
        validation = {"validation_data": (split.x_val, split.y_val)}
    return model.fit(
        split.x_train,
        split.y_train,
        epochs=config.train.epochs,
        batch_size=config.train.batch_size,
        shuffle=config.train.shuffle,
        callbacks=callbacks,
        verbose=verbose,
        **validation,
    ).history


def history_rows(history: dict[str, list[float]]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of history.csv: one row per epoch, one column per logged value."""
    keys = list(history)
    epochs = max((len(values) for values in history.values()), default=0)
    rows = [
        [epoch + 1] + [history[key][epoch] if epoch < len(history[key]) else "" for key in keys]
        for epoch in range(epochs)
    ]
    return ["epoch", *keys], rows
