"""A grid is counted from its ranges, never expanded, before its size is checked: a sweep of
five million seeds is refused at once and in little memory."""

from __future__ import annotations

import tracemalloc

import pytest

from recipes.config.resolve import resolve_recipe
from recipes.config.schema import count_values, expand_ranges
from recipes.errors import RecipeError
from recipes.sweeps.grid import build_axes, grid_from_options, plan_sweep

TOO_MANY = "the grid has 5000001 combinations; at most 1000 per sweep"
MEMORY_LIMIT = 5_000_000  # bytes; the expanded range alone would be over 200 MB


def _refused_in_little_memory(call) -> str:
    tracemalloc.start()
    try:
        with pytest.raises(RecipeError) as caught:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT
    return str(caught.value)


def test_ranges_are_counted_without_expanding():
    assert count_values("0..5000000") == 5_000_001
    assert count_values(["0..9", 20, "30..31"]) == 13
    assert count_values([]) == 0
    assert expand_ranges(["0..2", 20]) == [0, 1, 2, 20]
    with pytest.raises(ValueError, match="range 4..1 is empty; write 1..4"):
        count_values("4..1")


def test_a_huge_grid_set_on_the_command_line_is_refused_when_validated():
    message = _refused_in_little_memory(lambda: resolve_recipe("hinge", ["grid.seed=0..5000000"]))
    assert message == f"--set: grid: {TOO_MANY}"


def test_a_huge_grid_in_a_file_names_the_file(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(
        "data: circles\nmodel: {name: mlp, hidden_units: [4, 2], output: tanh}\nloss: hinge\n"
        "grid:\n  seed: 0..5000000\n"
    )
    message = _refused_in_little_memory(lambda: resolve_recipe(str(path)))
    assert message == f"{path}: grid: {TOO_MANY}"


def test_a_huge_command_line_grid_is_refused_before_a_point_is_built():
    grid = grid_from_options(["seed=0..5000000"])
    message = _refused_in_little_memory(lambda: plan_sweep("hinge", grid))
    assert message == TOO_MANY


def test_the_size_is_the_product_of_every_axis():
    with pytest.raises(RecipeError) as caught:
        build_axes({"seed": ["0..500"]}, {"loss": ["hinge", "squared_hinge"]}, "configs/x.yaml")
    assert str(caught.value) == "the grid has 1002 combinations; at most 1000 per sweep"
    axes = build_axes({"seed": ["0..499"]}, {"loss": ["hinge", "squared_hinge"]}, "c.yaml")
    assert [len(axis.values) for axis in axes] == [500, 2]


def test_duplicate_labels_are_each_named_once():
    values = [*range(1000)][:-3] + [5, 5, 7]
    with pytest.raises(RecipeError) as caught:
        build_axes({"seed": values}, {}, "configs/x.yaml")
    assert str(caught.value) == (
        "configs/x.yaml: grid: seed: the value(s) 5, 7 appear more than once (give each a "
        "distinct label)"
    )
