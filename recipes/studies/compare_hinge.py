"""Hinge vs squared hinge over seeds (``report: compare_hinge``): the hinge tutorial's
question, "does squared hinge draw a tighter boundary?", measured.

The report, after the sweep's runs: the generic comparison table and figures, each loss's
decision boundary side by side, the area each boundary encloses, both losses' curves overlaid,
and seed_summary.csv with report.md (:mod:`recipes.studies.hinge_report`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recipes.components.labels import predicted_labels
from recipes.config.resolve import resolve_run_folder_config
from recipes.datasets import build_dataset
from recipes.report import canvas, margins, plots
from recipes.report.comparison import ComparisonSpec, write_comparison
from recipes.status import RunStatus
from recipes.studies.hinge_figures import plot_tightness_per_seed, plot_training_evolution
from recipes.studies.hinge_report import converged, write_hinge_report
from recipes.sweeps.records import RunResult, SweepResults
from recipes.training.backend import select_backend

# The square in which the area classified +1 is measured (the circles lie within radius 1).
HINGE_AREA_EXTENT = 1.5
HINGE_AREA_POINTS = 301


def compare_hinge(sweep: SweepResults) -> list[Path]:
    """Hinge vs squared hinge: the generic table and figures (mean and spread over seeds), plus
    decision boundaries side by side (first seed), both losses' curves overlaid on one log
    axis (mean over seeds), the area each boundary encloses (per seed, a strip plot), both
    boundaries as they train (same seed, same epochs) and report.md saying what the numbers
    show."""
    written = write_comparison(sweep, _comparison_spec(sweep))
    completed = [r for r in sweep.results if r.status == RunStatus.COMPLETED and r.run_folder]
    if not completed:
        return written
    by_loss = _group_by_loss(sweep, completed)
    models = _load_models(sweep, completed)
    written.append(_plot_decision_boundaries(sweep, by_loss, models))
    areas = {
        loss: [positive_region_area(models[r.run_folder]) for r in results]
        for loss, results in by_loss.items()
    }
    written.append(_plot_loss_curves(sweep, by_loss))
    written.append(plot_tightness_per_seed(sweep, by_loss, areas))
    evolution = plot_training_evolution(sweep, by_loss)
    written += [evolution] if evolution else []
    written.append(write_hinge_report(sweep, by_loss, areas, evolution is not None))
    return written


def positive_region_area(model: Any, extent: float = HINGE_AREA_EXTENT) -> float:
    """Area of the region a -1/+1 model classifies +1 inside [-extent, extent]^2.

    For the circles data (inner circle radius 0.1, outer 1) this measures how tightly the
    decision boundary wraps the inner class: a boundary hugging the inner circle encloses about
    pi * 0.1^2 = 0.03, a maximum-margin circle halfway (radius 0.55) about 0.95.
    """
    axis = np.linspace(-extent, extent, HINGE_AREA_POINTS, dtype="float32")
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    scores = np.asarray(model.predict(grid, batch_size=8192, verbose=0)).reshape(-1)
    return float(np.mean(scores >= 0) * (2 * extent) ** 2)


def _comparison_spec(sweep: SweepResults) -> ComparisonSpec:
    """The generic comparison: sign accuracy per loss, validation loss curves."""
    return ComparisonSpec(
        metric="sign_accuracy",
        group_by=[key for key in ("loss",) if key in sweep.keys and len(sweep.keys) > 1],
        curve_key="val_loss",
        title="hinge vs squared hinge",
        percent=True,
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


def _load_models(sweep: SweepResults, completed: Sequence[RunResult]) -> dict[Path, Any]:
    """Each completed run's model.keras, by run folder, on the sweep's backend."""
    select_backend(sweep.base.config.backend)
    # Imports Keras: only after the backend is chosen.
    from recipes.components.keras_objects import load_model

    return {r.run_folder: load_model(str(r.run_folder / "model.keras")) for r in completed}


def _plot_decision_boundaries(
    sweep: SweepResults, by_loss: Mapping[str, Sequence[RunResult]], models: Mapping[Path, Any]
) -> Path:
    """decision_boundaries.png: each loss's first-seed run side by side, same test points."""
    dpi = sweep.base.config.plots.dpi
    losses = list(by_loss)
    figure, axes = plots.subplots(1, len(losses), figsize=(5.4 * len(losses), 6.0), dpi=dpi)
    for ax, loss in zip(np.atleast_1d(axes), losses, strict=True):
        first = by_loss[loss][0]
        _plot_boundary_panel(ax, loss, first, models[first.run_folder])
    figure.suptitle("Decision boundaries: hinge vs squared hinge, same data and seed")
    canvas.tight_below_title(figure)  # the overall title above the panels' own
    return plots.save_figure(figure, sweep.folder / "decision_boundaries.png", dpi=dpi)


def _plot_boundary_panel(ax: Any, loss: str, run: RunResult, model: Any) -> None:
    """One run's decision boundary over its own test points, with its margins (as the run's
    own decision_boundary.png draws them)."""
    config = resolve_run_folder_config(run.run_folder)
    split = build_dataset(config.data.name, config.data.params, config.seed)
    predictor = margins.ScoringPredictor(
        model, lambda scores, kind=split.label_kind: predicted_labels(scores, kind, "tanh")
    )
    accuracy = run.metrics.get("test_accuracy", math.nan)
    drawn = {
        "ax": ax,
        "title": f"{loss.replace('_', ' ')} (seed {config.seed}), test acc {accuracy:.1%}",
        "class_names": split.info.get("class_names"),
    }
    spec = margins.margin_spec(config.plots, split.label_kind, "tanh")
    if spec is None or not spec.drawn:
        plots.plot_decision_boundary(predictor, split.x_test, split.y_test, **drawn)
    else:
        margins.plot_decision_boundary_with_margins(
            predictor, split.x_test, split.y_test, spec, **drawn
        )


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
