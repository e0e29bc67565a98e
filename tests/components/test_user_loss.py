"""A user's own loss named in the config (recipes/components/user_loss.py): checked from its
file before Keras is imported, checked once on a batch before the first epoch, trained, kept in
the run folder and reloaded with plain ``keras.models.load_model``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_ROOT, run_cli, shrink_overrides

from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError

HINGE = PROJECT_ROOT / "configs" / "hinge.yaml"
ASYMMETRIC_HINGE = '''import keras


def asymmetric_hinge(y_true, y_pred, margin=1.0, negative_weight=0.5):
    """max(0, margin - y p), the negatives' loss weighted by negative_weight."""
    per_point = keras.ops.maximum(0.0, margin - y_true * y_pred)
    weight = keras.ops.where(y_true > 0, 1.0, negative_weight)
    return keras.ops.mean(weight * per_point, axis=-1)


def one_argument(y_true):
    return y_true


def needs_k(y_true, y_pred, k):
    return y_pred


def not_finite(y_true, y_pred):
    return keras.ops.log(y_pred * 0.0 - 1.0)[:, 0]


def one_number(y_true, y_pred):
    return keras.ops.mean(y_pred)


def raises(y_true, y_pred):
    raise ValueError("my bug")


def kinked(y_true, y_pred):
    return keras.ops.sqrt(keras.ops.abs(y_pred * 0.0))[:, 0]
'''


def write_config(folder: Path, loss_block: str) -> Path:
    (folder / "my_losses.py").write_text(ASYMMETRIC_HINGE, encoding="utf-8")
    config = folder / "my.yaml"
    config.write_text(f"extends: {HINGE}\nloss: {loss_block}\n", encoding="utf-8")
    return config


def test_a_user_loss_resolves_relative_to_its_config_file(tmp_path, monkeypatch):
    config = write_config(
        tmp_path, '{name: "my_losses.py:asymmetric_hinge", labels: plus_minus_one, margin: 0.5}'
    )
    monkeypatch.chdir(PROJECT_ROOT)  # not the config's folder
    loss = resolve_recipe(str(config)).config.loss
    assert loss.name == f"{tmp_path.resolve()}/my_losses.py:asymmetric_hinge"
    assert loss.params == {"labels": "plus_minus_one", "margin": 0.5}


@pytest.mark.parametrize(
    "block, message",
    [
        (
            '{name: "my_losses.py:asymmetric_hinge"}',
            "loss.labels: a user's loss must declare its targets: add labels: "
            "plus_minus_one | binary | categorical",
        ),
        ('{name: "missing.py:f", labels: binary}', "loss.name: loss file 'missing.py' not found"),
        (
            '{name: "my_losses.py:asymetric_hinge", labels: binary}',
            "loss.name: my_losses.py has no 'asymetric_hinge'. Did you mean 'asymmetric_hinge'?",
        ),
        (
            '{name: "my_losses.py:one_argument", labels: binary}',
            "loss.name: my_losses.py:one_argument(y_true) cannot take (y_true, y_pred)",
        ),
        (
            '{name: "my_losses.py:asymmetric_hinge", labels: binary, marginn: 1}',
            "loss.name: my_losses.py:asymmetric_hinge does not accept parameter 'marginn'. "
            "Did you mean 'margin'? It takes: margin, negative_weight",
        ),
        (
            '{name: "my_losses.py:needs_k", labels: binary}',
            "missing a required argument: 'k'",
        ),
        ('{name: "no_such_module_x:f", labels: binary}', "no module named 'no_such_module_x'"),
        ('{name: "my_losses.py:asymmetric_hinge", labels: pm}', "unknown label encoding 'pm'"),
    ],
)
def test_a_broken_user_loss_is_one_line_before_keras(tmp_path, block, message):
    config = write_config(tmp_path, block)
    with pytest.raises(RecipeError) as raised:
        resolve_recipe(str(config))
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_check_answers_a_missing_attribute_in_one_line_without_importing_keras(tmp_path):
    config = write_config(tmp_path, '{name: "my_losses.py:asymetric_hinge", labels: binary}')
    probe = (
        "import sys, runpy; sys.argv=['recipes','check',sys.argv[1]]\n"
        "try: runpy.run_module('recipes', run_name='__main__')\n"
        "except SystemExit as e: print('keras' in sys.modules, e.code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(config)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False 2"
    assert result.stderr.strip().splitlines() == [
        f"error: {config}: loss.name: my_losses.py has no 'asymetric_hinge'. "
        "Did you mean 'asymmetric_hinge'? It defines: asymmetric_hinge, kinked, needs_k, "
        "not_finite, one_argument, one_number, raises"
    ]


@pytest.mark.parametrize("backend", ["jax", "tensorflow"])
def test_check_executing_a_loss_file_loads_keras_with_the_config_backend(tmp_path, backend):
    """An assigned attribute makes check execute the file, whose ``import keras`` must load
    the backend the config resolves (here the config's ``backend:``, $KERAS_BACKEND set to
    the other one), not TensorFlow by default."""
    config = write_config(tmp_path, '{name: "my_losses.py:alias", labels: plus_minus_one}')
    with (tmp_path / "my_losses.py").open("a", encoding="utf-8") as file:
        file.write("\nalias = asymmetric_hinge\n")
    config.write_text(config.read_text(encoding="utf-8") + f"backend: {backend}\n")
    probe = (
        "import sys, runpy; sys.argv=['recipes','check',sys.argv[1]]\n"
        "try: runpy.run_module('recipes', run_name='__main__')\n"
        "except SystemExit as e: code = e.code\n"
        "import keras; print(keras.backend.backend(), 'tensorflow' in sys.modules, code)"
    )
    other = "tensorflow" if backend == "jax" else "jax"
    result = subprocess.run(
        [sys.executable, "-c", probe, str(config)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "KERAS_BACKEND": other},
    )
    assert result.stdout.strip().splitlines()[-1] == f"{backend} {backend == 'tensorflow'} 0"


@pytest.mark.parametrize(
    "function, message",
    [
        ("not_finite", "returned a non-finite value (nan)"),
        ("one_number", "returned shape () for a batch of 8; return one value per sample"),
        ("raises", "raised ValueError on a batch of 8: my bug"),
        ("kinked", "has a non-finite gradient with respect to the model's output"),
    ],
)
def test_a_loss_that_fails_on_a_batch_fails_the_run_before_the_first_epoch(
    tmp_path, function, message
):
    from recipes.training.door import run_point

    config = write_config(tmp_path, f'{{name: "my_losses.py:{function}", labels: plus_minus_one}}')
    outcome = run_point(resolve_recipe(str(config), shrink_overrides("hinge")), tmp_path / "out")
    assert outcome.status == "failed" and outcome.exit_status == 1
    assert outcome.message.splitlines() == [outcome.message]
    assert f"loss my_losses.py:{function} {message}" in outcome.message
    traceback_file = outcome.run_folder / "traceback.txt"
    if function == "raises":  # the user's code raised: where, in the user's file
        assert 'my_losses.py", line 28, in raises' in traceback_file.read_text()
    else:
        assert not traceback_file.exists()
    assert not (outcome.run_folder / "history.csv").exists()


def test_a_user_loss_run_travels_without_its_file(jax_cli, tmp_path):
    """Trained in the session's JAX process; its folder copied elsewhere, the original folder
    and loss file deleted; the model reloads in a fresh process, and the run resumes from the
    folder's copy of the loss."""
    config = write_config(
        tmp_path, '{name: "my_losses.py:asymmetric_hinge", labels: plus_minus_one, margin: 0.5}'
    )
    overrides = [f"--set={value}" for value in shrink_overrides("hinge")]
    result = jax_cli.run("run", str(config), *overrides, "--output-root", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip().splitlines()[-1])
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "completed"
    source = record["loss_source"]
    assert source["copy"] == "loss_source/my_losses.py"
    assert (folder / source["copy"]).read_text() == ASYMMETRIC_HINGE
    import hashlib

    assert source["sha256"] == hashlib.sha256(ASYMMETRIC_HINGE.encode()).hexdigest()

    moved = tmp_path / "elsewhere" / folder.name
    shutil.copytree(folder, moved)
    shutil.rmtree(folder)
    (tmp_path / "my_losses.py").unlink()
    reload = (
        "import sys, recipes, keras, numpy\n"
        "model = keras.models.load_model(sys.argv[1])\n"
        "print(type(model.loss).__name__, float(model.loss(numpy.array([1.0, -1.0]), "
        "numpy.array([[0.2], [0.1]]))))"
    )
    reloaded = subprocess.run(
        [sys.executable, "-c", reload, str(moved / "model.keras")],
        cwd=tmp_path,  # neither the project nor the loss's folder
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert reloaded.returncode == 0, reloaded.stderr
    name, value = reloaded.stdout.split()
    # margin 0.5: max(0, 0.5 - 0.2) = 0.3 for the positive; 0.5 * (0.5 + 0.1) = 0.3 for the negative
    assert name == "UserLoss" and np.isclose(float(value), 0.3)

    record["status"] = "interrupted"  # as a run stopped mid-way
    (moved / "run.json").write_text(json.dumps(record))
    resumed = jax_cli.run("resume", str(moved))
    assert resumed.returncode == 0, resumed.stderr
    record = json.loads((moved / "run.json").read_text())
    assert record["status"] == "completed" and record["resumes"]
    assert record["loss_source"]["reference"] == f"{moved / source['copy']}:asymmetric_hinge"
    assert record["loss_source"]["original"] == source["original"]


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["processes", "vectorized"])
def test_a_user_loss_trains_in_a_sweep(tmp_path, executor):
    config = write_config(
        tmp_path, '{name: "my_losses.py:asymmetric_hinge", labels: plus_minus_one, margin: 0.5}'
    )
    overrides = [f"--set={value}" for value in shrink_overrides("hinge")]
    result = run_cli(
        "sweep", str(config), *overrides, "--grid", "seed=0,1",
        "--set", f"sweep.executor={executor}", "--output-root", str(tmp_path / "out"),
        env={"KERAS_BACKEND": "jax"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sweep = json.loads(next((tmp_path / "out").glob("sweeps/*/sweep.json")).read_text())
    assert [run["status"] for run in sweep["runs"]] == ["completed", "completed"]
    for run in sweep["runs"]:
        record = json.loads((Path(run["run_folder"]) / "run.json").read_text())
        assert record["loss_source"]["copy"] == "loss_source/my_losses.py"
        if executor == "vectorized":
            assert record["trainer"] == "compiled"


def test_a_sweep_grid_names_a_loss_file_relative_to_its_config(tmp_path, monkeypatch):
    """Grid values reach each point as --set overrides; a loss file in the grid is still
    found next to the config, from any folder (configs/compare_losses.yaml does this)."""
    from recipes.sweeps.grid import plan_sweep

    (tmp_path / "my_losses.py").write_text(ASYMMETRIC_HINGE, encoding="utf-8")
    config = tmp_path / "sweep.yaml"
    config.write_text(
        f"extends: {HINGE}\ngrid:\n  loss:\n    - hinge\n"
        '    - {name: "my_losses.py:asymmetric_hinge", labels: plus_minus_one}\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(PROJECT_ROOT)
    _, _, points = plan_sweep(str(config))
    assert points[1].recipe.config.loss.name == f"{tmp_path / 'my_losses.py'}:asymmetric_hinge"
