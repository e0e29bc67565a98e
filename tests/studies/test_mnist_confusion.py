"""The MNIST study's confusion matrices: one per loss, titled with the most confused pair."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def test_most_confused_pair_is_the_largest_off_diagonal_cell():
    from recipes.studies.mnist_confusion import most_confused

    matrix = np.eye(3) * 0.6
    matrix[2, 0], matrix[0, 1] = 0.3, 0.1
    assert most_confused(matrix) == (2, 0, 0.3)


def test_the_sweep_draws_one_confusion_matrix_per_loss(shrunk_run):
    result, _ = shrunk_run("mnist_losses")  # shared with tests/test_recipes.py
    assert result.returncode == 0, result.stderr[-3000:]
    folder = Path(result.stdout.strip().splitlines()[-1])
    assert (folder / "confusion_matrices.png").stat().st_size > 0
    assert (
        "confusion_matrices.png"
        in json.loads((folder / "sweep.json").read_text())["comparison"][-1]
    )
