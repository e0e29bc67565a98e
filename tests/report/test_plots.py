"""Plot functions take and return an axes, and handle values a log axis cannot show."""

from __future__ import annotations

import numpy as np

from recipes.report import plots


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

    class Constant:
        def predict(self, features):
            return (features[:, 0] > 0).astype(int)

    features = np.array([[-1.0, 0.0], [1.0, 0.0], [0.5, 0.5], [-0.5, -0.5]])
    labels = np.array([0, 1, 1, 0])
    assert plots.plot_decision_boundary(Constant(), features, labels, ax=right) is right
    plt.close(figure)


def test_decision_boundary_of_a_model_predicting_one_class_everywhere():
    class AlwaysNegative:
        def predict(self, features):
            return -np.ones(len(features), dtype=int)

    features = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 0.1], [0.0, -0.1]])
    labels = np.array([-1, -1, 1, 1])
    ax = plots.plot_decision_boundary(AlwaysNegative(), features, labels)
    assert any("predicts -1 everywhere" in text.get_text() for text in ax.texts)
