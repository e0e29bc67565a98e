"""Benchmark: the hinge recipe's training + decision boundary, tutorial-style vs this project.

Baseline ("tutorial"): default ``compile`` (one step per compiled call) and ``fit``, and a
decision boundary through mlxtend whose ``predict`` uses Keras' default batch of 32.
Recipe: ``steps_per_execution`` from the config (auto: 32 on TensorFlow and JAX), the end of
training recorded on the recording's grid (recipes/training/recording.py) and drawn by the
project's renderer (recipes/report/regions.py).
Both run in this process on the same data, model and seed; the script prints seconds and the
ratio baseline / recipe. It asserts nothing: machines are shared and noisy, read the figures.

    .venv/bin/python benchmarks/hinge_speed.py [--backend jax] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "tensorflow"))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=30)
    arguments = parser.parse_args()

    from recipes.config.resolve import resolve_recipe
    from recipes.training.backend import select_backend

    recipe = resolve_recipe("hinge", [f"train.epochs={arguments.epochs}"], arguments.backend)
    select_backend(recipe.config.backend)
    import keras
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from mlxtend.plotting import plot_decision_regions

    from recipes.components.labels import predicted_labels
    from recipes.components.losses import get_loss
    from recipes.components.metrics import get_metric
    from recipes.components.models import build_model
    from recipes.components.optimizers import build_optimizer
    from recipes.datasets import build_dataset
    from recipes.report import plots
    from recipes.report.regions import draw_boundary
    from recipes.training.recording import record
    from recipes.training.speed_settings import steps_per_execution_for

    config = recipe.config
    steps = steps_per_execution_for(config.train.steps_per_execution, keras.backend.backend())
    split = build_dataset(config.data.name, config.data.params, config.seed)

    class TutorialPredictor:
        """What a tutorial-style adapter does: Keras' default predict batch size (32)."""

        def __init__(self, model):
            self.model = model

        def predict(self, features):
            scores = self.model.predict(features, verbose=0)
            return predicted_labels(scores, "plus_minus_one", "tanh")

    def tutorial_boundary(model, ax):
        labels = split.y_test.astype(int)
        plot_decision_regions(split.x_test, labels, TutorialPredictor(model), ax=ax)

    def recipe_boundary(model, ax):
        history = {"loss": [0.0] * config.train.epochs}
        draw_boundary(ax, record([], model, split, "tanh", history, config))

    def one_run(steps_per_execution: int, boundary) -> tuple[float, float]:
        keras.utils.set_random_seed(config.seed)
        model = build_model(config.model.name, config.model.params, (2,))
        compile_options = {}
        if steps_per_execution != 1:
            compile_options["steps_per_execution"] = steps_per_execution
        model.compile(
            optimizer=build_optimizer(config.optimizer),
            loss=get_loss(config.loss.name),
            metrics=[get_metric("sign_accuracy")],
            **compile_options,
        )
        started = time.perf_counter()
        model.fit(
            split.x_train,
            split.y_train,
            epochs=config.train.epochs,
            batch_size=config.train.batch_size,
            validation_split=0.2,
            verbose=0,
        )
        fit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        ax = plots.new_axes(plots.SQUARE_FIGURE_SIZE, dpi=config.plots.dpi)
        boundary(model, ax)
        plt.close(ax.figure)
        return fit_seconds, time.perf_counter() - started

    one_run(1, recipe_boundary)  # warm-up: first graph builds and imports are paid here
    baseline, ours = [], []
    for repeat in range(arguments.repeats):
        baseline.append(one_run(1, tutorial_boundary))
        ours.append(one_run(steps, recipe_boundary))
        print(
            f"repeat {repeat + 1}: tutorial fit {baseline[-1][0]:.2f}s boundary "
            f"{baseline[-1][1]:.2f}s | recipe fit {ours[-1][0]:.2f}s boundary {ours[-1][1]:.2f}s",
            flush=True,
        )

    def median(runs, index):
        return statistics.median(run[index] for run in runs)

    rows = [
        ("fit (3,600 steps of batch 5)", median(baseline, 0), median(ours, 0)),
        ("decision boundary", median(baseline, 1), median(ours, 1)),
        (
            "fit + boundary",
            median(baseline, 0) + median(baseline, 1),
            median(ours, 0) + median(ours, 1),
        ),
    ]
    print(
        f"\nbackend {keras.backend.backend()}, keras {keras.__version__}, "
        f"steps_per_execution {steps}, "
        f"{arguments.repeats} repeat(s), median seconds"
    )
    print(f"{'stage':44} {'tutorial':>9} {'recipe':>9} {'speed-up':>9}")
    for stage, slow, fast in rows:
        print(f"{stage:44} {slow:9.2f} {fast:9.2f} {slow / fast:8.1f}x")


if __name__ == "__main__":
    main()
