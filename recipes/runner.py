"""The runner: from a validated config to one complete run folder.

Order matters: the backend is chosen before Keras is imported; the run folder and ``run.json``
exist before training starts, so a failed or interrupted run is still auditable.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from recipes.config import DEFAULT_OUTPUT_ROOT, RecipeConfig, ResolvedRecipe
from recipes.errors import RecipeError, TrainingFailed
from recipes.run_folder import (
    RunRecord,
    create_run_folder,
    now_iso,
    write_csv,
    write_json,
    write_yaml,
)

BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
LIBRARIES = (
    "keras",
    "tensorflow",
    "jax",
    "torch",
    "numpy",
    "scikit-learn",
    "mlxtend",
    "matplotlib",
)
MAX_FEATURE_COLUMNS = 20


def select_backend(backend: str) -> None:
    """Make Keras use ``backend``; must run before the first ``import keras``."""
    if importlib.util.find_spec(BACKEND_MODULES[backend]) is None:
        extra = (
            " Install it with: .venv/bin/pip install -e '.[torch]'" if backend == "torch" else ""
        )
        raise RecipeError(f"backend '{backend}' is not installed.{extra}")
    if "keras" in sys.modules:
        import keras

        loaded = keras.backend.backend()
        if loaded != backend:
            raise RecipeError(
                f"Keras is already loaded with the '{loaded}' backend in this process; "
                f"run '{backend}' in a new process (python -m recipes run ... --backend {backend})"
            )
        return
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def _nan_guard_callback() -> Any:
    import keras

    class NanGuard(keras.callbacks.Callback):
        """Stop at the first non-finite training loss and remember where it happened."""

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


def _history_rows(history: dict[str, list[float]]) -> tuple[list[str], list[list[Any]]]:
    keys = list(history)
    epochs = max((len(values) for values in history.values()), default=0)
    rows = [
        [epoch + 1] + [history[key][epoch] if epoch < len(history[key]) else "" for key in keys]
        for epoch in range(epochs)
    ]
    return ["epoch", *keys], rows


def _score_columns(scores: np.ndarray) -> tuple[list[str], np.ndarray]:
    scores = scores.reshape(len(scores), -1)
    if scores.shape[1] == 1:
        return ["y_score"], scores
    return [f"y_score_{index}" for index in range(scores.shape[1])], scores


def prediction_table(
    features: np.ndarray,
    feature_names: list[str],
    y_true: np.ndarray,
    scores: np.ndarray,
    y_pred: np.ndarray,
    probabilities: np.ndarray | None = None,
) -> tuple[list[str], list[list[Any]]]:
    """Rows of test_predictions.csv: features (or the row index for wide inputs), y_true,
    the raw model output (``y_score``, or one column per class), ``y_probability`` when given
    (the sigmoid of a logit output) and the predicted label."""
    flat = features.reshape(len(features), -1)
    if flat.shape[1] <= MAX_FEATURE_COLUMNS:
        feature_header, feature_values = list(feature_names), flat
    else:
        feature_header, feature_values = ["index"], np.arange(len(flat)).reshape(-1, 1)
    score_header, score_values = _score_columns(scores)
    probability_header, probability_values = [], np.empty((len(flat), 0))
    if probabilities is not None:
        probability_header = ["y_probability"]
        probability_values = np.asarray(probabilities).reshape(len(flat), -1)
    header = [*feature_header, "y_true", *score_header, *probability_header, "y_pred"]
    rows = [
        [
            *map(_plain, feature_values[i]),
            int(y_true[i]),
            *map(_plain, score_values[i]),
            *map(_plain, probability_values[i]),
            int(y_pred[i]),
        ]
        for i in range(len(flat))
    ]
    return header, rows


def _plain(value: Any) -> Any:
    value = value.item() if hasattr(value, "item") else value
    return repr(value) if isinstance(value, float) else value


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, scores: np.ndarray, label_kind: str, output_kind: str
) -> dict[str, float]:
    """Metrics recomputed from the prediction table (so anyone can audit them)."""
    from sklearn import metrics

    result = {"test_accuracy": float(np.mean(y_true == y_pred))}
    if label_kind in ("binary", "plus_minus_one"):
        positive = 1
        result["test_precision"] = float(
            metrics.precision_score(y_true, y_pred, pos_label=positive, zero_division=0)
        )
        result["test_recall"] = float(
            metrics.recall_score(y_true, y_pred, pos_label=positive, zero_division=0)
        )
        if len(np.unique(y_true)) == 2:
            result["test_auc"] = float(
                metrics.roc_auc_score(y_true == positive, scores.reshape(-1))
            )
    return result


def _short_loss_name(config: RecipeConfig) -> str:
    """The loss's name plus the kernel penalties Keras adds to it (``focal + L1/L2``)."""
    penalties = [
        label for label, key in (("L1", "l1"), ("L2", "l2")) if config.model.params.get(key)
    ]
    name = config.loss.name.replace("_", " ")
    return f"{name} + {'/'.join(penalties)}" if penalties else name


def run_recipe(
    recipe: ResolvedRecipe,
    output_root: Path | str = DEFAULT_OUTPUT_ROOT,
    verbose: int | None = None,
) -> Path:
    """Train and evaluate one recipe (or draw the loss gallery); returns its run folder.

    Raises TrainingFailed (status ``failed`` in run.json) when training cannot finish, and
    re-raises KeyboardInterrupt after marking the run ``interrupted``.
    """
    if recipe.config.kind != "train":
        from recipes.gallery import draw_gallery

        return execute_run(recipe, output_root, draw_gallery)
    return execute_run(
        recipe,
        output_root,
        lambda *arguments: _train_and_report(*arguments, verbose=verbose),
    )


RunWork = Callable[[ResolvedRecipe, Path, RunRecord, dict[str, float]], dict[str, Any]]


def execute_run(recipe: ResolvedRecipe, output_root: Path | str, work: RunWork) -> Path:
    """The life of one run folder, shared by every recipe kind.

    Chooses the backend, creates the folder with ``config.yaml`` and ``run.json`` (status
    ``running``), calls ``work(recipe, folder, record, durations)`` and records the outcome:
    ``completed`` with what ``work`` returns, or ``failed`` / ``interrupted`` with the reason
    (the exception then carries ``run_folder``).
    """
    config = recipe.config
    select_backend(config.backend)
    started = time.perf_counter()
    folder = create_run_folder(Path(output_root), recipe.name)
    write_yaml(folder / "config.yaml", config.as_mapping())
    record = RunRecord(
        folder,
        recipe=recipe.name,
        kind=config.kind,
        run_id=folder.name,
        description=config.description,
        sources=recipe.sources,
        overrides=recipe.overrides,
        backend=config.backend,
        seed=config.seed,
        started_at=now_iso(),
        command=" ".join(sys.argv),
        versions=library_versions(),
        host={"platform": platform.platform(), "processor": platform.machine()},
    )
    durations: dict[str, float] = {}

    def finish(status: str, **fields: Any) -> None:
        durations["total"] = time.perf_counter() - started
        record.update(status=status, ended_at=now_iso(), durations_s=durations, **fields)

    try:
        result = work(recipe, folder, record, durations)
    except TrainingFailed as error:
        error.run_folder = folder
        finish("failed", reason=str(error))
        raise
    except KeyboardInterrupt as error:
        error.run_folder = folder
        finish("interrupted", reason="interrupted by the user (Ctrl-C)")
        raise
    except Exception as error:
        error.run_folder = folder
        finish("failed", reason=f"{type(error).__name__}: {error}")
        raise
    finish("completed", **result)
    return folder


def _train_and_report(
    recipe: ResolvedRecipe,
    folder: Path,
    record: RunRecord,
    durations: dict[str, float],
    verbose: int | None = None,
) -> dict[str, Any]:
    config = recipe.config
    clock = time.perf_counter()
    import keras

    from datasets import build_dataset
    from recipes import plots
    from recipes.losses import get_loss
    from recipes.metrics import get_metric, predicted_labels, true_labels
    from recipes.models import build_model, model_output_kind
    from recipes.optimizers import build_optimizer

    durations["import"] = time.perf_counter() - clock
    keras.utils.set_random_seed(config.seed)

    clock = time.perf_counter()
    split = build_dataset(config.data.name, config.data.params, config.seed)
    durations["data"] = time.perf_counter() - clock
    record.update(data=split.summary())

    model = build_model(config.model.name, config.model.params, split.x_train.shape[1:])
    output_kind = model_output_kind(config.model.name)
    model.compile(
        optimizer=build_optimizer(config.optimizer),
        loss=get_loss(config.loss.name, config.loss.params),
        metrics=[get_metric(metric.name, metric.params) for metric in config.metrics],
        steps_per_execution=config.train.steps_per_execution,
        jit_compile=config.train.jit_compile,
    )

    nan_guard = _nan_guard_callback()
    callbacks = [nan_guard]
    early_stopping = config.train.early_stopping
    if early_stopping is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=early_stopping.monitor,
                mode=early_stopping.mode,
                patience=early_stopping.patience,
                min_delta=early_stopping.min_delta,
                restore_best_weights=early_stopping.restore_best_weights,
                verbose=1,
            )
        )
    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    validation: dict[str, Any] = {"validation_split": config.train.validation_split}
    if split.x_val is not None:
        validation = {"validation_data": (split.x_val, split.y_val)}
    clock = time.perf_counter()
    history = model.fit(
        split.x_train,
        split.y_train,
        epochs=config.train.epochs,
        batch_size=config.train.batch_size,
        shuffle=config.train.shuffle,
        callbacks=callbacks,
        verbose=verbose,
        **validation,
    ).history
    durations["fit"] = time.perf_counter() - clock
    header, rows = _history_rows(history)
    write_csv(folder / "history.csv", header, rows)
    if nan_guard.failure:
        raise TrainingFailed(nan_guard.failure)

    clock = time.perf_counter()
    evaluated = model.evaluate(
        split.x_test, split.y_test, batch_size=8192, verbose=0, return_dict=True
    )
    scores = model.predict(split.x_test, batch_size=8192, verbose=0)
    durations["evaluate"] = time.perf_counter() - clock

    y_true = true_labels(split.y_test, split.label_kind)
    y_pred = predicted_labels(scores, split.label_kind, output_kind)
    metrics = {f"test_{name}": float(value) for name, value in evaluated.items()}
    metrics.update(classification_metrics(y_true, y_pred, scores, split.label_kind, output_kind))
    epochs_run = len(history.get("loss", []))
    for key, values in history.items():
        metrics[f"final_{key}"] = float(values[-1])
    metrics["epochs_run"] = epochs_run
    if early_stopping is not None and early_stopping.monitor in history:
        values = np.asarray(history[early_stopping.monitor])
        best = int(np.argmax(values) if early_stopping.mode == "max" else np.argmin(values))
        metrics["best_epoch"] = best + 1
        metrics[f"best_{early_stopping.monitor}"] = float(values[best])
    if not all(math.isfinite(v) for v in metrics.values() if isinstance(v, float)):
        raise TrainingFailed(f"evaluation produced non-finite metrics: {metrics}")

    probabilities = None
    if output_kind == "logit":  # the sigmoid, written stably (no overflow for large logits)
        probabilities = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(scores, dtype="float64")))
    header, rows = prediction_table(
        split.x_test, split.feature_names, y_true, scores, y_pred, probabilities=probabilities
    )
    write_csv(folder / "test_predictions.csv", header, rows)
    write_json(folder / "metrics.json", metrics)

    clock = time.perf_counter()
    temporary_model = folder / ".model.tmp.keras"
    model.save(temporary_model)
    os.replace(temporary_model, folder / "model.keras")
    durations["save_model"] = time.perf_counter() - clock

    clock = time.perf_counter()
    title_run = f"{_short_loss_name(config)} loss, {config.data.name}"
    accuracy_text = f"test acc {metrics['test_accuracy']:.1%}"
    if config.plots.loss:
        ax = plots.plot_loss_history(
            history, title=f"{title_run}: loss per epoch (seed {config.seed})"
        )
        plots.save_figure(ax, folder / "loss.png", dpi=config.plots.dpi)
    two_features = split.x_test.reshape(len(split.x_test), -1).shape[1] == 2
    if config.plots.decision_boundary and two_features:
        predictor = plots.LabelPredictor(
            model, lambda s: predicted_labels(s, split.label_kind, output_kind)
        )
        ax = plots.new_axes(plots.SQUARE_FIGURE_SIZE, dpi=config.plots.dpi)
        plots.plot_decision_boundary(
            predictor,
            split.x_test,
            y_true,
            ax=ax,
            title=f"{title_run}, {accuracy_text}",
            class_names=split.info.get("class_names"),
        )
        plots.save_figure(ax, folder / "decision_boundary.png", dpi=config.plots.dpi)
    if config.plots.predictions and two_features:
        figure = plots.plot_true_vs_predicted(
            split.x_test,
            y_true,
            y_pred,
            title=f"{title_run}, {accuracy_text}",
            class_names=split.info.get("class_names"),
        )
        plots.save_figure(figure, folder / "predictions.png", dpi=config.plots.dpi)
    durations["plots"] = time.perf_counter() - clock
    return {"metrics": metrics, "output_kind": output_kind}
