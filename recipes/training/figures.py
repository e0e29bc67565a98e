"""The figures of one training run, drawn from its records alone (no model, no Keras): loss.png
from the history, and for two-feature data, from the recording
(:mod:`recipes.recording`), decision_boundary.png, predictions.png, forces.png,
boundary_epochs.png and the training animation, as the config's ``plots:`` block asks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recipes.components.models import model_penalties
from recipes.components.user_loss import is_user_loss, short_name
from recipes.config.schema import RecipeConfig
from recipes.report import evolution, forces, plots
from recipes.report.canvas import collecting_new_objects_only, text_height
from recipes.report.regions import draw_boundary, predictions_figure


def loss_label(config: RecipeConfig) -> str:
    """The loss as training sees it, with the penalties the model adds: ``focal + L1/L2``."""
    penalties = model_penalties(config.model.name, config.model.params)
    loss = config.loss.name  # a registered name reads as words; a user's file name stays as written
    name = short_name(loss) if is_user_loss(loss) else loss.replace("_", " ")
    return f"{name} + {'/'.join(penalties)}" if penalties else name


@collecting_new_objects_only()  # the collector walks the figures' objects alone
def write_run_figures(
    folder: Path,
    config: RecipeConfig,
    history: dict[str, Any],
    metrics: dict[str, Any],
    recording: Any = None,
    varies: str = "",
) -> list[str]:
    """Draw the run's figures into ``folder``; returns the names of the files written.
    ``varies``: what a sweep varies for this run (``loss.gamma = 2``), added to the titles."""
    plots_config, dpi = config.plots, config.plots.dpi
    title_wide = f"{loss_label(config)} loss, {config.data.name}"
    # what a sweep varies: a line of its own above the title of a narrow figure (a long label
    # never runs off it), at the end of the one line of a wide one (forces, evolution)
    title_run = f"{varies}\n{title_wide}" if varies else title_wide
    title_wide += f", {varies}" if varies else ""
    title_room = text_height(12) if varies else 0.0  # the fixed layouts' second line
    accuracy = metrics.get("test_accuracy")
    title_end = f"{title_run}, test acc {accuracy:.1%}" if accuracy is not None else title_run
    written = []
    if plots_config.loss:
        ax = plots.plot_loss_history(
            history, title=f"{title_run}: loss per epoch (seed {config.seed})"
        )
        # the texts' room: no tight_layout
        plots.fixed_layout(ax.figure, (0.85, 0.2, 0.6, 0.45 + title_room))
        written.append(plots.save_figure(ax, folder / "loss.png", dpi=dpi))
    if recording is None:  # not two-feature data
        return [path.name for path in written]
    names = recording.class_names
    if plots_config.decision_boundary:
        ax = plots.new_axes(plots.SQUARE_FIGURE_SIZE, dpi=dpi)
        draw_boundary(ax, recording, margins=plots_config.margins, class_names=names)
        ax.set_title(title_end)
        label_feature_axes([ax], recording)
        plots.fixed_layout(ax.figure, (0.8, 0.25, 1.55, 0.45 + title_room))  # legend below
        written.append(plots.save_figure(ax, folder / "decision_boundary.png", dpi=dpi))
    if plots_config.predictions:
        figure = predictions_figure(recording, title_end, dpi, names)
        label_feature_axes(figure.axes, recording)
        written.append(plots.save_figure(figure, folder / "predictions.png", dpi=dpi))
    if plots_config.evolution and len(recording.epochs) > 1:
        written += evolution.write_evolution_figures(
            folder, recording, title_wide, plots_config, names
        )
    if plots_config.forces:
        figure = forces.forces_figure(recording, title_wide, dpi, plots_config.margins)
        label_feature_axes(figure.axes[:1], recording)
        written.append(plots.save_figure(figure, folder / forces.FORCES_FIGURE, dpi=dpi))
    return [path.name for path in written]


def label_feature_axes(axes: list[Any], recording: Any) -> None:
    """Name the axes of a two-feature plot after the data's features (a user's CSV columns),
    saying when they were standardized."""
    scaled = " (standardized)" if recording.standardized else ""
    for ax in axes:
        ax.set_xlabel(f"{recording.feature_names[0]}{scaled}")
        ax.set_ylabel(f"{recording.feature_names[1]}{scaled}")
