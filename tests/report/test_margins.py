"""Margins: where the lines go for each kind of model, which points still cost loss, and that
the contours reuse the grid the regions were predicted on."""

from __future__ import annotations

import numpy as np
import pytest

from recipes.config.schema import PlotsConfig
from recipes.report import margins


def test_hinge_margins_are_scores_and_probability_models_get_a_band():
    hinge = margins.margin_spec(PlotsConfig(hinge_margin=1.0), "plus_minus_one", "tanh")
    assert hinge.levels == (-1.0, 0.0, 1.0) and not hinge.sigmoid
    logit = margins.margin_spec(PlotsConfig(margin_band=(0.2, 0.8)), "binary", "logit")
    assert logit.levels == (0.2, 0.5, 0.8) and logit.sigmoid
    assert margins.margin_spec(PlotsConfig(), "categorical", "softmax") is None
    assert not margins.margin_spec(PlotsConfig(margins=False), "binary", "probability").drawn


def test_points_inside_the_margin_or_misclassified_cost_loss():
    hinge = margins.margin_spec(PlotsConfig(), "plus_minus_one", "tanh")  # margin 0.99
    scores = np.array([[0.995], [0.5], [-0.2], [-0.999], [0.3]])
    labels = np.array([1, 1, 1, -1, -1])
    assert hinge.costs_loss(scores, labels).tolist() == [False, True, True, False, True]
    assert hinge.misclassified(scores, labels).tolist() == [False, False, True, False, True]
    logit = margins.margin_spec(PlotsConfig(), "binary", "logit")  # p 0.1 / 0.9
    logits = np.array([[3.0], [1.0], [-3.0], [-1.0]])  # p 0.95, 0.73, 0.05, 0.27
    assert logit.costs_loss(logits, np.array([1, 1, 0, 0])).tolist() == [False, True, False, True]
    np.testing.assert_allclose(logit.shown(np.array([[0.0]])), [0.5])


def test_contours_come_from_the_grid_the_regions_were_predicted_on():
    import matplotlib.pyplot as plt

    class Linear:
        calls = 0

        def predict(self, features, batch_size=None, verbose=0):
            Linear.calls += 1
            return np.tanh(features[:, :1] - 0.2 * features[:, 1:])

    predictor = margins.ScoringPredictor(Linear(), lambda s: np.where(s >= 0, 1, -1))
    features = np.array([[-1.0, 0.0], [1.0, 0.5], [0.1, -0.5], [-0.5, 0.5], [0.02, 0.0]])
    labels = np.array([-1, 1, 1, -1, 1])
    spec = margins.margin_spec(PlotsConfig(hinge_margin=0.5), "plus_minus_one", "tanh")
    ax = margins.plot_decision_boundary_with_margins(predictor, features, labels, spec)
    assert Linear.calls == 2  # the grid once (regions and contours), the points once
    xx, yy = margins.grid_axes(predictor.grid)
    assert xx.shape == yy.shape and xx.size == len(predictor.grid) > 1000
    np.testing.assert_array_equal(xx[0], xx[-1])  # rows of the same x values
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "score -0.5 / 0 / +0.5" in texts
    # 0.1 -> tanh 0.2 and 0.02 -> 0.02: right side, inside the margin; none misclassified
    assert "inside the margin (2)" in texts and "misclassified (0)" in texts
    from recipes.report.contours import ContourLines

    levels = sorted(a.level for a in ax.artists if isinstance(a, ContourLines) and a.label)
    assert levels == [-0.5, 0.0, 0.5]  # the threshold and both margins, labelled
    plt.close(ax.figure)


@pytest.mark.parametrize("band", [(0.5, 0.9), (0.1, 0.5), (0.9, 0.1)])
def test_a_band_not_around_one_half_is_refused(band):
    import pydantic

    with pytest.raises(pydantic.ValidationError, match="0 < low < 0.5 < high < 1"):
        PlotsConfig(margin_band=band)
