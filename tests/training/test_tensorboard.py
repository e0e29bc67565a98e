"""``train.tensorboard: true``: event files in the run folder with the scalars of every epoch,
the resolved config as text and the run's ``--set`` values as hparams."""

from __future__ import annotations

import importlib.util

import pytest
import yaml
from conftest import run_recipe, shrink_overrides

from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError
from recipes.training.tensorboard import config_markdown, hparams_from_overrides


def test_overrides_become_hparams():
    assert hparams_from_overrides(["loss=squared_hinge", "seed=3", "train.shuffle=false"]) == {
        "loss": "squared_hinge",
        "seed": 3,
        "train.shuffle": False,
    }
    assert hparams_from_overrides(["model.hidden_units=[8, 4]", "grid={}"]) == {
        "model.hidden_units": "[8, 4]"
    }


def test_config_text_is_a_markdown_code_block_of_the_yaml():
    text = config_markdown({"seed": 3, "train": {"epochs": 2}})
    assert text.splitlines()[0] == "    seed: 3"
    assert yaml.safe_load("\n".join(line[4:] for line in text.splitlines())) == {
        "seed": 3,
        "train": {"epochs": 2},
    }


def test_tensorboard_without_the_package_is_one_line(monkeypatch):
    import recipes.config.resolve as resolve

    real = importlib.util.find_spec
    monkeypatch.setattr(
        resolve.importlib.util,
        "find_spec",
        lambda name, *rest: None if name == "tensorboard" else real(name, *rest),
    )
    with pytest.raises(RecipeError, match=r"train.tensorboard: needs the tensorboard package"):
        resolve_recipe("hinge", ["train.tensorboard=true"])


def test_a_run_writes_scalars_per_epoch_config_text_and_hparams(tmp_path):
    from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer

    overrides = [*shrink_overrides("hinge"), "train.tensorboard=true", "seed=2"]
    folder = run_recipe(resolve_recipe("hinge", overrides), tmp_path, verbose=0)
    logs = EventMultiplexer()
    logs.AddRunsFromDirectory(str(folder / "tensorboard"))
    logs.Reload()
    runs = logs.Runs()
    assert set(runs) == {".", "train", "validation"}
    for run in ("train", "validation"):
        steps = [event.step for event in logs.Tensors(run, "epoch_loss")]
        assert steps == [0, 1]  # tests/shrink.yaml: 2 epochs
    assert {"config", "_hparams_/session_start_info"} <= set(runs["."]["tensors"])
    text = logs.Tensors(".", "config")[0].tensor_proto.string_val[0].decode()
    assert "    seed: 2" in text and "    loss:" in text
    start = logs.SummaryMetadata(".", "_hparams_/session_start_info").plugin_data.content
    assert b"seed" in start and b"train.tensorboard" in start and folder.name.encode() in start
