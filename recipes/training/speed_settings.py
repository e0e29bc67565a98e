"""Speed settings per backend: ``train.steps_per_execution`` and ``train.jit_compile``.

Both accept ``auto``. ``steps_per_execution: auto`` runs many small training steps per compiled
call where the backend can (TensorFlow, JAX: 32, which halved the hinge fit here) and one where
it cannot (the PyTorch backend refuses more than 1). ``jit_compile: auto`` is Keras' own choice
(XLA where the model supports it, never on PyTorch, nor for TensorFlow on a CPU-only machine).
What a run used is read back from the compiled model and recorded in run.json
(``speed_settings``), so ``auto`` never hides what ran.
"""

from __future__ import annotations

from typing import Any

AUTO_STEPS_PER_EXECUTION = {"tensorflow": 32, "jax": 32, "torch": 1}


def steps_per_execution_for(value: int | str, backend: str) -> int:
    """The steps per compiled call a ``steps_per_execution`` value means on ``backend``."""
    return AUTO_STEPS_PER_EXECUTION[backend] if value == "auto" else int(value)


def compile_speed_options(train: Any, backend: str) -> dict[str, Any]:
    """The ``model.compile`` keywords for the config's ``train`` block on ``backend``."""
    return {
        "steps_per_execution": steps_per_execution_for(train.steps_per_execution, backend),
        "jit_compile": train.jit_compile,
    }
