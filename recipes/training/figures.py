"""The figures of one training run: loss per epoch, decision boundary, true vs predicted."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import numpy as np

from recipes.components.labels import predicted_labels
from recipes.components.models import model_penalties
from recipes.components.user_loss import is_user_loss, short_name
from recipes.config.schema import RecipeConfig
from recipes.report import evolution, forces, margins, plots, regions
from recipes.training.recording import RECORDING_FILE, score_grid

PREDICT_BATCH = 8192  # the grid in a few large batches, no progress output
GRID_SHARE = 0.7  # of decision_boundary.png's width: what its axes take


def loss_label(config: RecipeConfig) -> str:
    """The loss as training sees it, with the penalties the model adds: ``focal + L1/L2``."""
    penalties = model_penalties(config.model.name, config.model.params)
    loss = config.loss.name  # a registered name reads as words; a user's file name stays as written
    name = short_name(loss) if is_user_loss(loss) else loss.replace("_", " ")
    return f"{name} + {'/'.join(penalties)}" if penalties else name


def write_run_figures(
    folder: Path,
    config: RecipeConfig,
    model: Any,
    history: dict[str, list[float]],
    evaluation: Any,
    recording: Any = None,
) -> dict[str, Any]:
    """loss.png, and for two-feature data decision_boundary.png, predictions.png and
    forces.png, as the config's ``plots:`` block asks; with a boundary ``recording``
    (recipes.training.recording) also boundary_recording.npz, boundary_epochs.png and the training
    animation. Returns what forces.png measured (:func:`write_forces`), or {}."""
    split, dpi = evaluation.split, config.plots.dpi
    title_run = f"{loss_label(config)} loss, {config.data.name}"
    accuracy_text = f"test acc {evaluation.metrics['test_accuracy']:.1%}"
    class_names = split.info.get("class_names")
    if config.plots.loss:
        ax = plots.plot_loss_history(
            history, title=f"{title_run}: loss per epoch (seed {config.seed})"
        )
        plots.save_figure(ax, folder / "loss.png", dpi=dpi)
    two_features = split.x_test.reshape(len(split.x_test), -1).shape[1] == 2
    spec = margins.margin_spec(config.plots, split.label_kind, evaluation.output_kind)
    grid = None  # one prediction on a grid: decision_boundary.png's regions, forces.png's
    if two_features and (config.plots.decision_boundary or config.plots.forces):
        grid = decision_grid(model, evaluation, dpi)
    if config.plots.decision_boundary and two_features:
        ax = plots.new_axes(plots.SQUARE_FIGURE_SIZE, dpi=dpi)
        _decision_boundary(ax, grid, evaluation, spec, f"{title_run}, {accuracy_text}")
        label_feature_axes([ax], split)
        plots.save_figure(ax, folder / "decision_boundary.png", dpi=dpi)
    if config.plots.predictions and two_features:
        figure = plots.plot_true_vs_predicted(
            split.x_test,
            evaluation.y_true,
            evaluation.y_pred,
            title=f"{title_run}, {accuracy_text}",
            class_names=class_names,
        )
        label_feature_axes(figure.axes, split)
        plots.save_figure(figure, folder / "predictions.png", dpi=dpi)
    if recording is not None and recording.epochs and spec is not None:
        recording.score(model)
        recording.save(folder / RECORDING_FILE)
        evolution.write_evolution_figures(
            folder, recording, history, spec, title_run, config.plots, class_names
        )
    if config.plots.forces and two_features:
        return write_forces(folder, model, evaluation, recording, spec, title_run, dpi, grid)
    return {}


def decision_grid(model: Any, evaluation: Any, dpi: int) -> regions.DecisionGrid:
    """The model's scores and labels on decision_boundary.png's grid, in one predict call:
    about one point a pixel of its axes (GRID_SHARE of the figure's width; a point a pixel of
    the whole figure, as mlxtend, was twice the points, more than the pixels that show them)."""
    split = evaluation.split
    side = int(plots.SQUARE_FIGURE_SIZE[0] * dpi * GRID_SHARE)
    xx, yy = regions.grid_points(split.x_test, (side, side))
    flat = np.stack([xx.ravel(), yy.ravel()], axis=1)
    scores = np.asarray(model.predict(flat, batch_size=PREDICT_BATCH, verbose=0))
    predicted = predicted_labels(scores, split.label_kind, evaluation.output_kind)
    shape = xx.shape
    return regions.DecisionGrid(xx, yy, np.asarray(predicted).reshape(shape).astype(int),
                                scores.reshape(*shape, -1))  # fmt: skip


def write_forces(
    folder: Path,
    model: Any,
    evaluation: Any,
    recording: Any,
    spec: margins.MarginSpec | None,
    title_run: str,
    dpi: int,
    grid: regions.DecisionGrid | None = None,
) -> dict[str, Any]:
    """forces.png: each test point by the force of the loss on it (recipes.report.forces),
    over the final decision regions, and at the recorded epochs when the recording was
    scored; returns the hardest 10%'s share at the end and per recorded epoch. ``grid``:
    decision_boundary.png's (:func:`decision_grid`), predicted here when not given."""
    started = time.perf_counter()
    split = evaluation.split
    recorded = list(recording.point_scores) if recording is not None and spec else []
    epochs = list(recording.epochs[: len(recorded)]) if recorded else []
    final, *epoch_forces = _forces(
        model.loss, split.y_test, [evaluation.scores, *recorded], evaluation.output_kind
    )
    shares = [forces.hardest_share(f) for f in epoch_forces]
    final_share = forces.hardest_share(final)
    norm = forces.force_norm(final, *epoch_forces)
    shown = forces.panel_indices(len(recorded))  # one row of panels: cheap to draw
    figure, final_ax, share_ax, epoch_axes = forces.forces_figure(len(shown), dpi)
    grid = grid if grid is not None else decision_grid(model, evaluation, dpi)
    _final_regions(final_ax, grid, evaluation, spec)
    final_ax.set_title(f"End of training: {forces.share_text(final_share)} of the force")
    forces.plot_point_forces(
        final_ax, split.x_test.reshape(len(final), -1), evaluation.y_true, final, norm
    )
    forces.draw_colour_bar(final_ax, norm)
    label_feature_axes([final_ax], split)
    threshold_only = dataclasses.replace(spec, drawn=False) if spec else None  # cheaper panels
    for index, ax in zip(shown, epoch_axes, strict=True):
        evolution.plot_recorded_boundary(
            ax, recording, index, threshold_only, ring=False, points=False
        )
        forces.plot_point_forces(
            ax, recording.points, recording.labels, epoch_forces[index], norm, size=25
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"epoch {epochs[index]}: {forces.share_text(shares[index])}", fontsize=8)
    forces.plot_share_by_epoch(share_ax, epochs, shares, final_share)
    figure.suptitle(
        f"{title_run}: where the loss pushes (each test point by |d loss / d score|)",
        fontsize=11,
    )
    plots.save_figure(figure, folder / forces.FORCES_FIGURE, dpi=dpi)
    return {
        "hardest_10pct_share": final_share,
        "epochs": epochs,
        "hardest_10pct_share_by_epoch": shares,
        "seconds": round(time.perf_counter() - started, 4),
    }


def _forces(loss: Any, y_true: Any, outputs: list[Any], kind: str) -> list[Any]:
    """The forces for each set of outputs (the final ones, each recorded epoch's), from one
    gradient call: eager autodiff costs about as much for one point as for thousands."""
    stacked = np.concatenate([np.asarray(o).reshape(len(o), -1) for o in outputs])
    targets = np.concatenate([np.asarray(y_true).reshape(len(outputs[0]), -1)] * len(outputs))
    return np.split(forces.point_forces(loss, targets, stacked, kind), len(outputs))


def _final_regions(
    ax: Any, grid: regions.DecisionGrid, evaluation: Any, spec: margins.MarginSpec | None
) -> None:
    """The final decision regions: with the margins and the colours of the evolution panels,
    over the test points' range plus a tenth, from decision_boundary.png's grid; without
    margins (one-hot targets), decision_boundary.png's drawing without its points."""
    split = evaluation.split
    points = split.x_test.reshape(len(split.x_test), -1)
    if spec is None:
        _decision_boundary(ax, grid, evaluation, spec, "")
        forces.hide_plotted_points(ax)
        return
    xx, yy = score_grid(points, 2)  # the corners of the evolution panels' grid
    shown = grid.within((xx.min(), xx.max()), (yy.min(), yy.max()))
    evolution.draw_threshold_regions(
        ax, shown.xx, shown.yy, spec.shown(shown.scores), spec.levels[1]
    )
    margins.plot_margin_contours(ax, shown.xx, shown.yy, shown.scores, spec)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal", adjustable="box")


def _decision_boundary(
    ax: Any,
    grid: regions.DecisionGrid,
    evaluation: Any,
    spec: margins.MarginSpec | None,
    title: str,
) -> None:
    """The decision regions over the test points, with the margins when ``spec`` draws them."""
    split = evaluation.split
    drawn = {"title": title, "class_names": split.info.get("class_names")}
    features, labels = split.x_test, evaluation.y_true
    if spec is None or not spec.drawn:
        regions.plot_decision_regions(ax, grid, features, labels, **drawn)
    else:
        margins.plot_regions_with_margins(
            ax, grid, features, labels, evaluation.scores, spec, **drawn
        )


def label_feature_axes(axes: list[Any], split: Any) -> None:
    """Name the axes of a two-feature plot after the data's features (a user's CSV columns),
    saying when they were standardized."""
    scaled = " (standardized)" if "standardization" in split.info else ""
    for ax in axes:
        ax.set_xlabel(f"{split.feature_names[0]}{scaled}")
        ax.set_ylabel(f"{split.feature_names[1]}{scaled}")
