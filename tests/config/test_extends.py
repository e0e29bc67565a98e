"""Recipes that build on another (``extends``) and the plug-in names a config gives."""

from __future__ import annotations

import shutil

import pytest

from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError
from recipes.paths import CONFIG_DIR


def _error(recipe: str, *overrides: str, **options) -> str:
    with pytest.raises(RecipeError) as caught:
        resolve_recipe(recipe, overrides, **options)
    return str(caught.value)


def test_squared_hinge_is_hinge_with_another_loss_and_description():
    hinge = resolve_recipe("hinge").config.as_mapping()
    squared = resolve_recipe("squared_hinge").config.as_mapping()
    assert squared["loss"] == {"name": "squared_hinge"}
    assert squared["description"] != hinge["description"]
    different = {key for key in hinge if hinge[key] != squared[key]}
    assert different == {"loss", "description"}


def test_sources_list_every_layer_and_the_resolved_config_has_no_extends():
    resolved = resolve_recipe("compare_hinge")
    assert [source.rsplit("/", 1)[-1] for source in resolved.sources] == [
        "defaults.yaml",
        "hinge.yaml",
        "compare_hinge.yaml",
    ]
    mapping = resolved.config.as_mapping()
    assert "extends" not in mapping and mapping["report"] == "compare_hinge"
    # `seed: 0..49` in the file: ranges are expanded when the config is validated
    assert mapping["grid"] == {"loss": ["hinge", "squared_hinge"], "seed": list(range(50))}


def test_a_bad_key_names_the_file_it_came_from(tmp_path):
    (tmp_path / "base.yaml").write_text(
        "data: circles\nmodel: {name: mlp, hidden_units: [4, 2], output: tanh}\nloss: hinge\n"
    )
    (tmp_path / "parent.yaml").write_text("extends: base\ntrain:\n  epoch: 3\n")
    (tmp_path / "child.yaml").write_text("extends: parent\nseed: 1\n")
    message = _error(str(tmp_path / "child.yaml"))
    assert "parent.yaml: train.epoch: unknown key. Did you mean 'epochs'?" in message
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\nseeed: 1\n")
    assert "child.yaml: seeed: unknown key. Did you mean 'seed'?" in _error(
        str(tmp_path / "child.yaml")
    )


def test_the_defaults_file_repeats_no_default_of_the_schema(tmp_path):
    """Each default lives once, in the schema: with a defaults.yaml of comments only, every
    recipe resolves the same."""
    shutil.copytree(CONFIG_DIR, tmp_path, dirs_exist_ok=True)
    (tmp_path / "defaults.yaml").write_text("# nothing set for every recipe\n")
    for recipe in ("hinge", "mnist_losses", "loss_gallery"):
        mapping = resolve_recipe(recipe).config.as_mapping()
        assert resolve_recipe(recipe, config_dir=tmp_path).config.as_mapping() == mapping


def test_a_cycle_of_extends_is_an_error(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b\n")
    (tmp_path / "b.yaml").write_text("extends: a\n")
    message = _error(str(tmp_path / "a.yaml"))
    assert "a cycle of extends" in message and "a.yaml -> " in message and "b.yaml" in message
    (tmp_path / "self.yaml").write_text("extends: self\n")
    assert "a cycle of extends" in _error(str(tmp_path / "self.yaml"))


def test_a_missing_or_malformed_parent_is_one_clear_line(tmp_path):
    (tmp_path / "child.yaml").write_text("extends: hinj\n")
    message = _error(str(tmp_path / "child.yaml"))
    assert message.startswith(f"{tmp_path / 'child.yaml'}: extends: unknown recipe 'hinj'")
    (tmp_path / "child.yaml").write_text("extends: [hinge]\n")
    assert "expected the name of another recipe" in _error(str(tmp_path / "child.yaml"))


def test_a_copy_under_another_name_keeps_its_report(tmp_path):
    """Reports are named in the config, never found through the file's name."""
    shutil.copytree(CONFIG_DIR, tmp_path, dirs_exist_ok=True)
    shutil.copy(CONFIG_DIR / "compare_hinge.yaml", tmp_path / "my_comparison.yaml")
    resolved = resolve_recipe("my_comparison", config_dir=tmp_path)
    assert resolved.name == "my_comparison" and resolved.config.report == "compare_hinge"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("task=loss_galery", "task: unknown task 'loss_galery'. Did you mean 'loss_gallery'?"),
        ("report=compare_hinj", "report: unknown report 'compare_hinj'. Did you mean"),
        ("sweep.executor=proceses", "sweep.executor: unknown executor 'proceses'. Did you"),
        ("kind=gallery", "kind: unknown key. Did you mean 'task'?"),
    ],
)
def test_plug_in_names_get_the_same_help_as_a_loss_name(override, expected):
    assert expected in _error("hinge", override)


def test_a_task_says_which_blocks_it_needs(tmp_path):
    path = tmp_path / "bare.yaml"
    path.write_text("description: nothing to train\n")
    message = _error(str(path))
    assert "data, model, loss: required for task 'train'" in message
    path.write_text("task: loss_gallery\n")
    assert resolve_recipe(str(path)).config.task == "loss_gallery"


def test_focal_rings_weight_decay_is_focal_rings_with_adamw_instead_of_l2():
    """It extends focal_rings; resolved, it is what its standalone file was before: focal_rings
    but for the description, L2 0 and AdamW (decay 0.01, biases excluded, the same rate)."""
    resolved = resolve_recipe("focal_rings_weight_decay")
    assert [source.rsplit("/", 1)[-1] for source in resolved.sources] == [
        "defaults.yaml",
        "focal_rings.yaml",
        "focal_rings_weight_decay.yaml",
    ]
    base = resolve_recipe("focal_rings").config.as_mapping()
    decay = resolved.config.as_mapping()
    assert {key for key in base if base[key] != decay[key]} == {
        "description",
        "model",
        "optimizer",
    }
    assert decay["model"] == {**base["model"], "l2": 0.0}
    assert decay["optimizer"] == {
        "name": "adamw",
        "learning_rate": 0.002,
        "momentum": None,
        "weight_decay": 0.01,
        "exclude_from_weight_decay": ["bias"],
    }
    assert decay["backend"] == "tensorflow" and decay["train"]["epochs"] == 20


def test_a_file_anywhere_extends_a_project_recipe_by_name(tmp_path):
    """A YAML file of one's own, outside configs/, may say `extends: hinge` (the README's
    "Your own loss" does); a file of that name beside it still wins."""
    (tmp_path / "my.yaml").write_text("extends: hinge\nseed: 4\n")
    resolved = resolve_recipe(str(tmp_path / "my.yaml"))
    assert resolved.sources[1].endswith("configs/hinge.yaml")
    hinge = resolve_recipe("hinge").config.as_mapping()
    assert resolved.config.as_mapping() == {**hinge, "seed": 4}
    (tmp_path / "hinge.yaml").write_text("extends: squared_hinge\n")  # beside it: wins
    resolved = resolve_recipe(str(tmp_path / "my.yaml"))
    assert resolved.sources[-2] == str(tmp_path / "hinge.yaml")
    assert resolved.config.loss.name == "squared_hinge"


def test_an_unknown_parent_lists_the_projects_recipes_and_the_files_beside_apart(tmp_path):
    (tmp_path / "my.yaml").write_text("extends: hinj\n")
    (tmp_path / "notes.yaml").write_text("seed: 1\n")
    message = _error(str(tmp_path / "my.yaml"))
    assert "unknown recipe 'hinj'. Did you mean 'hinge'?" in message
    recipes = message.split("The project's recipes: ")[1].split(";")[0].split(", ")
    assert "hinge" in recipes and "compare_losses" in recipes and "my" not in recipes
    assert "YAML files beside it: notes (or give a path" in message  # not the file itself
