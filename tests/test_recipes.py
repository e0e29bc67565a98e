"""Every recipe in configs/, with no test edit for a new one: each config validates (a sweep's
every grid point too), and one shrunk run of each kind of recipe trains from the command line.

A kind is what a recipe exercises beyond another: its task and, for a sweep, its report. A copy
of hinge.yaml under a new name is validated here and trains like hinge; a recipe with a new
task or report gets its own shrunk run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_recipe, shrink_grid, shrink_overrides

from recipes.config.layering import available_recipes
from recipes.config.resolve import resolve_recipe
from recipes.sweeps.grid import plan_sweep


def recipe_kind(recipe: str) -> tuple[str, str | None]:
    config = resolve_recipe(recipe).config
    return config.task, (config.report if config.grid else None)


def one_recipe_per_kind() -> list[str]:
    chosen: dict[tuple[str, str | None], str] = {}
    for recipe in available_recipes():
        chosen.setdefault(recipe_kind(recipe), recipe)
    return sorted(chosen.values())


@pytest.mark.parametrize("recipe", available_recipes())
def test_every_recipe_validates_as_written_and_shrunk(recipe):
    resolved = resolve_recipe(recipe)
    config = resolved.config
    assert resolved.name == recipe and config.backend in ("tensorflow", "jax", "torch")
    assert config.description, f"configs/{recipe}.yaml: give the recipe a description"
    resolve_recipe(recipe, shrink_overrides(recipe))
    if config.grid:
        _, axes, points = plan_sweep(recipe, overrides=shrink_overrides(recipe))
        assert len(points) > 1 and all(point.recipe is not None for point in points)
        assert [a.key for a in axes] == list(config.grid)


@pytest.mark.parametrize("recipe", available_recipes())
def test_every_recipe_says_how_to_run_it(recipe):
    first_line = Path(f"configs/{recipe}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# run: make "), first_line


def test_kinds_cover_training_the_gallery_and_every_sweep_report():
    kinds = {recipe_kind(recipe) for recipe in one_recipe_per_kind()}
    assert ("train", None) in kinds and ("loss_gallery", None) in kinds
    assert {report for _, report in kinds} >= {"compare_hinge", "mnist_table"}


@pytest.mark.parametrize("recipe", one_recipe_per_kind())
def test_a_shrunk_run_of_each_kind_completes(recipe, shrunk_run, tmp_path):
    """A sweep on the command line (its points are processes anyway); a single run in this
    process, where Keras is already loaded (the command line is tested in tests/training/)."""
    if shrink_grid(recipe):
        result, root = shrunk_run(recipe)
        assert result.returncode == 0, result.stderr[-3000:]
        folder = Path(result.stdout.strip().splitlines()[-1])
        assert folder.is_relative_to(root) and (root / "index.html").is_file()
        record = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    else:
        recipe_config = resolve_recipe(recipe, shrink_overrides(recipe))
        folder = run_recipe(recipe_config, tmp_path, verbose=0)
        record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "completed", record
