"""Benchmark: what recording the boundary during training (``plots.evolution``) costs the fit.

The hinge recipe's fit (the recipe's compile settings, 3,600 steps of batch 5), alternately
without the recorder, with it at its default epochs (log-spaced), and with it at every epoch,
all in this process on the same data, model and seed. Prints median seconds, the ratio
recording on / off, the recorder's own seconds and their share of the fit they ran in (timed
inside the same fit, so other processes on the machine do not move it), and draws the fit
times per repeat (a figure, ``--figure``). It asserts nothing: machines are shared and noisy,
read the figures.

    .venv/bin/python benchmarks/recording_overhead.py [--backend jax] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_FIGURE = Path("outputs/benchmarks/recording_overhead.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "tensorflow"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--figure", type=Path, default=DEFAULT_FIGURE)
    arguments = parser.parse_args()

    from recipes.config.resolve import resolve_recipe
    from recipes.run.backend import select_backend

    recipe = resolve_recipe("hinge", [f"train.epochs={arguments.epochs}"], arguments.backend)
    select_backend(recipe.config.backend)
    import keras

    from datasets import build_dataset
    from recipes.components.models import build_model
    from recipes.run.fitting import compile_model
    from recipes.run.recording import boundary_recorder_callback, recorded_epochs

    config = recipe.config
    split = build_dataset(config.data.name, config.data.params, config.seed)
    labels = split.y_test.reshape(-1)
    every_epoch = list(range(1, config.train.epochs + 1))
    variants = {
        "off": None,
        f"default epochs ({len(recorded_epochs(config.train.epochs))})": recorded_epochs(
            config.train.epochs
        ),
        f"every epoch ({len(every_epoch)})": every_epoch,
    }

    def one_fit(epochs: list[int] | None) -> tuple[float, float]:
        keras.utils.set_random_seed(config.seed)
        model = build_model(config.model.name, config.model.params, (2,))
        compile_model(model, config)
        callbacks = []
        if epochs is not None:
            grid = config.plots.evolution_grid
            callbacks.append(boundary_recorder_callback(split.x_test, labels, epochs, grid))
        started = time.perf_counter()
        model.fit(
            split.x_train,
            split.y_train,
            epochs=config.train.epochs,
            batch_size=config.train.batch_size,
            validation_split=config.train.validation_split,
            callbacks=callbacks,
            verbose=0,
        )
        seconds = time.perf_counter() - started
        return seconds, callbacks[0].recording.seconds if callbacks else 0.0

    one_fit(recorded_epochs(config.train.epochs))  # warm-up: imports and first traces
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for repeat in range(arguments.repeats):
        for name, epochs in variants.items():  # interleaved: drift hits every variant alike
            times[name].append(one_fit(epochs))
        print(
            f"repeat {repeat + 1}: "
            + " | ".join(f"{name} {runs[-1][0]:.2f}s" for name, runs in times.items()),
            flush=True,
        )
    report(times, keras, config, arguments)


def report(times, keras, config, arguments) -> None:
    """Print the medians and ratios; draw every repeat's fit time per variant."""
    off = statistics.median(seconds for seconds, _ in times["off"])
    print(
        f"\nbackend {keras.backend.backend()}, keras {keras.__version__}, hinge fit "
        f"({config.train.epochs} epochs, batch {config.train.batch_size}), grid "
        f"{config.plots.evolution_grid}x{config.plots.evolution_grid} + 250 test points, "
        f"{arguments.repeats} repeat(s), median seconds"
    )
    # on/off compares medians of separate fits: on a shared machine other processes move it by
    # more than the recorder costs. The recorder's own clock, inside the same fit, does not
    # move with them: "recorder share" is its seconds over that fit's seconds.
    print(f"{'recording':26} {'fit s':>7} {'on/off':>7} {'recorder s':>11} {'share':>7}")
    rows = []
    for name, runs in times.items():
        fit = statistics.median(seconds for seconds, _ in runs)
        own = statistics.median(recorder for _, recorder in runs)
        share = statistics.median(recorder / seconds for seconds, recorder in runs)
        rows.append((name, fit, fit / off, share))
        print(f"{name:26} {fit:7.2f} {fit / off:7.3f} {own:11.3f} {share:7.1%}")
    draw(times, rows, keras.backend.backend(), arguments.figure)


def draw(times, rows, backend: str, path: Path) -> None:
    """Fit seconds per repeat (dots) and median (bar) per variant, with the ratio on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    off = rows[0][1]
    ax.set_ylim(0, 1.3 * max(max(s for s, _ in runs) for runs in times.values()))
    for index, (name, median, ratio, share) in enumerate(rows):
        ax.bar(index, median, color=f"C{index}", alpha=0.35, width=0.6)
        seconds = [s for s, _ in times[name]]
        ax.plot([index] * len(seconds), seconds, "o", color=f"C{index}")
        label = f"{ratio:.3f}x" + (f"\nrecorder {share:.1%} of fit" if index else "")
        ax.text(index, median * 1.02, label, ha="center", va="bottom", fontsize=8)
    ax.axhline(off * 1.1, color="crimson", ls="--", lw=1, label="recording off + 10%")
    ax.set_xticks(range(len(rows)), [row[0] for row in rows])
    ax.set_ylabel("fit seconds (dots: repeats, bar: median)")
    ax.set_title(f"Hinge fit with the boundary recorder on vs off ({backend})")
    ax.legend(loc="lower right")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
