"""Two figures of the hinge vs squared hinge study that show what the table says:

- training_evolution.png: both losses' boundaries (with their margins) at the same recorded
  epochs, same seed, one row per loss, from each run's recording (recording.npz);
- tightness_per_seed.png: the area classified +1, one point per seed and loss (a strip plot),
  so a mean ± std can be read against the runs behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recipes.report import evolution, plots
from recipes.report.regions import cues_text
from recipes.studies.hinge_report import CONVERGED_ACCURACY
from recipes.sweeps.records import RunResult, SweepResults

HUGGING_AREA = np.pi * 0.1**2  # a boundary around the inner circle (radius 0.1)
HALFWAY_AREA = np.pi * 0.55**2  # a circle halfway to the outer ring


def plot_training_evolution(
    sweep: SweepResults, by_loss: Mapping[str, Sequence[RunResult]], recordings: Mapping[Path, Any]
) -> Path | None:
    """training_evolution.png: one row per loss, one column per recorded epoch they share,
    of the first seed every loss ran (``recordings``: by run folder); None when they share
    fewer than two epochs (``plots.evolution: false`` records the end alone)."""
    runs = [{r.point.values.get("seed"): r for r in results} for results in by_loss.values()]
    seeds = [seed for seed in runs[0] if all(seed in by_seed for by_seed in runs)]
    if not seeds:
        return None
    seed = seeds[0]
    shown = {loss: recordings[by_seed[seed].run_folder]
             for loss, by_seed in zip(by_loss, runs, strict=True)}  # fmt: skip
    epochs = sorted(set.intersection(*(set(r.epochs.tolist()) for r in shown.values())))
    if len(epochs) < 2:
        return None
    config = sweep.base.config
    levels = next(iter(shown.values())).levels
    rows, columns = len(shown), len(epochs)
    figure, axes = plots.subplots(
        rows, columns, figsize=(2.3 * columns, 2.75 * rows), dpi=config.plots.dpi, squeeze=False
    )
    for row, (loss, recording) in zip(axes, shown.items(), strict=True):
        keep = [recording.epochs.tolist().index(epoch) for epoch in epochs]
        evolution.plot_boundary_epochs(
            recording.subset(keep), axes=list(row), margins=config.plots.margins
        )
        row[0].set_ylabel(loss.replace("_", " "), fontsize=11)
    figure.suptitle(
        f"The boundary as it trains: hinge vs squared hinge, seed {seed}, same epochs "
        f"({cues_text(levels)})",
        fontsize=10,
    )
    return plots.save_figure(figure, sweep.folder / "training_evolution.png", dpi=config.plots.dpi)


def plot_tightness_per_seed(
    sweep: SweepResults,
    by_loss: Mapping[str, Sequence[RunResult]],
    areas: Mapping[str, Sequence[float]],
) -> Path:
    """tightness_per_seed.png: the area classified +1, one point per run (seed), per loss;
    filled for runs that separate the circles, hollow for the ones that did not (left out of
    the table's area; drawn at the top edge, value written, when off the scale), the
    converged runs' mean as a line."""
    figure, ax = plots.subplots(figsize=(6.4, 4.6), dpi=sweep.base.config.plots.dpi)
    converged_values = [
        area
        for loss, results in by_loss.items()
        for area, r in zip(areas.get(loss, []), results, strict=True)
        if r.metrics.get("test_accuracy", 0) >= CONVERGED_ACCURACY
    ]
    top = 1.25 * max([HALFWAY_AREA, *converged_values])
    for index, (loss, results) in enumerate(by_loss.items()):
        _strip(ax, index, np.asarray(areas.get(loss, []), dtype=float), results, top)
    for level, text in ((HUGGING_AREA, "hugging the inner circle"), (HALFWAY_AREA, "halfway")):
        ax.axhline(level, color="gray", ls=":", lw=1)
        ax.text(len(by_loss) - 0.2, level, text, fontsize=7, color="gray", va="bottom", ha="right")
    ax.set_xticks(range(len(by_loss)), [loss.replace("_", " ") for loss in by_loss])
    ax.set_xlim(-0.5, len(by_loss) - 0.5 + 0.3)
    ax.set_ylim(0, top * 1.08)
    ax.set_ylabel("area classified +1 (in the plotted square)")
    ax.scatter([], [], color="gray", label="separates the circles (test acc ≥ 99%)")
    ax.scatter([], [], facecolors="none", edgecolors="gray", label="did not (left out of mean)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=2)
    ax.set_title("Tightness per seed: area each boundary encloses (smaller: tighter)")
    return plots.save_figure(figure, sweep.folder / "tightness_per_seed.png")


SEED_LABELS_UP_TO = 12  # points named by their seed; more are only counted when off scale


def _strip(
    ax: Any, index: int, values: np.ndarray, results: Sequence[RunResult], top: float
) -> None:
    """One loss's points (one per seed) at x = ``index``, spread sideways, and their mean."""
    good = np.array([r.metrics.get("test_accuracy", 0) >= CONVERGED_ACCURACY for r in results])
    offsets = index + (np.linspace(-0.2, 0.2, len(values)) if len(values) > 1 else np.zeros(1))
    shown = np.minimum(values, top)
    colour = f"C{index}"
    ax.scatter(offsets[good], shown[good], color=colour, s=42, zorder=3)
    ax.scatter(offsets[~good], shown[~good], facecolors="none", edgecolors=colour, s=42)
    if len(values) > SEED_LABELS_UP_TO:  # 50 seeds: labels would hide the points
        off_scale = values > top
        if off_scale.any():
            ax.annotate(
                f"{int(off_scale.sum())} off scale (up to {values.max():.1f})",
                (index, top), fontsize=7, xytext=(0, -12), textcoords="offset points",
                ha="center",
            )  # fmt: skip
    for x, y, value, result in zip(offsets, shown, values, results, strict=True):
        seed = result.point.values.get("seed", "?")
        if len(values) > SEED_LABELS_UP_TO:
            break
        if value > top:  # beside the point, level: the title is just above
            ax.annotate(
                f"seed {seed}: {value:.2f} (off scale)",
                (x, y),
                fontsize=7,
                xytext=(-8, 0),
                textcoords="offset points",
                ha="right",
                va="center",
            )
        else:
            ax.annotate(f"seed {seed}", (x, y), fontsize=7, xytext=(0, 7),
                        textcoords="offset points", ha="center", rotation=35)  # fmt: skip
    if good.any():
        mean = float(values[good].mean())
        ax.hlines(mean, index - 0.3, index + 0.3, color=colour, lw=2)
        ax.text(index + 0.32, mean, f"mean {mean:.3f}", va="center", fontsize=8)
