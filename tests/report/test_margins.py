"""Margins: where the lines go for each kind of model, which points still cost loss, and that
the one renderer draws the threshold and margins from the recording's own grid."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import synthetic_recording

from recipes.components.labels import predicted_labels
from recipes.config.schema import PlotsConfig
from recipes.recording import margin_levels
from recipes.report import canvas
from recipes.report.regions import draw_boundary, finer


def test_hinge_margins_are_scores_and_probability_models_get_a_band():
    hinge = margin_levels(PlotsConfig(hinge_margin=1.0), "plus_minus_one", "tanh")
    assert (hinge.low, hinge.threshold, hinge.high) == (-1.0, 0.0, 1.0) and not hinge.sigmoid
    logit = margin_levels(PlotsConfig(margin_band=(0.2, 0.8)), "binary", "logit")
    assert (logit.low, logit.threshold, logit.high) == (0.2, 0.5, 0.8) and logit.sigmoid
    assert margin_levels(PlotsConfig(), "categorical", "softmax") is None
    assert hinge.text == "score -1 / 0 / +1" and logit.text == "p = 0.2 / 0.5 / 0.8"


def test_points_inside_the_margin_or_misclassified_cost_loss():
    hinge = margin_levels(PlotsConfig(), "plus_minus_one", "tanh")  # margin 0.99
    scores = np.array([[0.995], [0.5], [-0.2], [-0.999], [0.3]])
    labels = np.array([1, 1, 1, -1, -1])
    assert hinge.costs_loss(scores, labels).tolist() == [False, True, True, False, True]
    assert hinge.misclassified(scores, labels).tolist() == [False, False, True, False, True]
    logit = margin_levels(PlotsConfig(), "binary", "logit")  # p 0.1 / 0.9
    logits = np.array([[3.0], [1.0], [-3.0], [-1.0]])  # p 0.95, 0.73, 0.05, 0.27
    assert logit.costs_loss(logits, np.array([1, 1, 0, 0])).tolist() == [False, True, False, True]
    # the drawn rule (the threshold on the drawn scale) is the evaluation's
    positive = logit.shown(logits) >= logit.threshold
    assert (positive == (predicted_labels(logits, "binary", "logit") == 1)).all()
    np.testing.assert_allclose(logit.shown(np.array([[0.0]])), [0.5])


def test_the_renderer_draws_threshold_and_margins_from_the_recordings_grid():
    features = np.array([[-1.0, 0.0], [1.0, 0.5], [0.1, -0.5], [-0.5, 0.5], [0.02, 0.0]])
    labels = np.array([-1, 1, 1, -1, 1])
    recording = synthetic_recording(
        lambda p: np.tanh(p[:, 0] - 0.2 * p[:, 1]), features, labels, (-0.5, 0.0, 0.5)
    )
    ax = canvas.new_axes()
    assert draw_boundary(ax, recording) is ax
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "score -0.5 / 0 / +0.5" in texts
    # 0.1 -> tanh 0.2 and 0.02 -> 0.02: right side, inside the margin; none misclassified
    assert "inside the margin (2)" in texts and "misclassified (0)" in texts
    [lines] = [c for c in ax.collections if hasattr(c, "levels") and not c.filled]
    assert list(lines.levels) == [-0.5, 0.0, 0.5]  # the threshold and both margins, labelled
    assert {t.get_text() for t in lines.labelTexts} == {"-0.5", "0", "0.5"}
    [image] = ax.get_images()  # the regions: the grid's scores, finer, thresholded
    assert image.get_array().shape[:2] == finer(recording.grid_scores[0]).shape[:2]
    assert ax.get_xlim() == (recording.grid_x[0], recording.grid_x[-1])


def test_without_margins_the_threshold_alone_is_drawn():
    features = np.array([[-1.0, 0.0], [1.0, 0.5], [0.5, -0.5], [-0.5, 0.5]])
    recording = synthetic_recording(lambda p: np.tanh(p[:, 0]), features, [-1, 1, 1, -1])
    ax = draw_boundary(canvas.new_axes(), recording, margins=False)
    [lines] = [c for c in ax.collections if hasattr(c, "levels")]
    assert list(lines.levels) == [0.0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("margin" in text for text in texts)


def test_finer_interpolates_between_the_grid_points():
    values = np.array([[0.0, 1.0], [2.0, 3.0]])
    fine = finer(values, 2)
    np.testing.assert_allclose(fine, [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]])


@pytest.mark.parametrize("band", [(0.5, 0.9), (0.1, 0.5), (0.9, 0.1)])
def test_a_band_not_around_one_half_is_refused(band):
    import pydantic

    with pytest.raises(pydantic.ValidationError, match="0 < low < 0.5 < high < 1"):
        PlotsConfig(margin_band=band)


def test_a_softmax_models_regions_are_its_largest_unit_without_margins():
    features = np.array([[-1.0, -1.0], [1.0, -1.0], [0.0, 1.0], [0.5, 0.5]])
    centres = features[:3]

    def scores(points):  # one unit per class, largest near its centre
        return -np.linalg.norm(points[:, None, :] - centres[None], axis=2)

    recording = synthetic_recording(
        lambda p: scores(p)[:, 0], features, [0, 1, 2, 2], np.array([]),
        label_kind="categorical", output_kind="softmax",
    )  # fmt: skip
    x, y = np.meshgrid(recording.grid_x, recording.grid_y)
    grid = scores(np.stack([x.ravel(), y.ravel()], axis=1)).reshape(1, *x.shape, 3)
    point_scores = scores(features)[None]
    recording = dataclasses.replace(recording, grid_scores=grid, point_scores=point_scores)
    assert recording.levels is None and recording.classes == [0, 1, 2]
    ax = draw_boundary(canvas.new_axes(), recording)
    [image] = ax.get_images()
    assert len({tuple(colour) for colour in image.get_array().reshape(-1, 4)}) == 3
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["0", "1", "2"]  # the classes, no margins, no rings


def _margin_recording(**fields):
    features = np.array([[-1.0, 0.0], [1.0, 0.5], [0.1, -0.5], [-0.5, 0.5], [0.02, 0.0]])
    labels = np.array([-1, 1, 1, -1, 1])
    return synthetic_recording(
        lambda p: np.tanh(p[:, 0] - 0.2 * p[:, 1]), features, labels, (-0.5, 0.0, 0.5), **fields
    )


def test_the_margin_band_is_hatched_and_no_ring_covers_a_point_inside_it():
    """Grey rings around the 1,310 of focal_rings' 1,400 points inside the band hid their
    class colours: the band is hatched on the regions instead, red rings stay for the
    misclassified points alone."""
    ax = draw_boundary(canvas.new_axes(), _margin_recording())
    [band] = [c for c in ax.collections if hasattr(c, "levels") and c.filled]
    assert list(band.levels) == [-0.5, 0.5] and list(band.hatches) == ["////"]
    assert band.get_zorder() < min(line.get_zorder() for line in ax.get_lines())
    hollow = [line for line in ax.get_lines() if line.get_markerfacecolor() == "none"]
    assert [line.get_label() for line in hollow] == ["misclassified (0)"]  # rings: red only
    legend = ax.get_legend()
    [entry] = [h for h, t in zip(legend.legend_handles, legend.get_texts(), strict=True)
               if t.get_text() == "inside the margin (2)"]  # fmt: skip
    assert entry.get_hatch() == "////"


def test_the_legend_says_why_tanh_margins_are_not_at_one_and_which_lines_are_missing():
    ax = draw_boundary(
        canvas.new_axes(), _margin_recording(margin_levels=np.array([-0.99, 0, 0.99]))
    )
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    [lines] = [text for text in texts if text.startswith("score")]
    assert lines == (
        "score -0.99 / 0 / +0.99\n(at 0.99, not 1: a tanh output never reaches 1)"
        "\n(no line at -0.99 / 0.99: no score reaches them)"
    )  # the synthetic scores, tanh(x - 0.2 y) on a small square, stay within +-0.99
    linear = draw_boundary(canvas.new_axes(), _margin_recording(output_kind="logit"))
    assert not any("tanh" in t.get_text() for t in linear.get_legend().get_texts())
