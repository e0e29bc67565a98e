"""Sweeps (recipes.sweep) and their comparison outputs (recipes.compare).

Fast: grid parsing and validation, a sweep whose runs are stand-in processes (one fails), and
one real shrunken MNIST sweep (2 losses, 1 epoch, a small mnist.npz through the keras source).
Slow: the full mnist_losses sweep on the default data.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from recipes.errors import RecipeError
from recipes.report.comparison import ComparisonSpec, write_comparison
from recipes.report.comparison_figures import coinciding_curves
from recipes.sweeps.driver import run_sweep
from recipes.sweeps.grid import (
    build_axes,
    grid_from_options,
    parse_grid_option,
    plan_sweep,
    split_label,
    value_label,
    yaml_value,
)
from recipes.sweeps.records import load_sweep


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


# ------------------------------------------------------------------------------------ the grid


def test_grid_values_are_yaml():
    assert parse_grid_option("loss=mse,bce") == ("loss", ["mse", "bce"])
    assert parse_grid_option("seed=0,1,2") == ("seed", [0, 1, 2])
    assert parse_grid_option("optimizer.learning_rate=0.1,1.0e-3") == (
        "optimizer.learning_rate",
        [0.1, 0.001],
    )
    assert parse_grid_option("loss={name: binary_crossentropy, from_logits: true},mse") == (
        "loss",
        [{"name": "binary_crossentropy", "from_logits": True}, "mse"],
    )
    assert parse_grid_option("model.hidden_units=[8],[16, 16]") == (
        "model.hidden_units",
        [[8], [16, 16]],
    )


@pytest.mark.parametrize("text", ["loss", "loss=", "=mse", "loss=mse,,bce", "loss=[mse"])
def test_malformed_grid_options_are_errors(text):
    with pytest.raises(RecipeError, match="--grid"):
        grid_from_options([text])


def test_a_grid_key_given_twice_is_an_error():
    with pytest.raises(RecipeError, match="--grid seed is given twice"):
        grid_from_options(["seed=0,1", "seed=2"])


@pytest.mark.parametrize(
    "value",
    ["mse", "yes", "1.0", 0, 1e-05, 0.15, True, None, [784, 784], {"name": "bce", "x": True}],
)
def test_values_reach_the_run_unchanged(value):
    assert yaml.safe_load(yaml_value(value)) == value


def test_labels():
    assert value_label("mse") == "mse"
    assert value_label(3) == "3"
    assert value_label({"name": "binary_crossentropy", "from_logits": True}) == (
        "binary_crossentropy(from_logits=true)"
    )
    assert split_label({"name": "mse", "label": "MSE"}) == ("mse", "MSE")
    assert split_label({"name": "bce", "from_logits": True, "label": "BCE logits"}) == (
        {"name": "bce", "from_logits": True},
        "BCE logits",
    )


def test_command_line_grid_keys_replace_the_configs():
    axes = build_axes({"loss": ["a", "b"], "seed": [0]}, {"seed": [1, 2]}, "configs/x.yaml")
    assert [(a.key, a.values, a.source) for a in axes] == [
        ("loss", ["a", "b"], "configs/x.yaml: grid"),
        ("seed", [1, 2], "--grid"),
    ]
    with pytest.raises(RecipeError, match="appear more than once"):
        build_axes({"loss": ["mse", {"name": "mse", "label": "mse"}]}, {}, "configs/x.yaml")
    with pytest.raises(RecipeError, match="non-empty list"):
        build_axes({"loss": []}, {}, "configs/x.yaml")


def test_plan_is_the_product_grid_first_then_set():
    base, axes, points = plan_sweep(
        "mnist_losses",
        {"loss": ["categorical_crossentropy", "binary_crossentropy"], "seed": [0, 1]},
        ["loss.label_smoothing=0.1", "train.epochs=2"],
    )
    resolved = [point.recipe for point in points]
    assert [p.labels for p in points] == [
        {"loss": "categorical_crossentropy", "seed": "0"},
        {"loss": "categorical_crossentropy", "seed": "1"},
        {"loss": "binary_crossentropy", "seed": "0"},
        {"loss": "binary_crossentropy", "seed": "1"},
    ]
    assert [r.config.seed for r in resolved] == [0, 1, 0, 1]
    assert all(r.config.loss.params["label_smoothing"] == 0.1 for r in resolved)
    assert all(r.config.train.epochs == 2 for r in resolved)
    assert points[0].overrides == [
        "loss=categorical_crossentropy",
        "seed=0",
        "grid={}",
        "loss.label_smoothing=0.1",
        "train.epochs=2",
    ]


def test_every_value_is_validated_before_anything_runs():
    with pytest.raises(RecipeError) as caught:
        plan_sweep("mnist_losses", {"loss": ["mse", "not_a_loss", "log_cosh"], "seed": [0, 1]})
    lines = str(caught.value).splitlines()
    assert lines == [
        lines[0]
    ]  # one problem, reported once although two combinations (seeds) show it
    assert lines[0].startswith("sweep value loss=not_a_loss: --grid: loss.name: unknown loss")


def test_set_and_grid_on_the_same_key_clash():
    with pytest.raises(RecipeError, match="--set loss=... clashes with the grid's loss"):
        plan_sweep("mnist_losses", None, ["loss=mse"])


def test_nothing_to_sweep_is_an_error():
    with pytest.raises(RecipeError, match="nothing to sweep"):
        plan_sweep("mnist_losses", None, ["grid={}"])


def test_broken_grid_on_the_command_line_exits_2_before_training(cli, tmp_path):
    arguments = "sweep mnist_losses --grid loss=mse,categorical_crossentropy,no_such_loss".split()
    result = cli(*arguments, "--output-root", str(tmp_path / "out"), timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: sweep value loss=no_such_loss: --grid: loss.name:")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()  # no sweep folder, no run folders


# ------------------------------------------------------- a sweep of stand-in runs (no Keras)


def test_a_failed_run_is_recorded_and_the_others_go_on(stand_in_runs, tmp_path):
    progress = io.StringIO()
    sweep = run_sweep(
        "hinge",
        {"loss": ["hinge", "log_cosh", "squared_hinge"], "seed": [0, 1]},
        output_root=tmp_path,
        jobs=2,
        progress=progress,
    )
    lines = progress.getvalue().splitlines()
    assert lines[0].startswith("sweep hinge: 6 runs over loss (3) x seed (2), 2 at a time")
    assert "[3/6] loss=log_cosh, seed=0: failed: loss became nan at epoch 1" in progress.getvalue()
    assert sweep.folder.parent == tmp_path / "sweeps"
    assert sweep.folder.name.startswith("hinge-")
    statuses = [(r.point.label, r.status) for r in sweep.runs]
    assert statuses == [
        ("loss=hinge, seed=0", "completed"),
        ("loss=hinge, seed=1", "completed"),
        ("loss=log_cosh, seed=0", "failed"),
        ("loss=log_cosh, seed=1", "failed"),
        ("loss=squared_hinge, seed=0", "completed"),
        ("loss=squared_hinge, seed=1", "completed"),
    ]
    failed = sweep.runs[2]
    assert failed.reason == "loss became nan at epoch 1, batch 3"
    assert failed.exit_status == 1 and failed.folder == tmp_path / "hinge" / "log_cosh-0"

    rows = read_csv(sweep.folder / "summary.csv")
    assert [row["loss"] for row in rows] == ["hinge"] * 2 + ["log_cosh"] * 2 + ["squared_hinge"] * 2
    assert rows[0]["test_sign_accuracy"] == "0.88" and rows[0]["fit_s"] == "1.25"
    assert rows[2]["status"] == "failed" and "nan" in rows[2]["reason"]
    summary = (sweep.folder / "summary.md").read_text(encoding="utf-8")
    assert "4/6 runs completed" in summary and "| loss | seed | status |" in summary

    record = json.loads((sweep.folder / "sweep.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed"  # not every run completed
    assert [run["status"] for run in record["runs"]].count("failed") == 2
    assert (sweep.folder / record["runs"][0]["log"]).read_text().startswith("$ ")

    # The generic comparison (hinge has no registered one) uses the recipe's first metric.
    comparison = read_csv(sweep.folder / "comparison.csv")
    assert comparison[1]["train_accuracy"] == "0.91" and comparison[1]["test_accuracy"] == "0.89"
    assert comparison[2]["train_accuracy"] == ""
    for name in ("comparison.md", "accuracy.png", "curves.png"):
        assert (sweep.folder / name).stat().st_size > 0

    # A later recipe's comparison: mean and spread over seeds per loss, from the same folder.
    reloaded = load_sweep(sweep.folder)
    assert [r.status for r in reloaded.runs] == [r.status for r in sweep.runs]
    written = write_comparison(
        reloaded, ComparisonSpec(metric="sign_accuracy", group_by=["loss"], title="hinge")
    )
    assert {path.name for path in written} == {
        "comparison.csv",
        "comparison.md",
        "accuracy.png",
        "curves.png",
    }
    text = (sweep.folder / "comparison.md").read_text(encoding="utf-8")
    assert "Mean and standard deviation per loss:" in text
    assert "| hinge | 2 | 90.50% | 0.71% |" in text


def test_coinciding_curves_are_found():
    curves = {"a": [0.1, 0.5], "b": [0.1, 0.5004], "c": [0.1, 0.6]}
    assert coinciding_curves(curves) == {"a": ["a", "b"], "c": ["c"]}


# ------------------------------------------------------------------- a real shrunken sweep


def test_shrunken_mnist_sweep_on_the_keras_source(jax_cli, tmp_path):
    """2 losses, 1 epoch, 300/100 digits from a small mnist.npz in $KERAS_HOME (never the
    network), 2 runs at once: run folders, summary, comparison table and figures."""
    rng = np.random.default_rng(0)
    keras_home = tmp_path / "keras_home"
    (keras_home / "datasets").mkdir(parents=True)
    np.savez(
        keras_home / "datasets" / "mnist.npz",
        x_train=rng.integers(0, 256, (300, 28, 28), dtype=np.uint8),
        y_train=(np.arange(300) % 10).astype(np.uint8),
        x_test=rng.integers(0, 256, (100, 28, 28), dtype=np.uint8),
        y_test=(np.arange(100) % 10).astype(np.uint8),
    )
    out = tmp_path / "out"
    arguments = (
        "sweep mnist_losses --grid loss=categorical_crossentropy,cosine_similarity "
        "--set data.source=keras --set train.epochs=1 --jobs 2"
    ).split()
    arguments += ["--output-root", str(out)]
    # the driver in the session's JAX process (the quicker start); its points, processes of
    # their own, see $KERAS_HOME
    result = jax_cli.run(*arguments, env={"KERAS_HOME": str(keras_home)}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    folder = Path(result.stdout.strip().splitlines()[-1])
    assert folder.parent == out / "sweeps" and folder.is_dir()

    runs = sorted((out / "mnist_losses").iterdir())
    assert len(runs) == 2
    for run in runs:
        record = json.loads((run / "run.json").read_text())
        assert record["status"] == "completed"
        assert record["data"]["source"] == "keras"
        assert record["data"]["path"] == str(keras_home / "datasets" / "mnist.npz")
        assert record["data"]["sizes"] == {"train": 300, "test": 100}
        # a sweep's run leaves its figures to be drawn when asked for (plots.draw: auto)
        assert record["figures"]["command"] == ["python", "-m", "recipes", "plot", str(run)]
        assert record["figures"]["status"] == "pending" and not (run / "loss.png").exists()

    rows = read_csv(folder / "summary.csv")
    assert [row["loss"] for row in rows] == ["categorical_crossentropy", "cosine_similarity"]
    assert {row["status"] for row in rows} == {"completed"}
    comparison = read_csv(folder / "comparison.csv")
    assert [row["epochs"] for row in comparison] == ["1", "1"]
    for row in comparison:
        assert 0.0 <= float(row["test_accuracy"]) <= 1.0
        assert float(row["fit_s"]) > 0
        assert row["tutorial_train_accuracy"] == ""  # labels differ from the tutorial's
    assert float(comparison[1]["final_loss"]) < 0  # cosine similarity: -1 is best
    for name in ("summary.md", "comparison.md", "accuracy.png", "curves.png", "sweep.json"):
        assert (folder / name).stat().st_size > 0
    assert "| loss | status | train_accuracy | test_accuracy |" in result.stdout


# ------------------------------------------------------------------------------- full sweep


@pytest.mark.slow
def test_full_mnist_losses_sweep(cli, tmp_path):
    """The tutorial's seven losses on the 5,000 offline digits (about 2 minutes on 2 cores)."""
    result = cli("sweep", "mnist_losses", "--output-root", str(tmp_path), timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    folder = Path(result.stdout.strip().splitlines()[-1])
    assert len(list((tmp_path / "mnist_losses").iterdir())) == 7
    rows = {row["loss"]: row for row in read_csv(folder / "comparison.csv")}
    assert list(rows) == [
        "MSE",
        "cross-entropy",
        "BCE",
        "BCE from_logits",
        "KL divergence",
        "cosine similarity",
        "log-cosh",
    ]
    assert float(rows["cross-entropy"]["test_accuracy"]) >= 0.85
    assert float(rows["cross-entropy"]["tutorial_train_accuracy"]) == pytest.approx(0.9351)
    assert float(rows["cosine similarity"]["final_loss"]) < 0
    for name in ("comparison.md", "accuracy.png", "curves.png", "summary.md"):
        assert (folder / name).stat().st_size > 0
