"""The animation's figure as data: a legend a person reads at the animation's size, kept off
the loss panel, and an epoch marker that is not the misclassified points' red ring."""

from __future__ import annotations

import numpy as np
from conftest import synthetic_recording

from recipes.report import evolution
from recipes.report.regions import COSTING_COLOUR


def _recording():
    features = np.array([[-1.0, 0.0], [1.0, 0.5], [0.1, -0.5], [-0.5, 0.5], [0.02, 0.0]])
    return synthetic_recording(
        lambda p: np.tanh(p[:, 0] - 0.2 * p[:, 1]), features, [-1, 1, 1, -1, 1],
        (-0.99, 0.0, 0.99), history={"loss": np.array([0.5])},
    )  # fmt: skip


def _animation_figure(recording):
    sheet = evolution.plot_boundary_epochs(recording, "test", dpi=120)
    [panel] = evolution.sheet_panels(sheet, 1)
    return evolution.animation_figure(panel.shape, sheet.axes[0], recording, "test"), panel


def test_the_animations_legend_is_readable_and_clear_of_the_loss_panel():
    recording = _recording()
    drawn, panel = _animation_figure(recording)
    figure = drawn.figure
    [legend] = figure.legends
    pixels_per_point = figure.dpi / 72
    sizes = [text.get_fontsize() * pixels_per_point for text in legend.get_texts()]
    assert min(sizes) >= 11  # it was 7 points at 80 dpi: letters about 7 pixels high
    assert drawn.text.get_fontsize() * pixels_per_point >= 11  # the caption
    texts = [text.get_text() for text in legend.get_texts()]
    assert any("a tanh output never reaches 1" in text for text in texts)
    assert not any("nowhere" in text for text in texts)
    renderer = figure.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    loss = drawn.loss_ax.get_tightbbox(renderer)
    assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= figure.bbox.x1  # inside the frame
    assert box.x1 <= loss.x0 or box.y0 >= loss.y1  # never under the loss panel's ticks
    assert box.y1 <= figure.bbox.y1 - drawn.top - panel.shape[0]  # below the boundary


def test_the_epoch_marker_is_not_the_misclassified_ring():
    drawn, _ = _animation_figure(_recording())
    marker = drawn.marker
    assert marker.get_marker() != "o" and marker.get_markerfacecolor() not in ("none", "None")
    assert marker.get_markeredgecolor() != COSTING_COLOUR
    texts = [text.get_text() for text in drawn.loss_ax.get_legend().get_texts()]
    assert "this frame's epoch" in texts


def test_each_frame_moves_the_marker_to_its_epoch():
    recording = _recording()
    sheet = evolution.plot_boundary_epochs(recording, "test", dpi=60)
    frames = evolution.animation_frames(sheet, recording, "test")
    assert len(frames) == 1 and frames[0].ndim == 3
