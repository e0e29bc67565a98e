"""Will the run fit in this machine's memory? Estimated from the config alone, before Keras is
imported or anything is built, so ``model.hidden_units=[100000000]`` or
``data.n_samples=10000000000`` is one line at ``check`` time instead of a crash mid-run.

The estimate counts what training holds at least: the data's arrays as float32
(:mod:`datasets.sizes`); the model's parameters (:func:`recipes.components.models.model_size`)
as float32 once for the weights, once for their gradients and once per slot of the optimizer
(Adam keeps two moments); and one batch of activations, kept for the backward pass and their
gradients, or one batch of predictions when that holds more. Libraries, compiled programs
and plots come on top, so a run that passes may still not fit, but one that is refused
cannot.

The machine's memory is its physical memory (or the container's limit, when lower); set
``KERAS_LOSS_RECIPES_MEMORY_BYTES`` to a number of bytes to use another figure.
"""

from __future__ import annotations

import os
from pathlib import Path

from recipes.components.models import model_size
from recipes.components.optimizers import OPTIMIZERS
from recipes.config.messages import Origins
from recipes.config.schema import RecipeConfig
from recipes.datasets.sizes import FLOAT32_BYTES, DataSize, estimate_dataset_size
from recipes.errors import RecipeError

# Every predict call (evaluation, figures, studies) uses batches of this many points: the
# grid in a few large batches. Each holds a batch of activations, which the memory estimate counts.
PREDICT_BATCH_SIZE = 8192

MEMORY_VARIABLE = "KERAS_LOSS_RECIPES_MEMORY_BYTES"
CGROUP_LIMIT = Path("/sys/fs/cgroup/memory.max")
DATA_HINTS = {
    "data.n_samples": "make n_samples smaller",
    "data.n_positive": "make n_positive and n_negative smaller",
    "data.n_negative": "make n_positive and n_negative smaller",
    "data.path": "use a smaller file (or a machine with more memory)",
}


def machine_memory_bytes() -> int:
    """This machine's memory in bytes: ``$KERAS_LOSS_RECIPES_MEMORY_BYTES`` when set, else the
    physical memory, or the container's (cgroup v2) limit when that is lower."""
    text = os.environ.get(MEMORY_VARIABLE, "").strip()
    if text:
        try:
            value = int(float(text))
        except ValueError:
            value = 0
        if value <= 0:
            raise RecipeError(
                f"expected a positive number of bytes (e.g. 8e9), got {text!r}",
                source=MEMORY_VARIABLE,
            )
        return value
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    try:
        limit = CGROUP_LIMIT.read_text().strip()
    except OSError:
        return memory
    return min(memory, int(limit)) if limit.isdigit() else memory


def human_bytes(count: float) -> str:
    """``1.6e11`` -> ``160 GB``, ``1.6e9`` -> ``1.6 GB`` (decimal units)."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if count < 999.5 or unit == "PB":
            return f"{count:.1f} {unit}" if count < 10 else f"{count:.0f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


def scientific(count: float) -> str:
    """``4e10`` -> ``4.0e10``."""
    mantissa, exponent = f"{count:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _model_memory(config: RecipeConfig, data: DataSize) -> tuple[int, str, str] | None:
    """What training the model holds, in bytes (its parameters' copies and one batch's
    activations), that said in words, and what to do when it is too much."""
    if config.model is None or data.features is None:
        return None
    size = model_size(config.model.name, config.model.params, data.features)
    if size is None:
        return None
    optimizer = OPTIMIZERS.entry(config.optimizer.name).info
    slots, slot_words = optimizer["slots"], optimizer["slot_words"]
    if config.optimizer.momentum:  # only the optimizers that take it (schema.OptimizerConfig)
        slots, slot_words = slots + 1, " and ".join(filter(None, (slot_words, "momentum")))
    copies = 2 + slots
    kept = "weights and gradients" if not slots else f"weights, gradients and {slot_words}"
    weights = size.parameters * FLOAT32_BYTES
    training = config.train.batch_size
    predicting = min(PREDICT_BATCH_SIZE, data.samples or PREDICT_BATCH_SIZE)
    # training keeps each layer's outputs for the backward pass, and their gradients
    activations, batch = 2 * training * size.activations * FLOAT32_BYTES, f"a batch of {training:,}"
    hint = "make hidden_units or train.batch_size smaller"
    if predicting * size.activations * FLOAT32_BYTES > activations:
        activations = predicting * size.activations * FLOAT32_BYTES
        batch = f"a batch of {predicting:,} predictions"
        hint = "make hidden_units smaller"
    if weights * copies >= activations:
        hint = "make hidden_units smaller"
    description = (
        f"about {scientific(size.parameters)} parameters ({human_bytes(weights)} as float32, "
        f"x{copies} for {kept}) and {human_bytes(activations)} of activations for {batch}"
    )
    return weights * copies + activations, description, hint


def check_sizes(config: RecipeConfig, origins: Origins) -> None:
    """RecipeError (one line, naming the key) when the run's data or model, or both together,
    cannot fit in this machine's memory."""
    if config.data is None:
        return
    data = estimate_dataset_size(config.data.name, config.data.params)
    if data is None:
        return
    memory = machine_memory_bytes()
    there = f"do not fit in this machine's {human_bytes(memory)} of memory"
    data_text = f"about {data.what} ({human_bytes(data.bytes)})"
    if data.bytes > memory:
        raise origins.error(data.key, f"{data_text} {there}", hint=DATA_HINTS.get(data.key))
    model = _model_memory(config, data)
    if model is None:
        return
    model_bytes, description, hint = model
    if model_bytes + data.bytes > memory:
        together = f" with the data's {human_bytes(data.bytes)}" if model_bytes <= memory else ""
        message = f"{description}{together} {there}"
        raise origins.error("model.hidden_units", message, hint=hint)
