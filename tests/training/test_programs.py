"""The compiled trainer's exported programs (recipes/training/programs.py): a program from the cache
gives the history the traced one gave; a change to the shapes, the model or the code traces
again; a damaged file is traced again; an empty $RECIPES_PROGRAM_CACHE_DIR turns it off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import PROJECT_ROOT, shrink_overrides

# Trains the shrunk hinge recipe from the same seed once per case, with its own program
# folder (sys.argv[2], also its $RECIPES_PROGRAM_CACHE_DIR); prints, per case, where each program
# came from and the history.
CACHE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import keras
    from recipes.components.models import build_model
    from recipes.config.resolve import resolve_recipe
    from recipes.datasets import build_dataset
    from recipes.training.compiled import CompiledGroup, Member, validation_holdout
    from recipes.training.fitting import compile_model

    folder = Path(sys.argv[2])

    def train(overrides):
        config = resolve_recipe("hinge", overrides, backend="jax").config
        keras.backend.clear_session()  # as every run does: the same layer names
        keras.utils.set_random_seed(config.seed)
        split = build_dataset(config.data.name, config.data.params, config.seed)
        model = build_model(config.model.name, config.model.params, split.x_train.shape[1:])
        compile_model(model, config)
        data = validation_holdout(split.x_train, split.y_train, config.train.validation_split)
        member = Member(model, *data, [], config.seed)
        group = CompiledGroup([member], config.train.batch_size, True)
        [history] = group.fit(config.train.epochs)
        return {"sources": group.programs.sources, "history": history}

    base = json.loads(sys.argv[1])
    out = {"traced": train(base), "cached": train(base)}
    for path in folder.glob("epoch-*"):
        path.write_bytes(b"damaged")
    out["damaged"] = train(base)
    out["other_batch"] = train([*base, "train.batch_size=8"])
    out["other_model"] = train([*base, "model.hidden_units=[3, 2]"])
    out["files"] = len(list(folder.glob("*.jaxexport")))
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def cache_cases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programs")
    completed = subprocess.run(
        [sys.executable, "-c", CACHE_SCRIPT, json.dumps(shrink_overrides("hinge")), str(folder)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "KERAS_BACKEND": "jax", "RECIPES_PROGRAM_CACHE_DIR": str(folder)},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_a_program_from_the_cache_gives_the_traced_programs_history(cache_cases):
    traced, cached = cache_cases["traced"], cache_cases["cached"]
    assert traced["sources"] == {"epoch": "exported", "split": "exported"}
    assert cached["sources"] == {"epoch": "loaded", "split": "loaded"}
    assert {"loss", "val_loss"} <= set(traced["history"])
    assert cached["history"] == traced["history"]  # exactly: the same program


def test_a_damaged_program_file_is_traced_again(cache_cases):
    damaged = cache_cases["damaged"]
    assert damaged["sources"]["epoch"] == "exported"
    assert damaged["history"] == cache_cases["traced"]["history"]


def test_other_shapes_or_another_model_miss_the_cache(cache_cases):
    assert cache_cases["other_batch"]["sources"]["epoch"] == "exported"
    assert cache_cases["other_model"]["sources"] == {"epoch": "exported", "split": "exported"}
    # the hinge program and split, the other batch size's program, the other model's two
    assert cache_cases["files"] == 5


def test_the_key_follows_shapes_dtypes_and_structure_not_values():
    from recipes.training.programs import program_key

    base = program_key("epoch", "model", ([np.zeros((2, 3), "float32")], np.ones(4, "int32")))
    same = program_key("epoch", "model", ([np.ones((2, 3), "float32")], np.zeros(4, "int32")))
    assert base == same
    assert base != program_key(
        "epoch", "model", ([np.zeros((2, 4), "float32")], np.ones(4, "int32"))
    )
    assert base != program_key(
        "epoch", "model", ([np.zeros((2, 3), "float64")], np.ones(4, "int32"))
    )
    assert base != program_key(
        "epoch", "model", ((np.zeros((2, 3), "float32"),), np.ones(4, "int32"))
    )
    assert base != program_key(
        "epoch", "other", ([np.zeros((2, 3), "float32")], np.ones(4, "int32"))
    )


def test_the_code_identity_follows_the_source_of_loaded_project_modules(tmp_path, monkeypatch):
    from recipes.training.programs import code_identity

    module = tmp_path / "user_loss_module.py"
    module.write_text("SCALE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import user_loss_module  # noqa: F401 (loaded, so part of the code identity)

    try:
        before = code_identity()
        module.write_text("SCALE = 2  # edited\n", encoding="utf-8")
        assert code_identity() != before
    finally:
        del sys.modules["user_loss_module"]


def test_an_empty_cache_variable_turns_the_cache_off(monkeypatch):
    from recipes.keras_environment import program_cache_folder

    monkeypatch.setenv("RECIPES_PROGRAM_CACHE_DIR", "")
    assert program_cache_folder() is None
    monkeypatch.setenv("RECIPES_PROGRAM_CACHE_DIR", "/somewhere")
    assert str(program_cache_folder()) == "/somewhere"
