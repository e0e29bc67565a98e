"""The compiled trainer (recipes/training/compiled.py) against ``model.fit`` on JAX: on the same
batches it must give the same history, and the run it makes must hold the same files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import PROJECT_ROOT, shrink_overrides

# Trains each recipe twice from the same seed in one JAX process: model.fit, then the
# compiled trainer, on unshuffled batches, both with early stopping that keeps the best
# weights; prints both histories and a checksum of the final weights as JSON.
PARITY_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import recipes, keras
    from recipes.datasets import build_dataset
    from recipes.components.models import build_model
    from recipes.config.resolve import resolve_recipe
    from recipes.training.compiled import CompiledGroup, Member, validation_holdout
    from recipes.training.fitting import compile_model

    def stopper():  # stops after the first epoch that does not improve, keeps the best
        return keras.callbacks.EarlyStopping("val_loss", patience=0, restore_best_weights=True)

    out = {}
    for recipe, overrides in json.loads(sys.argv[1]).items():
        config = resolve_recipe(recipe, overrides, backend="jax").config
        epochs = config.train.epochs
        histories, weights = [], []
        for trainer in ("fit", "compiled"):
            keras.utils.set_random_seed(config.seed)
            split = build_dataset(config.data.name, config.data.params, config.seed)
            model = build_model(config.model.name, config.model.params, split.x_train.shape[1:])
            compile_model(model, config)
            data = (split.x_train, split.y_train)
            if trainer == "fit":
                histories.append(model.fit(*data, epochs=epochs, batch_size=config.train.batch_size,
                    shuffle=False, verbose=0, validation_split=config.train.validation_split,
                    callbacks=[stopper()]).history)
            else:
                member = Member(model, *validation_holdout(*data, config.train.validation_split),
                                [stopper()], config.seed)
                histories += CompiledGroup([member], config.train.batch_size, False).fit(epochs)
            weights.append(sum(float(abs(w).sum()) for w in model.get_weights()))
        out[recipe] = {"histories": histories, "weights": weights}
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def parity_histories(jax_cli):
    """Both histories of each recipe, from the session's JAX process (tests/keras_process.py):
    the script builds its models from a set seed, so earlier runs there change nothing."""
    overrides = {
        # batches of 20 leave a smaller last batch, as fit has it
        "hinge": [*shrink_overrides("hinge"), "train.batch_size=20"],
        # up to 8 epochs, early stopping with best weights: stops where fit stops
        "focal_rings": [*shrink_overrides("focal_rings"), "train.epochs=8"],
    }
    completed = jax_cli.python(PARITY_SCRIPT, json.dumps(overrides))
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("recipe", ["hinge", "focal_rings"])
def test_compiled_trainer_gives_model_fit_history_on_the_same_batches(parity_histories, recipe):
    fit_history, compiled_history = parity_histories[recipe]["histories"]
    assert set(compiled_history) == set(fit_history)
    assert any(key.startswith("val_") for key in fit_history)
    for key, values in fit_history.items():
        assert len(compiled_history[key]) == len(values) >= 2
        assert compiled_history[key] == pytest.approx(values, rel=1e-4, abs=1e-6), key
    fit_weights, compiled_weights = parity_histories[recipe]["weights"]
    assert compiled_weights == pytest.approx(fit_weights, rel=1e-4)  # the same (best) weights


NO_TENSORFLOW_RUN = textwrap.dedent(
    """
    import json, sys
    from recipes.cli.main import main
    status = main(sys.argv[1:])
    print(json.dumps({"status": status, "tensorflow": "tensorflow" in sys.modules}))
    """
)


def test_a_jax_run_is_compiled_timed_stage_by_stage_and_never_loads_tensorflow(tmp_path):
    """A fresh process: the session's JAX process may have loaded TensorFlow (model.fit on JAX
    does, for the parity test above)."""
    arguments = ["run", "hinge", *(f"--set={text}" for text in shrink_overrides("hinge"))]
    completed = subprocess.run(
        [sys.executable, "-c", NO_TENSORFLOW_RUN, *arguments, "--output-root", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "KERAS_BACKEND": "jax"},
    )
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == {
        "status": 0,
        "tensorflow": False,
    }, completed.stderr[-3000:]
    [run_json] = tmp_path.glob("hinge/*/run.json")
    record = json.loads(run_json.read_text())
    assert record["trainer"] == "compiled"
    stages = {"setup", "import", "backend_start", "data", "model", "fit", "evaluate", "plots"}
    assert stages <= set(record["durations_s"])
    assert sum(record["durations_s"][s] for s in stages) <= record["durations_s"]["total"]


def test_a_loss_that_becomes_nan_fails_the_compiled_run_with_one_line(jax_cli, tmp_path):
    nan = ["model.hidden_activation=linear", "optimizer.learning_rate=1e38"]
    arguments = [*(f"--set={text}" for text in [*shrink_overrides("hinge"), *nan])]
    result = jax_cli.run("run", "hinge", *arguments, "--output-root", str(tmp_path))
    assert result.returncode == 1
    assert "error: training failed: loss became nan during epoch 1" in result.stderr
    assert "Traceback" not in result.stderr
    [run_json] = tmp_path.glob("hinge/*/run.json")
    record = json.loads(run_json.read_text())
    assert record["status"] == "failed" and record["trainer"] == "compiled"


def test_the_compiled_trainer_asked_for_on_tensorflow_is_one_line(cli, tmp_path):
    result = cli(
        "run", "hinge", "--backend", "tensorflow", "--set", "train.trainer=compiled",
        "--output-root", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --set: train.trainer: 'compiled' needs the jax backend, this run uses "
        "'tensorflow'. Add --backend jax, or --set train.trainer=auto"
    ]
    assert not any(tmp_path.iterdir())
