"""Evaluate a trained model on the test split: Keras' metrics, the same metrics recomputed from
the prediction table (so anyone can audit them), and the rows of test_predictions.csv."""

from __future__ import annotations

from typing import Any

import numpy as np

from recipes.components.labels import predicted_labels, true_labels
from recipes.config.schema import RecipeConfig
from recipes.config.sizes import PREDICT_BATCH_SIZE

MAX_FEATURE_COLUMNS = 20


def _plain(value: Any) -> Any:
    value = value.item() if hasattr(value, "item") else value
    return repr(value) if isinstance(value, float) else value


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, scores: np.ndarray, label_kind: str
) -> dict[str, float]:
    """Accuracy (and for two classes precision, recall and ROC AUC) from the labels."""
    from sklearn import metrics

    result = {"test_accuracy": float(np.mean(y_true == y_pred))}
    if label_kind in ("binary", "plus_minus_one"):  # the positive class is 1 (sklearn's default)
        result["test_precision"] = float(metrics.precision_score(y_true, y_pred, zero_division=0))
        result["test_recall"] = float(metrics.recall_score(y_true, y_pred, zero_division=0))
        if len(np.unique(y_true)) == 2:
            result["test_auc"] = float(metrics.roc_auc_score(y_true == 1, scores.reshape(-1)))
    return result


def history_metrics(history: dict[str, list[float]], config: RecipeConfig) -> dict[str, Any]:
    """The last epoch's values (``final_*``), epochs run, and the monitored best epoch."""
    metrics: dict[str, Any] = {f"final_{key}": float(values[-1]) for key, values in history.items()}
    metrics["epochs_run"] = len(history.get("loss", []))
    early_stopping = config.train.early_stopping
    if early_stopping is not None and early_stopping.monitor in history:
        values = np.asarray(history[early_stopping.monitor])
        best = int(np.argmax(values) if early_stopping.mode == "max" else np.argmin(values))
        metrics["best_epoch"] = best + 1
        metrics[f"best_{early_stopping.monitor}"] = float(values[best])
    return metrics


class Evaluation:
    """A trained model's test results: labels, scores, metrics and the prediction table."""

    def __init__(self, model: Any, split: Any, output_kind: str) -> None:
        evaluated = model.evaluate(
            split.x_test, split.y_test, batch_size=PREDICT_BATCH_SIZE, verbose=0, return_dict=True
        )
        self.scores = model.predict(split.x_test, batch_size=PREDICT_BATCH_SIZE, verbose=0)
        self.split = split
        self.output_kind = output_kind
        self.y_true = true_labels(split.y_test, split.label_kind)
        self.y_pred = predicted_labels(self.scores, split.label_kind, output_kind)
        self.metrics = {f"test_{name}": float(value) for name, value in evaluated.items()}
        self.metrics.update(
            classification_metrics(self.y_true, self.y_pred, self.scores, split.label_kind)
        )

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows of test_predictions.csv: features (or the row index for wide
        inputs), y_true, the raw model output (``y_score``, or one column per class),
        ``y_probability`` for a logit output (its sigmoid) and the predicted label."""
        flat = self.split.x_test.reshape(len(self.split.x_test), -1)
        if flat.shape[1] <= MAX_FEATURE_COLUMNS:
            feature_header, features = list(self.split.feature_names), flat
        else:
            feature_header, features = ["index"], np.arange(len(flat)).reshape(-1, 1)
        scores = np.asarray(self.scores).reshape(len(flat), -1)
        columns = scores.shape[1]
        score_header = ["y_score"] if columns == 1 else [f"y_score_{i}" for i in range(columns)]
        probability_header, probabilities = [], np.empty((len(flat), 0))
        if self.output_kind == "logit":  # the sigmoid, written stably (no overflow)
            probability_header = ["y_probability"]
            probabilities = 0.5 * (1.0 + np.tanh(0.5 * scores.astype("float64")))
        header = [*feature_header, "y_true", *score_header, *probability_header, "y_pred"]
        rows = [
            [
                *map(_plain, features[i]),
                int(self.y_true[i]),
                *map(_plain, scores[i]),
                *map(_plain, probabilities[i]),
                int(self.y_pred[i]),
            ]
            for i in range(len(flat))
        ]
        return header, rows


def share_compiled_functions(models: list) -> None:
    """Give every model the first one's compiled evaluate and predict functions: they are
    stateless (weights are arguments), so one compilation serves the group."""
    leader = models[0]
    leader.make_test_function()
    leader.make_predict_function()
    for model in models[1:]:
        model.test_function = leader.test_function
        model.predict_function = leader.predict_function
