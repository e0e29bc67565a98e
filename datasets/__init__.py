"""Dataset generators and loaders, looked up by name from configs.

This folder is this project's ``recipes.datasets`` package (setup.py maps the folder to that
name), not the Hugging Face library of the same import name; ``tests/data/test_datasets.py``
checks which one Python imports. Every generator takes its validated parameters and the run's
seed and returns a :class:`Split`. Heavy libraries (scikit-learn, Keras) are imported inside the
generators, so configs validate without them.
"""

from __future__ import annotations

from recipes.datasets.base import DATASETS, Split, build_dataset, check_dataset, data_files

# Importing the modules registers their datasets.
from recipes.datasets import circles  # noqa: E402,F401  isort: skip
from recipes.datasets import csv_table  # noqa: E402,F401  isort: skip
from recipes.datasets import mnist  # noqa: E402,F401  isort: skip
from recipes.datasets import npz_arrays  # noqa: E402,F401  isort: skip
from recipes.datasets import rings  # noqa: E402,F401  isort: skip

__all__ = ["DATASETS", "Split", "build_dataset", "check_dataset", "data_files"]
