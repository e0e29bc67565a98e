"""End-to-end runs, shrunken so the fast suite stays fast."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import RUN_FILES, read_csv, run_recipe, shrink_overrides

from recipes.config.resolve import resolve_recipe
from recipes.status import RunStatus
from recipes.training.door import run_point

# The shared shrink (tests/shrink.yaml), with 4 epochs for the history tests below.
SMALL = [*shrink_overrides("hinge"), "train.epochs=4"]
TEST_SIZE = 40  # tests/shrink.yaml: circles data.test_size


@pytest.fixture(scope="module")
def hinge_run(tmp_path_factory) -> Path:
    return run_recipe(resolve_recipe("hinge", SMALL), tmp_path_factory.mktemp("out"), verbose=0)


def test_run_folder_has_every_file(hinge_run):
    assert hinge_run.parent.name == "hinge"
    assert {p.name for p in hinge_run.iterdir()} == RUN_FILES  # no temporary leftovers
    for name in RUN_FILES:
        assert (hinge_run / name).stat().st_size > 0, name


def test_run_json_records_the_run(hinge_run):
    record = json.loads((hinge_run / "run.json").read_text())
    assert record["status"] == "completed"
    assert record["seed"] == 0 and record["backend"] in ("tensorflow", "jax", "torch")
    assert {"keras", "numpy", "scikit-learn"} <= set(record["versions"])
    assert record["durations_s"]["fit"] > 0
    steps = 1 if record["backend"] == "torch" else 32  # steps_per_execution: auto
    assert record["speed_settings"]["steps_per_execution"] == steps
    assert isinstance(record["speed_settings"]["jit_compile"], bool)
    assert record["started_at"] <= record["ended_at"]


def test_history_has_one_row_per_epoch(hinge_run):
    rows = read_csv(hinge_run / "history.csv")
    assert [int(row["epoch"]) for row in rows] == [1, 2, 3, 4]
    assert {"loss", "val_loss", "sign_accuracy", "val_sign_accuracy"} <= set(rows[0])


def test_metrics_agree_with_the_prediction_table(hinge_run):
    metrics = json.loads((hinge_run / "metrics.json").read_text())
    rows = read_csv(hinge_run / "test_predictions.csv")
    assert len(rows) == TEST_SIZE
    assert list(rows[0]) == ["x1", "x2", "y_true", "y_score", "y_pred"]
    y_true = np.array([int(r["y_true"]) for r in rows])
    y_score = np.array([float(r["y_score"]) for r in rows])
    y_pred = np.array([int(r["y_pred"]) for r in rows])
    np.testing.assert_array_equal(y_pred, np.where(y_score >= 0, 1, -1))
    assert metrics["test_accuracy"] == pytest.approx(np.mean(y_true == y_pred), abs=1e-12)
    # the Keras metric and ours agree too (both are sign accuracy)
    assert metrics["test_sign_accuracy"] == pytest.approx(metrics["test_accuracy"], abs=1e-6)


def test_saved_model_reloads_and_reproduces_scores(hinge_run):
    import keras

    rows = read_csv(hinge_run / "test_predictions.csv")
    features = np.array([[float(r["x1"]), float(r["x2"])] for r in rows], dtype="float32")
    model = keras.saving.load_model(hinge_run / "model.keras")
    scores = model.predict(features, verbose=0).reshape(-1)
    np.testing.assert_allclose(scores, [float(r["y_score"]) for r in rows], rtol=1e-5, atol=1e-6)


def test_config_yaml_is_the_resolved_config_and_reruns(hinge_run, tmp_path):
    again = run_recipe(resolve_recipe(str(hinge_run / "config.yaml")), tmp_path, verbose=0)
    first = json.loads((hinge_run / "metrics.json").read_text())
    second = json.loads((again / "metrics.json").read_text())
    assert first == second  # same config and seed, same backend: identical metrics


def test_two_runs_never_share_a_folder(tmp_path):
    from recipes.files import create_unique_folder

    folders = {create_unique_folder(tmp_path / "hinge") for _ in range(50)}
    assert len(folders) == 50


def test_nan_loss_fails_the_run_with_a_reason(tmp_path):
    recipe = resolve_recipe(
        "hinge",
        [*SMALL, "model.hidden_activation=linear", "optimizer.learning_rate=1e38"],
    )
    outcome = run_point(recipe, tmp_path, verbose=0)
    assert outcome.status == RunStatus.FAILED and outcome.exit_status == 1
    assert outcome.message.startswith("error: training failed: loss became nan during epoch 1")
    folder = outcome.run_folder
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "failed" and "loss became nan" in record["reason"]
    assert not (folder / "metrics.json").exists() and not (folder / "model.keras").exists()


def test_interrupt_marks_the_run_interrupted(tmp_path, monkeypatch):
    import keras

    import recipes.training.train

    class Interrupt(keras.callbacks.Callback):
        failure = None

        def on_train_batch_end(self, batch, logs=None):
            raise KeyboardInterrupt

    monkeypatch.setattr(recipes.training.train, "nan_guard_callback", Interrupt)
    outcome = run_point(resolve_recipe("hinge", SMALL), tmp_path, verbose=0)
    assert outcome.status == RunStatus.INTERRUPTED and outcome.exit_status == 130
    folder = outcome.run_folder
    assert json.loads((folder / "run.json").read_text())["status"] == "interrupted"
    assert {p.name for p in folder.iterdir()} == {"config.yaml", "run.json"}


@pytest.mark.parametrize(
    "backend",
    # JAX's command line also runs in tests/training/test_faults.py and every shrunk sweep
    ["tensorflow", pytest.param("jax", marks=pytest.mark.slow)],
)
def test_command_line_on_each_backend(jax_cli, tmp_path, backend, capsys):
    """The command line's main() in this process on TensorFlow (the backend it runs), in the
    session's JAX process on JAX; fresh ``python -m recipes`` processes run in tests/api/,
    tests/sweeps/test_workers.py and the system tier."""
    from recipes.cli.main import main

    arguments = ["run", "squared_hinge", *[f"--set={s}" for s in SMALL], "--backend", backend]
    arguments += ["--output-root", str(tmp_path)]
    if backend == "tensorflow":
        status = main(arguments)
        out, err = capsys.readouterr()
    else:
        result = jax_cli.run(*arguments)
        status, out, err = result.returncode, result.stdout, result.stderr
    assert status == 0, err[-2000:]
    folder = Path(out.strip().splitlines()[-1])
    assert folder.parent == tmp_path / "squared_hinge"
    assert json.loads((folder / "run.json").read_text())["backend"] == backend
    assert {p.name for p in folder.iterdir()} == RUN_FILES


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["hinge", "squared_hinge"])
def test_full_hinge_recipes_reach_the_tutorials_accuracy(tmp_path, recipe):
    folder = run_recipe(resolve_recipe(recipe), tmp_path, verbose=0)
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["test_accuracy"] >= 0.99  # the tutorial reports 100%


def test_failed_run_on_the_command_line_exits_1_and_shows_in_the_gallery(tmp_path, capsys):
    from recipes.cli.main import main

    nan = [*SMALL, "model.hidden_activation=linear", "optimizer.learning_rate=1e38"]
    status = main(["run", "hinge", *[f"--set={s}" for s in nan], "--output-root", str(tmp_path)])
    captured = capsys.readouterr()
    assert status == 1
    assert "error: training failed: loss became nan during epoch 1" in captured.err
    assert "Traceback" not in captured.err
    folder = Path(captured.out.strip().splitlines()[-1])
    assert json.loads((folder / "run.json").read_text())["status"] == "failed"
    page = (tmp_path / "index.html").read_text()
    assert 'class="status failed"' in page and "loss became nan during epoch 1" in page
