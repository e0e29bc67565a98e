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
from typing import Any

from recipes.config.schema import TrainConfig
from recipes.records import Schedule


def split_schedule(train: TrainConfig, split: Any) -> Schedule:
    """The schedule of ``train`` on a dataset split (``x_train``, ``x_val``), as run.json records
    it: the epochs, the optimizer steps they make, and which setting said. An epoch trains on
    every row of ``x_train`` when the split has its own validation data, else on the first
    ``ceil(rows * (1 - validation_split))`` (what Keras' ``validation_split`` keeps)."""
    rows = len(split.x_train)
    if split.x_val is None and train.validation_split:
        rows = math.ceil(rows * (1.0 - train.validation_split))
    steps_per_epoch = max(1, math.ceil(rows / train.batch_size))
    set_by = "train.epochs" if train.steps is None else "train.steps"
    epochs = int(train.epochs) if train.steps is None else math.ceil(train.steps / steps_per_epoch)
    return Schedule(
        set_by=set_by,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        steps=epochs * steps_per_epoch,
        requested_steps=train.steps,
    )
