"""The MNIST tutorial's table (``report: mnist_table``): train and test categorical accuracy
per loss beside the tutorial's published train accuracy."""

from __future__ import annotations

from pathlib import Path

from recipes.report.comparison import ComparisonSpec, ReferenceColumn, write_comparison
from recipes.studies.fidelity.published import MNIST_LOSSES
from recipes.studies.mnist_confusion import plot_confusion_matrices
from recipes.sweeps.records import SweepResults

# the published train accuracy per loss label, from the fidelity study's published numbers
MNIST_TUTORIAL_TRAIN_ACCURACY = {label: value for label, (_, value) in MNIST_LOSSES.items()}


def compare_mnist_losses(sweep: SweepResults) -> list[Path]:
    """The MNIST tutorial's table: train/test categorical accuracy per loss beside its
    published train accuracy, and one confusion matrix per loss (confusion_matrices.png)."""
    reference = None
    if "loss" in sweep.keys:
        reference = ReferenceColumn(
            column="tutorial_train_accuracy",
            key="loss",
            values=MNIST_TUTORIAL_TRAIN_ACCURACY,
            legend="tutorial, train (PyTorch, 60k digits)",
            note="the tutorial's published train accuracy (PyTorch, 60,000 training digits, "
            "train accuracy evaluated after the last epoch); empty for a loss it did not run.",
        )
    spec = ComparisonSpec(
        metric="categorical_accuracy",
        group_by=[key for key in ("loss",) if key in sweep.keys and len(sweep.keys) > 1],
        reference=reference,
        title="MNIST, one model per loss",
        chance=0.1,
    )
    written = write_comparison(sweep, spec)
    confusion = plot_confusion_matrices(sweep)
    return written + ([confusion] if confusion else [])
