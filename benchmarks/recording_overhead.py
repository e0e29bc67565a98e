"""Benchmark: what recording the boundary during training (``plots.evolution``) costs the fit.

The hinge recipe's fit (the recipe's compile settings, 3,600 steps of batch 5), alternately
without the recorder, with it at its default epochs (log-spaced), and with it at every epoch,
all in this process on the same data, model and seed. Prints median seconds, the ratio
recording on / off, the recorder's own seconds in the fit and their share of it (timed inside
the same fit, so other processes on the machine do not move it), the seconds scoring the
grid after the fit (outside it, before drawing), and draws the fit
times per repeat (a figure, ``--figure``, with the seconds beside it as .json). It asserts
nothing: machines are shared and noisy, read the figures.

    .venv/bin/python benchmarks/recording_overhead.py [--backend jax] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
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
    from recipes.training.backend import select_backend

    recipe = resolve_recipe("hinge", [f"train.epochs={arguments.epochs}"], arguments.backend)
    select_backend(recipe.config.backend)
    import keras

    from recipes.components.models import build_model
    from recipes.datasets import build_dataset
    from recipes.recording import recorded_epochs
    from recipes.training.fitting import compile_model
    from recipes.training.recording import record, recorder

    config = recipe.config
    split = build_dataset(config.data.name, config.data.params, config.seed)
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
            chosen = config.model_copy(
                update={"plots": config.plots.model_copy(update={"evolution_epochs": epochs})}
            )
            callbacks.append(recorder(chosen, split))
        started, started_cpu = time.perf_counter(), time.process_time()
        fitted = model.fit(
            split.x_train,
            split.y_train,
            epochs=config.train.epochs,
            batch_size=config.train.batch_size,
            validation_split=config.train.validation_split,
            callbacks=callbacks,
            verbose=0,
        )
        wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        scoring = time.perf_counter()
        if callbacks:  # after the fit, as the run does with its records
            record(callbacks[0].snapshots, model, split, "tanh", fitted.history, config)
        return {
            "wall": wall,
            "cpu": cpu,
            "recorder": callbacks[0].seconds if callbacks else 0.0,
            "scoring": time.perf_counter() - scoring if callbacks else 0.0,
        }

    one_fit(recorded_epochs(config.train.epochs))  # warm-up: imports and first traces
    times: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    for repeat in range(arguments.repeats):
        for name, epochs in variants.items():  # interleaved: drift hits every variant alike
            times[name].append(one_fit(epochs))
        print(
            f"repeat {repeat + 1}: "
            + " | ".join(f"{name} {runs[-1]['wall']:.2f}s" for name, runs in times.items()),
            flush=True,
        )
    report(times, keras, config, arguments)


def report(times, keras, config, arguments) -> None:
    """Print the medians and ratios; draw every repeat's fit time per variant."""
    print(
        f"\nbackend {keras.backend.backend()}, keras {keras.__version__}, hinge fit "
        f"({config.train.epochs} epochs, batch {config.train.batch_size}), grid "
        f"{config.plots.evolution_grid}x{config.plots.evolution_grid} + 250 test points, "
        f"{arguments.repeats} repeat(s), medians"
    )
    # on/off compares medians of separate fits: on a shared machine other processes move the
    # wall clock by more than the recorder costs; this process's CPU seconds move less. The
    # recorder's own clock, inside the same fit, does not move with them: "share" is its
    # seconds over that fit's wall seconds.
    print(
        f"{'recording':26} {'wall s':>7} {'on/off':>7} {'cpu s':>7} {'on/off':>7} "
        f"{'recorder s':>11} {'share':>6} {'scoring s':>10}"
    )
    off = {clock: median(times["off"], clock) for clock in ("wall", "cpu")}
    rows = []
    for name, runs in times.items():
        wall, cpu, own = median(runs, "wall"), median(runs, "cpu"), median(runs, "recorder")
        share = statistics.median(run["recorder"] / run["wall"] for run in runs)
        rows.append((name, wall / off["wall"], cpu / off["cpu"], share))
        print(
            f"{name:26} {wall:7.2f} {wall / off['wall']:7.3f} {cpu:7.2f} "
            f"{cpu / off['cpu']:7.3f} {own:11.4f} {share:6.2%} {median(runs, 'scoring'):10.3f}"
        )
    draw(times, rows, keras.backend.backend(), arguments.figure)


def median(runs: list[dict[str, float]], clock: str) -> float:
    return statistics.median(run[clock] for run in runs)


def draw(times, rows, backend: str, path: Path) -> None:
    """Wall and CPU seconds of each fit (dots) and their median (bar) per variant, the ratio
    to recording off on top, a line at recording off + 10%."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.4), dpi=110)
    for ax, clock, column in zip(axes, ("wall", "cpu"), (1, 2), strict=True):
        off = median(times["off"], clock)
        top = 1.2 * max(run[clock] for runs in times.values() for run in runs)
        ax.set_ylim(0, top)
        for index, row in enumerate(rows):
            runs = times[row[0]]
            ax.bar(index, median(runs, clock), color=f"C{index}", alpha=0.35, width=0.6)
            ax.plot([index] * len(runs), [run[clock] for run in runs], "o", color=f"C{index}")
            label = f"{row[column]:.3f}x" + (f"\nrecorder {row[3]:.2%} of fit" if index else "")
            ax.text(index, 0.03 * top, label, ha="center", va="bottom", fontsize=8)  # in the bar
        ax.axhline(off * 1.1, color="crimson", ls="--", lw=1, label="recording off + 10%")
        ax.set_xticks(range(len(rows)), [row[0] for row in rows], fontsize=8)
        ax.set_ylabel(f"fit {clock} seconds (dots: repeats, bar: median)")
        ax.legend(loc="upper left", fontsize=8)
    figure.suptitle(f"Hinge fit with the boundary recorder on vs off ({backend}, same process)")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    data = {name: runs for name, runs in times.items()}
    path.with_suffix(".json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
