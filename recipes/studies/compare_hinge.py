"""Hinge vs squared hinge over seeds (``report: compare_hinge``): the hinge tutorial's
question, "does squared hinge draw a tighter boundary?", measured.

The report, after the sweep's runs: the generic comparison table and figures, each loss's
decision boundary side by side, the area each boundary encloses, both losses' curves overlaid,
and seed_summary.csv with report.md (:mod:`recipes.studies.hinge_report`). Everything is drawn
and measured from the runs' recordings (:mod:`recipes.recording`): no model is
loaded, nothing is scored again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recipes.recording import RECORDING_FILE, Recording
from recipes.report import canvas, plots
from recipes.report.comparison import ComparisonSpec, write_comparison
from recipes.report.regions import draw_boundary, finer
from recipes.status import RunStatus
from recipes.studies.hinge_figures import plot_tightness_per_seed, plot_training_evolution
from recipes.studies.hinge_report import converged, write_hinge_report
from recipes.sweeps.records import RunResult, SweepResults
from recipes.training.figures import label_feature_axes


def compare_hinge(sweep: SweepResults) -> list[Path]:
    """Hinge vs squared hinge: the generic table and figures (mean and spread over seeds), plus
    decision boundaries side by side (first seed), both losses' curves overlaid on one log
    axis (mean over seeds), the area each boundary encloses (per seed, a strip plot), both
    boundaries as they train (same seed, same epochs) and report.md saying what the numbers
    show."""
    written = write_comparison(sweep, _comparison_spec(sweep))
    completed = [r for r in sweep.runs if r.status == RunStatus.COMPLETED and r.run_folder]
    if not completed:
        return written
    by_loss = _group_by_loss(sweep, completed)
    recordings = {r.run_folder: Recording.load(r.folder / RECORDING_FILE) for r in completed}
    written.append(_plot_decision_boundaries(sweep, by_loss, recordings))
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


def _plot_decision_boundaries(
    sweep: SweepResults, by_loss: Mapping[str, Sequence[RunResult]], recordings: Mapping[Path, Any]
) -> Path:
    """decision_boundaries.png: each loss's first-seed run side by side, drawn as the run's own
    decision_boundary.png (:func:`recipes.report.regions.draw_boundary`, its end of training)."""
    config = sweep.base.config
    losses = list(by_loss)
    figure, axes = plots.subplots(
        1, len(losses), figsize=(5.4 * len(losses), 6.0), dpi=config.plots.dpi
    )
    for ax, loss in zip(np.atleast_1d(axes), losses, strict=True):
        first = by_loss[loss][0]
        recording = recordings[first.run_folder]
        draw_boundary(ax, recording, margins=config.plots.margins,
                      class_names=recording.class_names)  # fmt: skip
        accuracy = first.metrics.get("test_accuracy", math.nan)
        seed = first.point.values.get("seed", config.seed)
        ax.set_title(f"{loss.replace('_', ' ')} (seed {seed}), test acc {accuracy:.1%}")
        label_feature_axes([ax], recording)
    figure.suptitle("Decision boundaries: hinge vs squared hinge, same data and seed")
    # decision_boundary.png's room for the texts, a line more above for the overall title
    canvas.fixed_layout(figure, (0.8, 0.25, 1.45, 0.6 + canvas.text_height(12)), (0.8, 0))
    path = sweep.folder / "decision_boundaries.png"
    return plots.save_figure(figure, path, dpi=config.plots.dpi)


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
