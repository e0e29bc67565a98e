"""The loss gallery: published values of the tutorials, curve points against hand-computed
numbers, the run folder, readable figures; in process (default backend) and on JAX (CLI)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import read_csv, run_recipe

from recipes.components.losses import LOSSES
from recipes.config.resolve import resolve_recipe
from recipes.paths import CONFIG_DIR
from recipes.studies.loss_gallery.curves import derivative_curves, loss_derivative
from recipes.training.door import run_point

GALLERY_FILES = {
    "config.yaml",
    "run.json",
    "regression_losses.png",
    "classification_losses.png",
    "curves.csv",
    "derivatives.csv",
    "loss_derivatives.png",
    "examples.csv",
    "report.md",
}

# Published values, as printed (decimals = the digits printed after the point).
PUBLISHED = {
    "bce_on_sigmoid": (0.0184, 4),  # 001: nn.BCELoss(sigmoid(y_pred), y_true)
    "bce_on_logits": (0.0184, 4),  # 001: nn.BCEWithLogitsLoss
    "categorical_ce_on_logits": (0.5493, 4),  # 001: nn.CrossEntropyLoss == LogSoftmax + NLL
    "kl_divergence_from_one_hot": (0.5493, 4),  # 001: nn.KLDivLoss(batchmean)
    "kl_003_a": (0.07447962, 8),  # 003: D_a
    "kl_003_d": (0.12555622, 8),  # 003: D_d
    "bce_easy": (0.1054, 4),  # 001: BCE beside the focal loss
    "bce_hard": (0.6931, 4),
}
if "focal" in LOSSES:
    PUBLISHED |= {"focal_easy": (0.0005, 4), "focal_hard": (0.0866, 4)}
if "symmetric_crossentropy" in LOSSES:
    PUBLISHED |= {"sce_ratio_clean": (8.2502, 4), "sce_ratio_noisy": (4.5786, 4)}

# float32 results of a float32 computation: the 8-digit values agree to ~1e-7, not to 5e-9.
FLOAT32_SLACK = 1e-7


def _examples(folder: Path) -> dict[str, dict[str, str]]:
    return {row["example"]: row for row in read_csv(folder / "examples.csv")}


def _curves(folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    rows: dict[str, list[tuple[float, float, float]]] = {}
    for row in read_csv(folder / "curves.csv"):
        rows.setdefault(row["loss"], []).append(
            (float(row["prediction"]), float(row["value"]), float(row["target"]))
        )
    return {
        name: (np.array([r[0] for r in rs]), np.array([r[1] for r in rs]), rs[0][2])
        for name, rs in rows.items()
    }


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# Each curve by hand, in float64 NumPy (target y, prediction p).
HAND = {
    "l1": lambda p, y: np.abs(y - p),
    "l2": lambda p, y: (y - p) ** 2,
    "pseudo_huber_delta_0.25": lambda p, y: 0.25**2 * (np.sqrt(1 + ((y - p) / 0.25) ** 2) - 1),
    "pseudo_huber_delta_5": lambda p, y: 5.0**2 * (np.sqrt(1 + ((y - p) / 5.0) ** 2) - 1),
    "huber_delta_1": lambda p, y: np.where(
        np.abs(y - p) <= 1, 0.5 * (y - p) ** 2, np.abs(y - p) - 0.5
    ),
    "log_cosh": lambda p, y: np.log(np.cosh(p - y)),
    "hinge": lambda p, y: np.maximum(0, 1 - y * p),
    "squared_hinge": lambda p, y: np.maximum(0, 1 - y * p) ** 2,
    "sigmoid_crossentropy": lambda p, y: np.log1p(np.exp(-p)),  # y = 1
    "weighted_sigmoid_crossentropy_pos_weight_0.5": lambda p, y: 0.5 * np.log1p(np.exp(-p)),
    "focal_logits": lambda p, y: 0.75 * (1 - _sigmoid(p)) ** 2 * np.log1p(np.exp(-p)),
    "crossentropy_probability": lambda p, y: -np.log(p),  # y = 1
}

# A few points worked out on paper (prediction, value).
HAND_POINTS = {
    "l1": [(-1.0, 1.0), (1.0, 1.0)],
    "l2": [(-1.0, 1.0), (1.0, 1.0)],
    "pseudo_huber_delta_0.25": [(-1.0, 0.0625 * (math.sqrt(17) - 1))],  # 0.19519410
    "pseudo_huber_delta_5": [(1.0, 25 * (math.sqrt(1.04) - 1))],  # 0.49509757
    "huber_delta_1": [(1.0, 0.5)],
    "log_cosh": [(1.0, 0.43378083)],
    "hinge": [(-3.0, 4.0), (5.0, 0.0)],
    "squared_hinge": [(-3.0, 16.0), (5.0, 0.0)],
    "sigmoid_crossentropy": [(-3.0, 3.04858735), (5.0, 0.00671535)],
    "weighted_sigmoid_crossentropy_pos_weight_0.5": [(-3.0, 1.52429368)],
    "focal_logits": [(-3.0, 2.07471033)],
    "crossentropy_probability": [(0.0707070707, 2.64920970)],
}


@pytest.fixture(scope="module")
def gallery_run(tmp_path_factory) -> Path:
    return run_recipe(resolve_recipe("loss_gallery"), tmp_path_factory.mktemp("out"))


def test_config_is_a_gallery_delta_with_a_run_comment():
    text = (CONFIG_DIR / "loss_gallery.yaml").read_text()
    assert text.startswith("# run: make loss_gallery")
    config = resolve_recipe("loss_gallery").config
    assert config.task == "loss_gallery" and config.loss is None and config.data is None


def test_run_folder_and_run_json(gallery_run):
    assert gallery_run.parent.name == "loss_gallery"
    assert {p.name for p in gallery_run.iterdir()} == GALLERY_FILES  # no temporary leftovers
    record = json.loads((gallery_run / "run.json").read_text())
    assert record["status"] == "completed" and record["task"] == "loss_gallery"
    assert record["backend"] in ("tensorflow", "jax", "torch")
    assert {"keras", "numpy"} <= set(record["versions"])
    assert record["durations_s"]["total"] > 0 and record["started_at"] <= record["ended_at"]
    assert record["gallery"]["mismatched"] == []


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_values_to_the_printed_precision(gallery_run, name):
    published, decimals = PUBLISHED[name]
    row = _examples(gallery_run)[name]
    computed = float(row["computed"])
    assert float(row["published"]) == published
    assert abs(computed - published) <= 0.5 * 10**-decimals + FLOAT32_SLACK, computed
    if decimals == 4:  # float32 noise is far below the 4th digit: rounding must agree exactly
        assert round(computed, 4) == published
    assert row["match"] == "True"


def test_every_example_row_matches(gallery_run):
    rows = _examples(gallery_run)
    assert set(PUBLISHED) <= set(rows)
    assert {name for name, row in rows.items() if row["match"] != "True"} == set()


def test_softmax_cross_entropy_of_002_against_a_hand_computed_value(gallery_run):
    # -sum(t * log_softmax(z)) for z = [1, -3, 10], t = [0.1, 0.02, 0.88]
    logsumexp = 10 + math.log(1 + math.exp(-9) + math.exp(-13))
    expected = 0.1 * (logsumexp - 1) + 0.02 * (logsumexp + 3) + 0.88 * (logsumexp - 10)
    row = _examples(gallery_run)["softmax_ce_002"]
    assert row["published"] == ""  # 002 prints no number
    assert abs(float(row["reference"]) - expected) < 1e-12
    assert abs(float(row["computed"]) - expected) < 1e-6


def test_kl_examples_of_003_are_keras_clipped_values_not_the_textbook_formula(gallery_run):
    rows = _examples(gallery_run)
    for name, q_true_class in (("kl_003_a", 0.92822515), ("kl_003_d", 0.88200493)):
        published = PUBLISHED[name][0]
        textbook = -math.log(q_true_class)  # sum p log(p / q) with 0 log 0 = 0
        assert abs(textbook - published) > 1e-6  # the published value is not this one ...
        assert abs(float(rows[name]["computed"]) - published) <= 1e-7  # ... but Keras' is
        assert f"{textbook:.8f}" in rows[name]["note"]


def test_curves_have_every_point_and_only_defined_ones(gallery_run):
    curves = _curves(gallery_run)
    expected = set(HAND) - (set() if "focal" in LOSSES else {"focal_logits"})
    assert set(curves) == expected
    for name, (predictions, values, _) in curves.items():
        assert np.isfinite(values).all(), name
        if name == "crossentropy_probability":
            assert len(predictions) == 12  # the grid points with 0 < p < 1
            assert ((predictions > 0) & (predictions < 1)).all()
        else:
            assert len(predictions) == 100, name
    assert curves["l1"][0][[0, -1]].tolist() == [-1.0, 1.0] and curves["l1"][2] == 0.0
    assert curves["hinge"][0][[0, -1]].tolist() == [-3.0, 5.0] and curves["hinge"][2] == 1.0


def _check_curves_against_hand(folder: Path) -> None:
    curves = _curves(folder)
    for name, (predictions, values, target) in curves.items():
        expected = HAND[name](predictions, target)
        np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-6, err_msg=name)
        for prediction, value in HAND_POINTS[name]:
            index = int(np.argmin(np.abs(predictions - prediction)))
            assert abs(predictions[index] - prediction) < 1e-9, (name, prediction)
            assert values[index] == pytest.approx(value, rel=1e-5, abs=1e-6), (name, prediction)


def test_curve_values_against_hand_computed_ones(gallery_run):
    _check_curves_against_hand(gallery_run)


def test_report_lists_figures_and_every_example(gallery_run):
    report = (gallery_run / "report.md").read_text()
    assert "![regression losses](regression_losses.png)" in report
    assert "![classification losses](classification_losses.png)" in report
    for name in _examples(gallery_run):
        assert f"| {name} |" in report
    # code names stay code: no backslash-escaped backticks of a code span turned into text
    assert "\\`" not in report and "| `hinge` |" in report
    for line in report.splitlines():  # table rows keep their column count (| escaped)
        if line.startswith(("| figure |", "| example |", "| loss |")):
            columns = line.count(" | ")
        elif line.startswith("| ") and not line.startswith("|---"):
            assert line.replace("\\|", "").count(" | ") == columns, line


def _legend_overlaps(ax) -> list[str]:
    """Labels of lines with a visible point (sampled densely along each segment) under the
    legend box."""
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent().shrunk(0.99, 0.98)
    axes_box = ax.get_window_extent()
    hidden = []
    for line in ax.get_lines():
        points = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
        dense = []
        for start, end in zip(points[:-1], points[1:], strict=True):
            if np.isfinite(start).all() and np.isfinite(end).all():
                dense.append(start + np.linspace(0, 1, 30)[:, None] * (end - start))
        if not dense:
            continue
        dense = np.concatenate(dense)
        visible = (
            (dense[:, 1] >= axes_box.y0)
            & (dense[:, 1] <= axes_box.y1)
            & (dense[:, 0] >= axes_box.x0)
            & (dense[:, 0] <= axes_box.x1)
        )
        inside = (
            (dense[:, 0] > box.x0)
            & (dense[:, 0] < box.x1)
            & (dense[:, 1] > box.y0)
            & (dense[:, 1] < box.y1)
        )
        if (visible & inside).any():
            hidden.append(line.get_label())
    return hidden


def test_figures_keep_legends_off_the_curves_and_skip_undefined_points():
    import matplotlib.pyplot as plt

    from recipes.studies.loss_gallery import curves, figures

    drawn = figures.gallery_figures(
        curves.regression_curves(), curves.classification_curves(), [], "test", dpi=60
    )
    assert list(drawn) == [figures.REGRESSION_FIGURE, figures.CLASSIFICATION_FIGURE]
    regression, classification = drawn.values()
    try:
        for ax in (regression, classification):
            assert _legend_overlaps(ax) == []
            assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        probability = [
            line for line in classification.get_lines() if "cross-entropy on p" in line.get_label()
        ]
        assert len(probability) == 1
        x, y = probability[0].get_xdata(), probability[0].get_ydata()
        drawn = np.isfinite(y)
        assert drawn.sum() == 12 and ((x[drawn] > 0) & (x[drawn] < 1)).all()
        squared = [
            line for line in classification.get_lines() if line.get_label() == "squared hinge"
        ]
        assert classification.get_ylim()[1] < 16  # clipped, and said so in an annotation
        assert any("up to 16" in text.get_text() for text in classification.texts)
        assert len(squared) == 1
    finally:
        plt.close(regression.figure)
        plt.close(classification.figure)


def test_figure_files_are_real_images(gallery_run):
    import matplotlib.image

    for name in ("regression_losses.png", "classification_losses.png"):
        image = matplotlib.image.imread(gallery_run / name)
        assert image.shape[0] > 400 and image.shape[1] > 600, name


def test_pseudo_huber_is_a_trainable_serializable_registry_loss():
    import keras

    from recipes.components.losses import get_loss
    from recipes.config.resolve import validate_config
    from recipes.errors import RecipeError

    loss = get_loss("pseudo_huber", {"delta": 2.0})
    y_true = np.array([0.0, 1.0, -2.0], dtype="float32")
    y_pred = np.array([[0.5], [1.0], [3.0]], dtype="float32")  # (N,) against (N, 1)
    expected = np.mean(4.0 * (np.sqrt(1 + ((y_true - y_pred[:, 0]) / 2.0) ** 2) - 1))
    assert float(loss(y_true, y_pred)) == pytest.approx(expected, rel=1e-6)
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert restored.get_config()["delta"] == 2.0
    assert float(restored(y_true, y_pred)) == pytest.approx(expected, rel=1e-6)
    with pytest.raises(RecipeError, match="loss.delta"):
        validate_config({"loss": {"name": "pseudo_huber", "delta": 0}}, default_source="x.yaml")


def test_a_failure_marks_the_run_failed(tmp_path, monkeypatch):
    from recipes.studies.loss_gallery import examples

    def broken():
        raise RuntimeError("no examples today")

    monkeypatch.setattr(examples, "worked_examples", broken)
    outcome = run_point(resolve_recipe("loss_gallery"), tmp_path)
    assert outcome.status == "failed" and outcome.exit_status == 1
    assert outcome.message.startswith("error: the run failed: RuntimeError: no examples today")
    record = json.loads((outcome.run_folder / "run.json").read_text())
    assert record["status"] == "failed" and "no examples today" in record["reason"]
    assert "no examples today" in (outcome.run_folder / "traceback.txt").read_text()


def test_command_line_on_jax_matches_the_published_and_hand_values(jax_cli, tmp_path, gallery_run):
    result = jax_cli.run("run", "loss_gallery", "--backend", "jax", "--output-root", str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    folder = Path(result.stdout.strip().splitlines()[-1])
    assert folder.parent == tmp_path / "loss_gallery"
    assert {p.name for p in folder.iterdir()} == GALLERY_FILES
    assert json.loads((folder / "run.json").read_text())["backend"] == "jax"
    rows = _examples(folder)
    for name, (published, decimals) in PUBLISHED.items():
        computed = float(rows[name]["computed"])
        assert abs(computed - published) <= 0.5 * 10**-decimals + FLOAT32_SLACK, (name, computed)
    assert all(row["match"] == "True" for row in rows.values())
    _check_curves_against_hand(folder)
    # Same numbers as the default backend, up to float32 rounding.
    here, there = _curves(gallery_run), _curves(folder)
    assert set(here) == set(there)
    for name in here:
        np.testing.assert_allclose(there[name][1], here[name][1], rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------- derivatives (how hard it pushes)

# Scores away from the kinks (hinge's margin y p = 1 at p = 1 and p = -1), where autodiff picks
# a side.
SCORES = np.array([-2.5, -1.3, -0.3, 0.0, 0.4, 0.9, 1.2, 2.0, 3.5])


@pytest.mark.parametrize("y", [1.0, -1.0])
def test_hinge_derivative_is_minus_y_inside_the_margin_else_zero(y):
    _, derivative = loss_derivative("hinge", {}, SCORES, y)
    np.testing.assert_allclose(derivative, np.where(y * SCORES < 1, -y, 0.0), atol=1e-6)


@pytest.mark.parametrize("y", [1.0, -1.0])
def test_squared_hinge_derivative_is_minus_2y_times_the_shortfall(y):
    _, derivative = loss_derivative("squared_hinge", {}, SCORES, y)
    hand = np.where(y * SCORES < 1, -2 * y * (1 - y * SCORES), 0.0)
    np.testing.assert_allclose(derivative, hand, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("y", [1.0, 0.0])
def test_bce_on_logits_derivative_is_sigmoid_minus_y(y):
    _, derivative = loss_derivative("binary_crossentropy", {"from_logits": True}, SCORES, y)
    np.testing.assert_allclose(derivative, _sigmoid(SCORES) - y, rtol=1e-5, atol=1e-6)


def test_focal_derivative_at_one_point_by_hand():
    """y = 1, p = 0, s = sigmoid(0) = 1/2, gamma 2, alpha 0.75: L = -alpha (1 - s)^2 log s and
    ds/dp = s (1 - s), so dL/dp = alpha (gamma s (1 - s)^gamma log s - (1 - s)^(gamma + 1))
    = 0.75 (2 * 1/2 * 1/4 * log(1/2) - 1/8) = 0.75 (-0.1732868 - 0.125) = -0.2237151."""
    params = {"gamma": 2.0, "alpha": 0.75, "from_logits": True}
    _, derivative = loss_derivative("focal", params, np.array([0.0]), 1.0)
    assert derivative[0] == pytest.approx(0.75 * (0.25 * math.log(0.5) - 0.125), rel=1e-5)
    assert derivative[0] == pytest.approx(-0.2237151, rel=1e-5)


def test_the_gallery_draws_a_users_loss_given_by_set(tmp_path, monkeypatch):
    (tmp_path / "mine.py").write_text(
        "import keras\n\n\ndef doubled_hinge(y_true, y_pred):\n"
        "    return 2.0 * keras.ops.mean(keras.ops.maximum(0.0, 1.0 - y_true * y_pred), axis=-1)\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    override = 'gallery.losses=[hinge, {name: "mine.py:doubled_hinge", labels: plus_minus_one}]'
    losses = resolve_recipe("loss_gallery", [override]).config.gallery.losses
    hinge, mine = derivative_curves(losses, points=8)  # no point on the kink at p = 1
    assert (hinge.name, mine.name) == ("hinge", "mine.py:doubled_hinge")
    np.testing.assert_allclose(mine.derivatives, 2 * hinge.derivatives, atol=1e-6)
    np.testing.assert_allclose(mine.values, 2 * hinge.values, atol=1e-6)


def test_the_gallery_run_writes_each_given_losss_derivative(gallery_run):
    rows = read_csv(gallery_run / "derivatives.csv")
    names = list(dict.fromkeys(row["loss"] for row in rows))
    assert names[:2] == ["hinge", "squared_hinge"] and len(names) == 4
    hinge = {float(r["score"]): float(r["derivative"]) for r in rows if r["loss"] == "hinge"}
    assert hinge[-2.0] == -1.0 and hinge[2.0] == 0.0
    report = (gallery_run / "report.md").read_text(encoding="utf-8")
    assert "![losses and their derivatives](loss_derivatives.png)" in report
