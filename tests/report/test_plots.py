"""Plot functions take and return an axes, and handle values a log axis cannot show."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import synthetic_recording

from recipes.report import plots
from recipes.report.regions import draw_boundary, predictions_figure


def test_loss_plot_keeps_exact_zeros_visible(tmp_path):
    history = {"loss": [0.5, 0.1, 0.0, 0.0], "val_loss": [0.6, 0.2, 0.01, 0.0]}
    ax = plots.plot_loss_history(history, title="zeros")
    assert ax.get_yscale() == "log"
    lines = {line.get_label(): line for line in ax.get_lines()}
    training = lines["training"].get_ydata()
    assert len(training) == 4 and np.all(training > 0)  # zeros drawn at a floor, not dropped
    assert any(label.startswith("exactly 0") for label in lines)
    plots.save_figure(ax, tmp_path / "zeros.png")
    assert (tmp_path / "zeros.png").stat().st_size > 0


def test_negative_losses_are_drawn_not_dropped():
    history = {"loss": [-0.2, -0.7, -0.9], "val_loss": [-0.3, -0.6, -0.85]}
    ax = plots.plot_loss_history(history)
    assert ax.get_yscale() == "linear"  # cosine similarity: negative throughout
    training = [line for line in ax.get_lines() if line.get_label() == "training"][0]
    np.testing.assert_allclose(training.get_ydata(), [-0.2, -0.7, -0.9])
    assert any("negative" in text.get_text() for text in ax.texts)
    mixed = plots.plot_loss_history({"loss": [0.5, -0.5, -1.0]})
    assert mixed.get_yscale() == "symlog"


def test_plot_functions_draw_into_a_given_axes():
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2)
    assert plots.plot_loss_history({"loss": [1.0, 0.5]}, ax=left) is left
    features = np.array([[-1.0, 0.0], [1.0, 0.0], [0.5, 0.5], [-0.5, -0.5]])
    recording = synthetic_recording(lambda p: np.tanh(p[:, 0]), features, [-1, 1, 1, -1])
    assert draw_boundary(right, recording) is right
    plt.close(figure)


def test_decision_boundary_of_a_model_predicting_one_class_everywhere():
    features = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 0.1], [0.0, -0.1]])
    labels = np.array([-1, -1, 1, 1])
    recording = synthetic_recording(lambda p: -0.9 * np.ones(len(p)), features, labels)
    ax = draw_boundary(plots.new_axes(), recording)
    assert any("predicts -1 everywhere" in text.get_text() for text in ax.texts)


# ----------------------------------------------------------------- user text stays text

# Each would be math text (the first two fail to parse: drawing raised), or hidden
# (a legend leaves out a label starting with "_").
HOSTILE_NAMES = ["$x_$", "price $US$ a^b", "_neg", "back\\slash $\\alpha$"]


def _drawn_texts(figure) -> list:
    import matplotlib.text

    figure.canvas.draw()
    return [t for t in figure.findobj(matplotlib.text.Text) if t.get_text()]


def _assert_drawn_as_written(figure, expected: list[str]) -> None:
    texts = _drawn_texts(figure)
    for text in texts:  # matplotlib would parse none of them as math
        assert text._preprocess_math(text.get_text()) == (text.get_text(), False), text
    shown = "\n".join(t.get_text() for t in texts)
    for name in expected:
        assert name in shown, name


def test_user_text_in_run_figures_is_drawn_as_written(tmp_path):
    points = np.array([[-1.0, 0.0], [-0.5, 1.0], [0.5, 0.0], [1.0, 1.0]], "float32")
    labels = np.array([0, 0, 1, 1])
    names = {0: HOSTILE_NAMES[0], 1: HOSTILE_NAMES[2]}
    recording = synthetic_recording(
        lambda p: p[:, 0], points, labels, (0.1, 0.5, 0.9), label_kind="binary",
        output_kind="logit", class_names=names,
    )  # fmt: skip
    ax = draw_boundary(plots.new_axes(), recording, margins=False, class_names=names)
    ax.set_title(HOSTILE_NAMES[1])
    ax.set_xlabel(HOSTILE_NAMES[3])  # a CSV column, as recipes.training.figures names the axes
    plots.save_figure(ax, tmp_path / "boundary.png")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [HOSTILE_NAMES[0], "\u200b" + HOSTILE_NAMES[2]]
    _assert_drawn_as_written(ax.figure, HOSTILE_NAMES)

    flipped = dataclasses.replace(recording, point_scores=-recording.point_scores)
    figure = predictions_figure(flipped, HOSTILE_NAMES[3], 60, names)
    plots.save_figure(figure, tmp_path / "predictions.png")
    _assert_drawn_as_written(figure, [f"{HOSTILE_NAMES[2]} (2)", HOSTILE_NAMES[3]])

    ax = plots.plot_loss_history({"loss": [1.0, 0.1, 0.01]}, title=HOSTILE_NAMES[1])
    plots.save_figure(ax, tmp_path / "loss.png")
    _assert_drawn_as_written(ax.figure, [HOSTILE_NAMES[1], "10⁻²"])  # the project's ticks


def test_comparison_figures_draw_grid_labels_as_written(tmp_path):
    from recipes.report.comparison_figures import plot_epoch_curves, plot_metric_bars

    ax = plot_metric_bars(
        HOSTILE_NAMES,
        {"train": [0.5, 0.6, 0.7, 0.8], "test": [0.4, 0.5, None, 0.7]},
        notes={HOSTILE_NAMES[2]: "failed: $nan_$"},
        title=HOSTILE_NAMES[0],
    )
    plots.save_figure(ax, tmp_path / "accuracy.png")
    _assert_drawn_as_written(ax.figure, [*HOSTILE_NAMES, "failed: $nan_$"])
    curves = {name: [0.1 * i, 0.2 * i] for i, name in enumerate(HOSTILE_NAMES, 1)}
    ax = plot_epoch_curves(curves, ylabel=HOSTILE_NAMES[1])
    plots.save_figure(ax, tmp_path / "curves.png")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "\u200b_neg" in legend
    _assert_drawn_as_written(ax.figure, HOSTILE_NAMES)


@pytest.mark.slow  # about 9 s with Keras imported; the figure functions are tested above
def test_a_run_on_a_csv_with_hostile_names_draws_its_figures(tmp_path):
    """A real run: the CSV's columns and class names reach titles, axes and legends."""
    import csv
    import json

    from conftest import run_recipe, shrink_overrides

    from recipes.config.resolve import resolve_recipe

    columns = ["=SUM(1) $x_$", "a^b \\c", "$US$"]
    rng = np.random.default_rng(0)
    path = tmp_path / "data.csv"
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for index in range(80):
            name = ["=cheap $a_$", "_dear"][index % 2]
            writer.writerow([*(rng.normal(size=2) + 2 * (index % 2)).round(3), name])
    overrides = [
        *shrink_overrides("csv_moons"),
        f"data.path={path}",
        "data.label=$US$",
        "data.features=null",
        "plots.animation=none",
    ]
    folder = run_recipe(resolve_recipe("csv_moons", overrides), tmp_path / "outputs", 0)
    assert json.loads((folder / "run.json").read_text())["status"] == "completed"
    for name in ("loss.png", "decision_boundary.png", "predictions.png"):
        assert (folder / name).stat().st_size > 0, name
    with open(folder / "test_predictions.csv", newline="", encoding="utf-8") as stream:
        header = next(csv.reader(stream))
    assert header[:2] == ["'=SUM(1) $x_$", "a^b \\c"]  # a formula-like column neutralised
