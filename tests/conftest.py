"""Shared test fixtures. Tests run on the default Keras backend (tensorflow unless
$KERAS_BACKEND says otherwise); other backends are exercised in subprocesses."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What every completed training run folder of two-feature data holds.
RUN_FILES = {
    "config.yaml",
    "run.json",
    "metrics.json",
    "history.csv",
    "test_predictions.csv",
    "model.keras",
    "loss.png",
    "decision_boundary.png",
}


def run_cli(*arguments: str, timeout: float = 600, env: dict | None = None):
    """Run ``python -m recipes ...`` in a fresh process; returns CompletedProcess (text)."""
    return subprocess.run(
        [sys.executable, "-m", "recipes", *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def cli():
    return run_cli


def read_csv(path: Path) -> list[dict[str, str]]:
    """A CSV file the runner wrote, as one dict per row."""
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))
