"""The sweep comparison's figures as data: accuracy bars whose whiskers stay within 0-100%
with their values beyond them, and curves of many runs drawn as a median and a band."""

from __future__ import annotations

import numpy as np

from recipes.report.comparison_figures import (
    THIN_RUNS_SHOWN,
    clipped_error,
    plot_epoch_curves,
    plot_metric_bars,
)


def test_error_bars_stop_at_zero_and_one_hundred_percent():
    error = clipped_error(np.array([93.9, 2.0, 50.0]), np.array([16.0, 5.0, 10.0]))
    np.testing.assert_allclose(error, [[16.0, 2.0, 10.0], [6.1, 5.0, 10.0]])


def test_bar_whiskers_stay_within_the_axis_and_values_sit_beyond_them():
    ax = plot_metric_bars(
        ["hinge", "squared_hinge"],
        {"train": [0.939, 0.929], "test": [0.938, 0.928]},
        errors={"train": [0.16, 0.17], "test": [0.16, 0.18]},
    )
    whiskers = [
        segment
        for collection in ax.collections
        for segment in collection.get_segments()
        if len(segment) == 2
    ]
    ends = np.array([point[0] for segment in whiskers for point in segment])
    assert len(whiskers) == 4 and ends.max() <= 100 + 1e-9 and ends.min() >= 0
    for text in ax.texts:  # each value written right of its whisker's end, at 100%
        assert text.get_position()[0] > 100
    assert ax.get_xlim()[1] >= 110  # the labels have room


def test_a_hundred_runs_draw_a_median_and_a_band_per_group_not_a_hundred_lines():
    rng = np.random.default_rng(0)
    curves, colours, legend = {}, {}, {}
    for group, colour in (("hinge", "C0"), ("squared_hinge", "C1")):
        for seed in range(50):
            label = f"{group}, seed={seed}"
            collapsed = seed % 7 == 0  # a run that never learns: far from the median
            curves[label] = list((1.0 if collapsed else 0.1) + 0.01 * rng.random(30))
            colours[label], legend[label] = colour, group
    ax = plot_epoch_curves(curves, ylabel="validation loss", percent=False, colors=colours,
                           legend_labels=legend)  # fmt: skip
    texts = [text.get_text() for text in ax.get_legend().get_texts()]
    assert texts == [
        "hinge: middle half of the runs", "hinge: median of 50 runs",
        "squared_hinge: middle half of the runs", "squared_hinge: median of 50 runs",
    ]  # fmt: skip
    assert len(ax.get_lines()) == 2 * (1 + THIN_RUNS_SHOWN)
    thin = [line for line in ax.get_lines() if line.get_linewidth() < 1]
    assert all(line.get_ydata()[-1] > 0.9 for line in thin)  # the collapsed runs, not any
    median = [line for line in ax.get_lines() if line.get_label().startswith("hinge: median")]
    assert median[0].get_ydata()[-1] < 0.2
    ticks = [tick for tick in ax.get_xticks() if 1 <= tick <= 30]
    assert 3 <= len(ticks) <= 11 and all(float(tick).is_integer() for tick in ticks)


def test_a_few_runs_per_group_stay_lines_and_short_runs_tick_every_epoch():
    curves = {"a": [0.1, 0.2, 0.3], "b": [0.2, 0.3, 0.4]}
    ax = plot_epoch_curves(
        curves, legend_labels={"a": "x", "b": "x"}, colors={"a": "C0", "b": "C0"}
    )
    assert len(ax.get_lines()) == 2 and not ax.collections
    assert [tick for tick in ax.get_xticks() if 1 <= tick <= 3] == [1, 2, 3]


def test_loss_curves_on_a_log_axis_keep_the_late_small_losses_apart():
    curves = {"hinge": [0.5, 0.01, 1e-4], "squared_hinge": [0.4, 0.02, 1e-3]}
    ax = plot_epoch_curves(curves, ylabel="validation loss", percent=False, log_scale=True)
    assert ax.get_yscale() == "log"
    assert plot_epoch_curves(curves, percent=True).get_yscale() == "linear"
    assert ax.get_ylabel() == "validation loss (log scale)"
    negative = plot_epoch_curves({"cosine": [-0.2, -0.9]}, percent=False, log_scale=True)
    assert negative.get_yscale() == "linear"  # as loss.png: a log axis cannot show it
