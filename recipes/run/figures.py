"""The figures of one training run: loss per epoch, decision boundary, true vs predicted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recipes.components.labels import predicted_labels
from recipes.components.models import model_penalties
from recipes.config.schema import RecipeConfig
from recipes.report import margins, plots


def loss_label(config: RecipeConfig) -> str:
    """The loss as training sees it, with the penalties the model adds: ``focal + L1/L2``."""
    penalties = model_penalties(config.model.name, config.model.params)
    name = config.loss.name.replace("_", " ")
    return f"{name} + {'/'.join(penalties)}" if penalties else name


def write_run_figures(
    folder: Path,
    config: RecipeConfig,
    model: Any,
    history: dict[str, list[float]],
    evaluation: Any,
) -> None:
    """loss.png, and for two-feature data decision_boundary.png and predictions.png, as the
    config's ``plots:`` block asks."""
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
    if config.plots.decision_boundary and two_features:
        predictor = margins.ScoringPredictor(
            model, lambda s: predicted_labels(s, split.label_kind, evaluation.output_kind)
        )
        ax = plots.new_axes(plots.SQUARE_FIGURE_SIZE, dpi=dpi)
        spec = margins.margin_spec(config.plots, split.label_kind, evaluation.output_kind)
        drawn = dict(ax=ax, title=f"{title_run}, {accuracy_text}", class_names=class_names)
        if spec is None:
            plots.plot_decision_boundary(predictor, split.x_test, evaluation.y_true, **drawn)
        else:
            margins.plot_decision_boundary_with_margins(
                predictor, split.x_test, evaluation.y_true, spec, **drawn
            )
        plots.save_figure(ax, folder / "decision_boundary.png", dpi=dpi)
    if config.plots.predictions and two_features:
        figure = plots.plot_true_vs_predicted(
            split.x_test,
            evaluation.y_true,
            evaluation.y_pred,
            title=f"{title_run}, {accuracy_text}",
            class_names=class_names,
        )
        plots.save_figure(figure, folder / "predictions.png", dpi=dpi)
