"""Speed settings resolve per backend (``auto``), and the PyTorch backend trains a recipe with
no extra flags."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from conftest import RUN_FILES, shrink_overrides

from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError
from recipes.training.speed_settings import compile_speed_options, steps_per_execution_for

TORCH_INSTALLED = importlib.util.find_spec("torch") is not None


def test_auto_steps_per_execution_is_32_except_on_torch():
    assert steps_per_execution_for("auto", "tensorflow") == 32
    assert steps_per_execution_for("auto", "jax") == 32
    assert steps_per_execution_for("auto", "torch") == 1
    assert steps_per_execution_for(7, "jax") == 7


def test_recipes_default_to_auto_and_compile_with_the_resolved_value():
    train = resolve_recipe("hinge").config.train
    assert train.steps_per_execution == "auto" and train.jit_compile == "auto"
    assert compile_speed_options(train, "torch") == {
        "steps_per_execution": 1,
        "jit_compile": "auto",
    }


def test_explicit_steps_above_one_on_torch_is_one_line():
    with pytest.raises(RecipeError, match="the torch backend supports only 1, got 32"):
        resolve_recipe("hinge", ["train.steps_per_execution=32"], backend="torch")
    with pytest.raises(RecipeError) as raised:
        resolve_recipe("hinge", ["train.steps_per_execution=fast"])
    assert str(raised.value) == (
        "--set: train.steps_per_execution: expected auto or a positive integer, got 'fast' (str)"
    )


@pytest.mark.system  # another backend in a fresh process (make test-system; .ci/run has torch)
@pytest.mark.skipif(not TORCH_INSTALLED, reason="torch is not installed (pip install -e .[torch])")
def test_a_shrunk_recipe_trains_on_torch_with_no_extra_flags(cli, tmp_path):
    arguments = [f"--set={text}" for text in shrink_overrides("hinge")]
    result = cli("run", "hinge", *arguments, "--backend", "torch", "--output-root", str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    folder = Path(result.stdout.strip().splitlines()[-1])
    record = json.loads((folder / "run.json").read_text())
    assert record["backend"] == "torch" and record["status"] == "completed"
    assert record["speed_settings"] == {"steps_per_execution": 1, "jit_compile": False}
    assert {p.name for p in folder.iterdir()} == RUN_FILES
