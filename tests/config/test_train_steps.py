"""``train.steps``: how long to train said in optimizer steps instead of epochs; a layer that
says one clears the other, and saying both at once, or neither, is one line."""

from __future__ import annotations

import pytest
import yaml

from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError
from recipes.paths import CONFIG_DIR

HINGE = str(CONFIG_DIR / "hinge.yaml")  # a path: extends by name looks beside the file


def _write(path, data):
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_steps_in_a_recipe_clear_the_epochs_it_extends(tmp_path):
    recipe = _write(tmp_path / "steps.yaml", {"extends": HINGE, "train": {"steps": 3000}})
    train = resolve_recipe(recipe).config.train
    assert (train.steps, train.epochs) == (3000, None)
    assert (train.batch_size, train.validation_split) == (5, 0.2)  # the rest still inherited


def test_the_later_layer_wins_between_epochs_and_steps(tmp_path):
    recipe = _write(tmp_path / "steps.yaml", {"extends": HINGE, "train": {"steps": 3000}})
    train = resolve_recipe(recipe, ["train.epochs=3"]).config.train
    assert (train.epochs, train.steps) == (3, None)
    train = resolve_recipe("hinge", ["train.steps=40"]).config.train
    assert (train.epochs, train.steps) == (None, 40)


def test_the_resolved_config_resolves_again_to_the_same_schedule(tmp_path):
    config = resolve_recipe("hinge", ["train.steps=40"]).config
    again = resolve_recipe(_write(tmp_path / "config.yaml", config.as_mapping())).config
    assert (again.train.epochs, again.train.steps) == (None, 40)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            ["train.steps=30", "train.epochs=3"],
            "--set: train.epochs: say how long to train once, with epochs or steps (epochs and "
            "steps both given); e.g. epochs: 10, or steps: 3000 (optimizer steps)",
        ),
        (
            ["train.epochs=null"],
            "--set: train.epochs: say how long to train once, with epochs or steps (neither "
            "given); e.g. epochs: 10, or steps: 3000 (optimizer steps)",
        ),
        (["train.steps=0"], "--set: train.steps: input should be greater than 0; got 0 (int)"),
        (["train.steps=2.5"], "--set: train.steps: input should be a valid integer"),
    ],
)
def test_a_bad_budget_is_one_line_naming_where_it_came_from(overrides, expected):
    with pytest.raises(RecipeError) as caught:
        resolve_recipe("hinge", overrides)
    assert str(caught.value).startswith(expected)
