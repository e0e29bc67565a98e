"""Config errors carry their parts (source, key, message) as fields; the one-line text is
rendered from them and no code reads them back from the text."""

from __future__ import annotations

import pytest

from recipes import datasets
from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError
from recipes.sweeps.grid import plan_sweep


def _error(recipe: str, *overrides: str) -> RecipeError:
    with pytest.raises(RecipeError) as caught:
        resolve_recipe(recipe, overrides)
    return caught.value


def test_a_schema_problem_has_source_key_and_message_as_fields():
    error = _error("hinge", "train.bach_size=3", "seed=-1")
    assert [(p.source, p.key) for p in error.problems] == [
        ("--set", "seed"),
        ("--set", "train.bach_size"),
    ]
    assert error.problems[1].message.startswith("unknown key. Did you mean 'batch_size'?")
    assert str(error).splitlines()[1] == error.problems[1].render()


def test_a_component_problem_has_fields_too(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "data: circles\nmodel: {name: mlp, hidden_units: [4, 2], output: tanh}\nloss: hinj\n"
    )
    error = _error(str(recipe))
    assert (error.source, error.key) == (str(recipe), "loss.name")
    assert error.message.startswith("unknown loss 'hinj'. Did you mean 'hinge'?")
    error = _error("hinge", "model.classes=3")
    assert (error.source, error.key) == ("--set", "model.classes")


def _failing_check(problem: RecipeError):
    """A dataset check that fails for the label column 'kind' (the recipe's own, 'moon',
    passes)."""

    def check(settings, encoding):
        if settings.label == "kind":
            raise problem
        return 2

    return check


def test_a_dataset_problem_is_sourced_by_its_key_field(monkeypatch):
    """data.label came from --set, data.path from the recipe: a problem with key data.label
    names --set, one without a key names the file data.path came from."""
    entry = datasets.DATASETS.entry("csv")
    problem = RecipeError("moons.csv has no column 'kind'", key="data.label", hint="see its header")
    monkeypatch.setitem(entry.info, "check", _failing_check(problem))
    error = _error("csv_moons", "data.label=kind")
    assert (error.source, error.key) == ("--set", "data.label")
    assert str(error) == "--set: data.label: moons.csv has no column 'kind'; see its header"

    problem = RecipeError("line 3: 2 fields, the header has 3", source="moons.csv")
    monkeypatch.setitem(entry.info, "check", _failing_check(problem))
    error = _error("csv_moons", "data.label=kind")
    assert (error.source, error.key) == ("configs/csv_moons.yaml", None)
    assert str(error) == "configs/csv_moons.yaml: moons.csv: line 3: 2 fields, the header has 3"


def test_a_dataset_message_that_starts_with_a_key_is_not_parsed(monkeypatch):
    """Text is text: "data.label: ..." without a key field is about the file data.path names."""
    entry = datasets.DATASETS.entry("csv")
    problem = RecipeError("data.label: moons.csv has no column 'kind'")
    monkeypatch.setitem(entry.info, "check", _failing_check(problem))
    error = _error("csv_moons", "data.label=kind")
    assert (error.source, error.key) == ("configs/csv_moons.yaml", None)


def test_a_sweep_problem_keeps_its_key_and_names_the_grid_value():
    with pytest.raises(RecipeError) as caught:
        plan_sweep("mnist_losses", {"loss": ["mse", "not_a_loss"], "seed": [0]})
    [problem] = caught.value.problems
    assert problem.source == "sweep value loss=not_a_loss: --grid"
    assert problem.key == "loss.name"
    assert problem.message.startswith("unknown loss 'not_a_loss'")


def test_a_sweep_problem_from_a_dataset_names_the_grid_by_its_key_field(monkeypatch):
    """The grid varies data.label; the dataset's problem says key data.label: the line names the
    grid value and the grid (not --set, which is how a point gets its grid values)."""
    entry = datasets.DATASETS.entry("csv")
    problem = RecipeError("moons.csv has no column 'kind'", key="data.label")
    monkeypatch.setitem(entry.info, "check", _failing_check(problem))
    with pytest.raises(RecipeError) as caught:
        plan_sweep("csv_moons", {"data.label": ["kind"]})
    assert str(caught.value) == (
        "sweep value data.label=kind: --grid: data.label: moons.csv has no column 'kind'"
    )
