"""confusion_matrices.png of the MNIST study: one confusion matrix per loss (rows: the true
digit, columns: the predicted one, each row as fractions of that digit's test images).

Why this figure: the losses differ less in *how many* digits they get wrong than in *how*.
A matrix per loss shows at a glance whether a loss spreads its errors over many digit pairs
(a model that is simply less trained) or pours whole digits into a few columns (a loss whose
gradient stops pushing some classes apart), which an accuracy table cannot show and a gallery
of misclassified digits shows only one image at a time.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from recipes.files import read_csv_columns
from recipes.report import plots
from recipes.status import RunStatus
from recipes.sweeps.records import SweepResults

COLUMNS = 4


def _predictions(folder: Path) -> tuple[np.ndarray, np.ndarray] | None:
    columns = read_csv_columns(folder / "test_predictions.csv")
    if "y_true" not in columns or "y_pred" not in columns:
        return None
    return np.asarray(columns["y_true"], int), np.asarray(columns["y_pred"], int)


def most_confused(matrix: np.ndarray) -> tuple[int, int, float]:
    """(true, predicted, fraction) of the largest off-diagonal cell of a row-normalised
    confusion matrix."""
    off = matrix.copy()
    np.fill_diagonal(off, -1)
    true, predicted = np.unravel_index(int(np.argmax(off)), off.shape)
    return int(true), int(predicted), float(off[true, predicted])


def plot_confusion_matrices(sweep: SweepResults) -> Path | None:
    """confusion_matrices.png: one row-normalised confusion matrix per completed run, titled
    with its label, test accuracy and most confused pair; None when no run has predictions."""
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

    runs = [
        (", ".join(r.point.labels.values()) or str(r.point.index), found)
        for r in sweep.runs
        if r.status == RunStatus.COMPLETED and r.run_folder
        for found in [_predictions(r.folder)]
        if found is not None
    ]
    if not runs:
        return None
    rows = math.ceil(len(runs) / COLUMNS)
    columns = min(len(runs), COLUMNS)
    dpi = sweep.base.config.plots.dpi
    figure, axes = plots.subplots(rows, columns, figsize=(3.3 * columns, 4.2 * rows), dpi=dpi)
    axes = np.atleast_1d(axes).reshape(-1)
    digits = list(range(10))
    for ax, (label, (y_true, y_pred)) in zip(axes, runs, strict=False):
        matrix = confusion_matrix(y_true, y_pred, labels=digits, normalize="true")
        display = ConfusionMatrixDisplay(matrix, display_labels=digits)
        display.plot(ax=ax, include_values=False, colorbar=False, cmap="Blues",
                     im_kw={"vmin": 0, "vmax": 1})  # fmt: skip
        true, predicted, fraction = most_confused(matrix)
        accuracy = float(np.mean(y_true == y_pred))
        ax.set_title(
            f"{label}\ntest acc {accuracy:.1%}; worst: {true}→{predicted} {fraction:.0%}",
            fontsize=9,
        )
        ax.tick_params(labelsize=7)
        ax.set_xlabel("predicted digit", fontsize=8)
        ax.set_ylabel("true digit", fontsize=8)
    for spare in axes[len(runs) :]:
        spare.set_visible(False)
    figure.suptitle(
        "MNIST: where each loss's errors go (rows: true digit, shade: fraction of its test images)",
        fontsize=10,
    )
    return plots.save_figure(figure, sweep.folder / "confusion_matrices.png", dpi=dpi)
