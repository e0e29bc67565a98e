"""MNIST fit throughput against the machine's matmul ceiling, in one process.

The fit: the mnist_losses recipe's model (784-784-784-10), cross-entropy, batch 200, trained by
this project's trainer on the chosen backend (``train.trainer: auto``: compiled on JAX, model.fit
elsewhere); each epoch counts 3 matmul passes per training sample (forward, and two backward)
and 1 per validation sample. ``fit_gflops`` is over every epoch, the first (which traces and
compiles, or loads its program from the caches) included, from the start of training to the
end of the last epoch; ``steady_gflops`` is the median epoch after the first.
The ceiling: numpy float32 matmuls of the same shapes at batch 200, forward and backward.
Prints ``fit_gflops=.. steady_gflops=.. ceiling_gflops=.. ratio=.. steady_ratio=..``.

    .venv/bin/python benchmarks/mnist_throughput.py [--backend jax] [--epochs 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
LAYERS = [(784, 784), (784, 784), (784, 10)]
MACS_PER_SAMPLE = sum(a * b for a, b in LAYERS)


def matmul_ceiling(batch: int = 200, repeats: int = 30) -> float:
    """GFLOP/s of numpy float32 matmuls of the fit's shapes: forward, then the two backward
    products (gradient of the weights and of the inputs) of each layer."""
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(shape, dtype="float32") for shape in LAYERS]
    inputs = rng.standard_normal((batch, 784), dtype="float32")
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        activations = [inputs]
        for weight in weights:
            activations.append(activations[-1] @ weight)
        gradient = np.ones_like(activations[-1])
        for weight, activation in zip(reversed(weights), reversed(activations[:-1]), strict=True):
            _ = activation.T @ gradient
            gradient = gradient @ weight.T
        timings.append(time.perf_counter() - started)
    return 3 * 2 * batch * MACS_PER_SAMPLE / statistics.median(timings) / 1e9


def fit_throughput(backend: str, epochs: int) -> tuple[float, float, str]:
    from recipes.config.resolve import resolve_recipe
    from recipes.training.backend import leave_tensorflow_unloaded, select_backend

    recipe = resolve_recipe(
        "mnist_losses", [f"train.epochs={epochs}", "train.checkpoint=false"], backend
    )
    config = recipe.config
    select_backend(config.backend)

    import keras

    from recipes.components.models import build_model
    from recipes.datasets import build_dataset
    from recipes.training.fitting import compile_model, fit_model, uses_compiled_trainer

    leave_tensorflow_unloaded()
    keras.utils.set_random_seed(config.seed)
    split = build_dataset(config.data.name, config.data.params, config.seed)
    model = build_model(config.model.name, config.model.params, split.x_train.shape[1:])
    compile_model(model, config)

    class EpochClock(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.ends: list[float] = []
            self.began = 0.0

        def on_train_begin(self, logs=None) -> None:
            self.began = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None) -> None:
            self.ends.append(time.perf_counter())

    clock = EpochClock()
    fit_model(model, split, config, [clock], verbose=0)
    epoch_s = statistics.median(np.diff(clock.ends))
    all_epochs_s = clock.ends[-1] - clock.began
    training = int(len(split.x_train) * (1 - config.train.validation_split))
    validation = len(split.x_train) - training
    flops = 2 * MACS_PER_SAMPLE * (3 * training + validation)
    trainer = "compiled" if uses_compiled_trainer(config) else "model.fit"
    overall = flops * len(clock.ends) / all_epochs_s / 1e9
    return overall, flops / epoch_s / 1e9, f"{config.backend} {trainer}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND"))
    parser.add_argument("--epochs", type=int, default=6)
    arguments = parser.parse_args()
    fit_gflops, steady_gflops, trainer = fit_throughput(arguments.backend, arguments.epochs)
    ceiling = matmul_ceiling()
    print(
        f"trainer={trainer.replace(' ', '/')} fit_gflops={fit_gflops:.2f} "
        f"steady_gflops={steady_gflops:.2f} ceiling_gflops={ceiling:.2f} "
        f"ratio={fit_gflops / ceiling:.3f} steady_ratio={steady_gflops / ceiling:.3f}"
    )


if __name__ == "__main__":
    main()
