"""How long a run trains: ``train.epochs``, or ``train.steps`` (optimizer steps) turned into
whole epochs once the training rows are known.

A step is one batch: an epoch of ``n`` training rows in batches of ``b`` is ``ceil(n / b)``
steps (the last, smaller batch included, as ``model.fit`` and the compiled trainer both run
it). ``train.steps: 3000`` trains ``ceil(3000 / steps per epoch)`` epochs: exactly 3,000 steps
when they divide (the MNIST tutorial's 60,000 digits in batches of 200: 300 a epoch, 10 epochs),
else the few more steps of the last whole epoch; run.json's ``schedule`` records both numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from recipes.config.schema import TrainConfig


@dataclass(frozen=True)
class Schedule:
    """The epochs a run trains, and the optimizer steps they make."""

    epochs: int
    steps_per_epoch: int
    requested_steps: int | None = None  # train.steps; None when train.epochs said

    @property
    def steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    def summary(self) -> dict[str, Any]:
        """What run.json records under ``schedule``."""
        return {
            "set_by": "train.steps" if self.requested_steps is not None else "train.epochs",
            "epochs": self.epochs,
            "steps_per_epoch": self.steps_per_epoch,
            "steps": self.steps,
            "requested_steps": self.requested_steps,
        }


def split_schedule(train: TrainConfig, split: Any) -> Schedule:
    """The schedule of ``train`` on a dataset split (``x_train``, ``x_val``). An epoch trains on
    every row of ``x_train`` when the split has its own validation data, else on the first
    ``ceil(rows * (1 - validation_split))`` (what Keras' ``validation_split`` keeps)."""
    rows = len(split.x_train)
    if split.x_val is None and train.validation_split:
        rows = math.ceil(rows * (1.0 - train.validation_split))
    steps_per_epoch = max(1, math.ceil(rows / train.batch_size))
    if train.steps is None:
        return Schedule(epochs=int(train.epochs), steps_per_epoch=steps_per_epoch)
    epochs = math.ceil(train.steps / steps_per_epoch)
    return Schedule(epochs, steps_per_epoch, requested_steps=train.steps)
