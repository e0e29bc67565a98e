"""Hinge vs squared hinge over seeds (``report: compare_hinge``): the hinge tutorial's
question, "does squared hinge draw a tighter boundary?", measured.

The report, after the sweep's runs: the generic comparison table and figures, and this study's
own figures, drawn here:

- loss_curves.png: both losses' mean training and validation curves on one log axis;
- tightness_per_seed.png: the area classified +1, one point per seed and loss (a strip plot),
  so a mean ± std can be read against the runs behind it;
- training_evolution.png: both losses' boundaries (with their margins) at the same recorded
  epochs, same seed, one row per loss;

then seed_summary.csv with report.md (:mod:`recipes.studies.hinge_report`). Each loss's
decision boundary side by side (first seed) is the sweep's boundaries_and_forces.png, which
every two-feature sweep gets (:mod:`recipes.studies.side_by_side`). Everything is drawn and
measured from the runs' recordings (:mod:`recipes.recording`): no model is loaded, nothing is
scored again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recipes.recording import Recording
from recipes.records import RECORDING_FILE
from recipes.report import evolution, plots
from recipes.report.comparison import ComparisonSpec, write_comparison
from recipes.report.regions import cues_text, finer
from recipes.status import RunStatus
from recipes.studies.hinge_report import converged, separates, write_hinge_report
from recipes.sweeps.records import RunResult, SweepResults

HUGGING_AREA = np.pi * 0.1**2  # a boundary around the inner circle (radius 0.1)
HALFWAY_AREA = np.pi * 0.55**2  # a circle halfway to the outer ring


def compare_hinge(sweep: SweepResults) -> list[Path]:
    """Hinge vs squared hinge: the generic table and figures (mean and spread over seeds), plus
    both losses' curves overlaid on one log axis (mean over seeds), the area each boundary
    encloses (per seed, a strip plot), both boundaries as they train (same seed, same epochs)
    and report.md saying what the numbers show."""
    written = write_comparison(sweep, _comparison_spec(sweep))
    completed = [r for r in sweep.runs if r.status == RunStatus.COMPLETED and r.run_folder]
    if not completed:
        return written
    by_loss = _group_by_loss(sweep, completed)
    recordings = {r.run_folder: Recording.load(r.folder / RECORDING_FILE) for r in completed}
    areas = {
        loss: [positive_region_area(recordings[r.run_folder]) for r in results]
        for loss, results in by_loss.items()
    }
    written.append(_plot_loss_curves(sweep, by_loss))
    written.append(plot_tightness_per_seed(sweep, by_loss, areas))
    evolution = plot_training_evolution(sweep, by_loss, recordings)
    written += [evolution] if evolution else []
    written.append(write_hinge_report(sweep, by_loss, areas, evolution is not None))
    return written


def positive_region_area(recording: Recording) -> float:
    """Area of the region a -1/+1 model classifies +1 at the end of training, inside its
    recording's grid (the test points' square and a tenth more on each side).

    For the circles data (inner circle radius 0.1, outer 1) this measures how tightly the
    decision boundary wraps the inner class: a boundary hugging the inner circle encloses about
    pi * 0.1^2 = 0.03, a maximum-margin circle halfway (radius 0.55) about 0.95.
    """
    levels = recording.levels
    positive = finer(levels.shown(recording.grid_scores[-1])) >= levels.threshold
    width = float(recording.grid_x[-1] - recording.grid_x[0])
    height = float(recording.grid_y[-1] - recording.grid_y[0])
    return float(np.mean(positive) * width * height)


def _comparison_spec(sweep: SweepResults) -> ComparisonSpec:
    """The generic comparison: sign accuracy per loss, validation loss curves."""
    return ComparisonSpec(
        metric="sign_accuracy",
        group_by=[key for key in ("loss",) if key in sweep.keys and len(sweep.keys) > 1],
        curve_key="val_loss",
        title="hinge vs squared hinge",
    )


def _group_by_loss(
    sweep: SweepResults, completed: Sequence[RunResult]
) -> dict[str, list[RunResult]]:
    """The completed runs per loss, in sweep order (the config's loss when not swept)."""
    by_loss: dict[str, list[RunResult]] = {}
    for result in completed:
        loss = str(result.point.labels.get("loss", sweep.base.config.loss.name))
        by_loss.setdefault(loss, []).append(result)
    return by_loss


def _mean_loss_curves(
    by_loss: Mapping[str, Sequence[RunResult]],
) -> tuple[dict[str, list[float]], dict[str, dict[str, str]]]:
    """Per loss, the mean over seeds of training and validation loss, and how to draw each:
    one colour per loss, dashed for validation."""
    history: dict[str, list[float]] = {}
    styles: dict[str, dict[str, str]] = {}
    for index, (loss, results) in enumerate(by_loss.items()):
        # A collapsed run's flat loss would dominate the mean: average the converged runs.
        separating = converged(results)
        which = "converged runs" if separating else "runs"
        for key, name in (("loss", "training"), ("val_loss", "validation")):
            curves = [c for c in (r.history().get(key) for r in (separating or results)) if c]
            if not curves:
                continue
            length = min(len(c) for c in curves)
            series = f"{loss}:{key}"
            history[series] = list(np.mean([c[:length] for c in curves], axis=0))
            styles[series] = {
                "label": f"{loss.replace('_', ' ')}, {name} (mean of {len(curves)} {which})",
                "color": f"C{index}",
                "linestyle": "--" if key == "val_loss" else "-",
            }
    return history, styles


def _plot_loss_curves(sweep: SweepResults, by_loss: Mapping[str, Sequence[RunResult]]) -> Path:
    """loss_curves.png: both losses' mean training and validation curves on one log axis."""
    history, styles = _mean_loss_curves(by_loss)
    ax = plots.plot_loss_history(
        history,
        keys=list(history),
        styles=styles,
        title="Loss per epoch: hinge vs squared hinge (mean over converged seeds)",
    )
    return plots.save_figure(ax, sweep.folder / "loss_curves.png", dpi=sweep.base.config.plots.dpi)


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
        if separates(r)
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
    good = np.array([separates(result) for result in results])
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
