"""Where a loss pushes (recipes/report/forces.py): each point's force |d loss / d score|
against hand-computed values, the hardest 10%'s share, and forces.png and its numbers in a
shrunk run's folder."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_python, run_recipe

from recipes.components.losses import get_loss
from recipes.config.resolve import resolve_recipe
from recipes.report.forces import (
    SHARE_METRIC,
    ClassShare,
    class_shares,
    class_text,
    forces_figure,
    forces_summary,
    hardest_share,
    point_forces,
    share_text,
)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_the_hardest_share_of_equal_forces_is_their_count_share():
    assert hardest_share(np.ones(20)) == pytest.approx(0.1)
    assert hardest_share(np.ones(25)) == pytest.approx(3 / 25)  # ceil(2.5) points


def test_the_hardest_share_is_one_when_a_tenth_carries_everything():
    assert hardest_share(np.r_[5.0, 1.0, np.zeros(18)]) == pytest.approx(1.0)
    assert hardest_share(np.r_[3.0, 1.0, np.zeros(8)]) == pytest.approx(0.75)


def test_no_point_pushed_has_no_share():
    assert hardest_share(np.zeros(10)) is None


def test_hinge_on_a_tanh_output_pushes_through_the_tanh():
    """d/dz max(0, 1 - y tanh z) = -y (1 - tanh^2 z) inside the margin: a point at 0.999 is
    pushed 500 times less than one at 0 (with respect to the output both get -y)."""
    outputs = np.array([0.0, 0.5, 0.999, -0.5])
    y = np.array([1.0, 1.0, 1.0, 1.0])
    forces = point_forces(get_loss("hinge"), y, outputs, "tanh")
    np.testing.assert_allclose(forces, 1 - outputs**2, rtol=1e-4)  # float32 outputs
    np.testing.assert_allclose(point_forces(get_loss("hinge"), y, outputs, "logit"), 1.0)


def test_hinge_beyond_the_margin_is_not_pushed():
    forces = point_forces(get_loss("hinge"), np.array([1.0, -1.0]), np.array([1.5, -2.0]))
    np.testing.assert_array_equal(forces, [0.0, 0.0])


def test_bce_on_logits_pushes_every_point_by_sigmoid_minus_y():
    logits, y = np.array([-3.0, 0.0, 2.0, 6.0]), np.array([1.0, 0.0, 1.0, 1.0])
    forces = point_forces(get_loss("binary_crossentropy", {"from_logits": True}), y, logits)
    np.testing.assert_allclose(forces, np.abs(_sigmoid(logits) - y), rtol=1e-5)
    assert (forces > 0).all()  # never stops


def test_bce_on_a_probability_output_is_pushed_on_the_logit():
    """Through the sigmoid: d/dz BCE(y, sigmoid z) = sigmoid z - y, the same as on logits."""
    p, y = np.array([0.1, 0.5, 0.9]), np.array([1.0, 1.0, 0.0])
    forces = point_forces(get_loss("binary_crossentropy"), y, p, "probability")
    np.testing.assert_allclose(forces, np.abs(p - y), rtol=1e-4)


def test_softmax_cross_entropy_force_is_the_distance_to_the_one_hot_row():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    y = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    forces = point_forces(get_loss("categorical_crossentropy"), y, p, "softmax")
    np.testing.assert_allclose(forces, np.linalg.norm(p - y, axis=1), rtol=1e-4)


def test_a_groups_compiled_gradient_gives_the_op_by_op_forces():
    """The runs of a group trained together share one compiled gradient of their loss (JAX,
    the backend groups train on: in a fresh process, since in-process tests run on
    TensorFlow)."""
    code = (
        "import json, numpy as np\n"
        "from recipes.components.losses import get_loss\n"
        "from recipes.report.forces import compiled_gradient, point_forces\n"
        "cases = [('hinge', [1.0, -1.0, 1.0], [0.3, 0.2, 1.5], 'tanh'),\n"
        "         ('categorical_crossentropy', [[1.0, 0.0], [0.0, 1.0]],\n"
        "          [[0.7, 0.3], [0.6, 0.4]], 'softmax')]\n"
        "for name, y, outputs, kind in cases:\n"
        "    y, outputs, loss = np.array(y), np.array(outputs), get_loss(name)\n"
        "    expected = point_forces(loss, y, outputs, kind)\n"
        "    compiled = point_forces(loss, y, outputs, kind, compiled_gradient(loss))\n"
        "    print(json.dumps([expected.tolist(), compiled.tolist()]))\n"
    )
    result = run_python("-c", code, timeout=300, env={"KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()[-2:]
    for expected, compiled in (json.loads(line) for line in lines):
        np.testing.assert_allclose(compiled, expected, rtol=1e-6)
        assert (np.asarray(expected) > 0).any()


def test_focal_pushes_an_easy_point_far_less_than_bce():
    """An easy positive (logit 3): focal (gamma 2) weighs its push by about (1 - s)^2."""
    logits, y = np.array([3.0, -1.0]), np.array([1.0, 1.0])
    focal = point_forces(get_loss("focal", {"gamma": 2.0, "alpha": 0.75}), y, logits)
    bce = point_forces(get_loss("binary_crossentropy", {"from_logits": True}), y, logits)
    ratio = focal / bce
    assert ratio[0] < 0.01 and ratio[1] > 0.3


@pytest.mark.slow
def test_a_shrunk_hinge_run_writes_forces_and_the_hardest_share(tmp_path):
    from conftest import shrink_overrides

    recipe = resolve_recipe("hinge", shrink_overrides("hinge"))
    folder = run_recipe(recipe, tmp_path, verbose=0)
    assert (folder / "forces.png").stat().st_size > 10_000
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert 0.1 <= metrics[SHARE_METRIC] <= 1.0
    forces = record["forces"]
    assert forces["epochs"] == [1, 2] and len(forces["hardest_10pct_share_by_epoch"]) == 2
    assert forces["hardest_10pct_share"] == metrics[SHARE_METRIC]


def test_each_classs_share_of_the_force_is_read_against_its_share_of_the_points():
    """The circles' case: the inner circle, about half the points, carries nearly all the
    force, which the hardest 10% (a slice of the inner circle) showed as 19% at every epoch."""
    labels = np.r_[-np.ones(121), np.ones(129)]
    forces = np.r_[np.full(121, 0.0001), np.full(129, 0.01)]
    outer, inner = class_shares(forces, labels, [-1, 1])
    assert inner.label == 1 and inner.points == pytest.approx(129 / 250)
    assert inner.force == pytest.approx(1.29 / (1.29 + 0.0121))
    assert inner.ratio == pytest.approx(inner.force / inner.points) and outer.ratio < 0.05
    assert class_text([outer, inner], {1: "inner circle (+1)"}) == (
        "inner circle (+1), 52% of the points, carries 99% of the force"
    )
    assert class_shares(np.zeros(4), np.array([0, 0, 1, 1]), [0, 1]) is None
    # imbalanced: a minority pushed alike with the majority carries its count's share
    even = class_shares(np.ones(10), np.r_[np.zeros(8), np.ones(2)], [0, 1])
    assert [share.ratio for share in even] == pytest.approx([1.0, 1.0])


def test_the_hardest_share_is_written_against_an_even_spreads_ten_percent():
    assert share_text(0.19) == "hardest 10% carry 19% of the force (1.9× even)"
    assert share_text(None) == "no point pushed"


def _two_epoch_recording():
    from conftest import synthetic_recording

    features = np.array([[-1.0, 0.0], [1.0, 0.5], [0.1, -0.5], [-0.5, 0.5], [0.6, 0.1]])
    recording = synthetic_recording(
        lambda p: np.tanh(p[:, 0] - 0.2 * p[:, 1]), features, [-1, 1, 1, -1, 1],
        (-0.99, 0.0, 0.99),
    )  # fmt: skip
    forces = np.array([[0.01, 0.1, 0.1, 0.01, 0.1], [0.001, 0.01, 0.01, 0.001, 0.01]])
    return type(recording)(**{
        **recording.__dict__, "epochs": np.array([1, 2]),
        "grid_scores": np.repeat(recording.grid_scores, 2, axis=0),
        "point_scores": np.repeat(recording.point_scores, 2, axis=0), "point_forces": forces,
        "history": {"loss": np.array([0.5, 0.1])}, "class_names": {-1: "out", 1: "in"},
    })  # fmt: skip


def test_forces_png_draws_each_classs_share_and_the_mean_force_by_epoch():
    """The forces fall tenfold while every share stays: the shares' lines stay flat and the
    mean force's line, on its own log axis, falls."""
    recording = _two_epoch_recording()
    figure = forces_figure(recording, "test")
    final, share_ax = figure.axes[0], figure.axes[2]
    amount = next(ax for ax in figure.axes if ax.get_ylabel().startswith("mean force"))
    assert final.get_title() == "End of training: in, 60% of the points, carries 94% of the force"
    lines = {line.get_label(): line for line in share_ax.get_lines()}
    np.testing.assert_allclose(lines["in"].get_ydata(), [0.3 / 0.32, 0.03 / 0.032])
    dotted = [line for line in share_ax.get_lines() if line.get_linestyle() == ":"]
    assert sorted(line.get_ydata()[0] for line in dotted if len(line.get_ydata())) == [0.4, 0.6]
    [mean] = amount.get_lines()
    np.testing.assert_allclose(mean.get_ydata(), [0.064, 0.0064])
    assert amount.get_yscale() == "log" and share_ax.get_ylim() == (0, 1.02)
    legend = [text.get_text() for text in amount.get_legend().get_texts()]
    assert legend == ["out", "in", "dotted: the class's share of the points",
                      "mean force per point (right axis)"]  # fmt: skip
    captions = [ax.get_xlabel() for ax in figure.axes if ax.get_xlabel().startswith("epoch ")]
    assert captions == ["epoch 1: mean force 0.064\nin: 94% of it",
                        "epoch 2: mean force 0.0064\nin: 94% of it"]  # fmt: skip
    assert all("$" not in text.get_text() for ax in figure.axes for text in ax.get_yticklabels())


def test_run_json_forces_carry_each_classs_share_and_old_records_still_read():
    from recipes.records import Forces

    summary = forces_summary(_two_epoch_recording())
    record = Forces.model_validate(summary)
    [outer, inner] = record.class_shares
    assert (inner.label, inner.points) == (1, pytest.approx(0.6))
    assert inner.force == pytest.approx(0.03 / 0.032)
    old = {key: value for key, value in summary.items() if key != "class_shares"}
    assert Forces.model_validate(old).class_shares is None
    assert isinstance(ClassShare(1, 0.5, 0.25).ratio, float)
