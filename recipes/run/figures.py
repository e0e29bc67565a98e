"""The figures of one training run: loss per epoch, decision boundary, true vs predicted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recipes.components.labels import predicted_labels
from recipes.components.models import model_penalties
from recipes.components.user_loss import is_user_loss, short_name
from recipes.config.schema import RecipeConfig
from recipes.report import evolution, margins, plots
from recipes.run.recording import RECORDING_FILE


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
) -> None:
    """loss.png, and for two-feature data decision_boundary.png and predictions.png, as the
    config's ``plots:`` block asks; with a boundary ``recording`` (recipes.run.recording) also
    boundary_recording.npz, boundary_epochs.png and the training animation."""
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
    if config.plots.decision_boundary and two_features:
        ax = plots.new_axes(plots.SQUARE_FIGURE_SIZE, dpi=dpi)
        _decision_boundary(ax, model, evaluation, spec, f"{title_run}, {accuracy_text}")
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


def _decision_boundary(
    ax: Any, model: Any, evaluation: Any, spec: margins.MarginSpec | None, title: str
) -> None:
    """The decision regions over the test points, with the margins when ``spec`` draws them."""
    split = evaluation.split
    predictor = margins.ScoringPredictor(
        model, lambda s: predicted_labels(s, split.label_kind, evaluation.output_kind)
    )
    drawn = {"ax": ax, "title": title, "class_names": split.info.get("class_names")}
    if spec is None or not spec.drawn:
        plots.plot_decision_boundary(predictor, split.x_test, evaluation.y_true, **drawn)
    else:
        margins.plot_decision_boundary_with_margins(
            predictor, split.x_test, evaluation.y_true, spec, **drawn
        )


def label_feature_axes(axes: list[Any], split: Any) -> None:
    """Name the axes of a two-feature plot after the data's features (a user's CSV columns),
    saying when they were standardized."""
    scaled = " (standardized)" if "standardization" in split.info else ""
    for ax in axes:
        ax.set_xlabel(f"{split.feature_names[0]}{scaled}")
        ax.set_ylabel(f"{split.feature_names[1]}{scaled}")
