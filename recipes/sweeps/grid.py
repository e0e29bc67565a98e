"""A sweep's grid: its axes (one per varied config key), its points (one per combination) and
the validation of every point before anything trains.

The grid comes from the recipe config's ``grid:`` key and from ``--grid key=v1,v2,...``
options (a command-line key replaces the config's values for that key). Values are YAML, so
``--grid loss=mse,bce`` gives two strings and ``--grid seed=0,1`` two integers. In the config a
value may be a mapping (``{name: binary_crossentropy, from_logits: true, label: BCE logits}``);
its optional ``label`` names it in tables and figures and is not part of the config.

Layering per point: ``defaults.yaml`` <- recipe <- grid values <- ``--set`` (so ``--set
loss.label_smoothing=0.1`` applies to every loss of a grid over ``loss``).
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from recipes.components.user_loss import anchored_loss
from recipes.config.layering import alias_problem, load_yaml_text, recipe_path
from recipes.config.resolve import resolve_recipe
from recipes.config.schema import (
    ResolvedRecipe,
    count_values,
    expand_ranges,
    grid_size_problem,
)
from recipes.errors import RecipeError, RecipeErrors
from recipes.paths import display_path
from recipes.records import GridAxis

LABEL_KEY = "label"


# ----------------------------------------------------------------------------------- the grid


@dataclass
class SweepPoint:
    """One combination of grid values: one run."""

    index: int  # 1-based, in grid order
    values: dict[str, Any]
    labels: dict[str, str]
    overrides: list[str]  # what the run gets as --set, grid values first, then the user's
    # the point's validated config (set by plan_sweep; not in sweep.json)
    recipe: ResolvedRecipe | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """``loss=MSE, seed=0``: how the run is named in progress lines and tables."""
        return ", ".join(f"{key}={label}" for key, label in self.labels.items())


def parse_grid_option(text: str) -> tuple[str, list[Any]]:
    """``loss=mse,bce`` -> ("loss", ["mse", "bce"]); values are read as one YAML flow list, so
    ``seed=0,1`` gives integers and ``loss={name: bce, from_logits: true},mse`` a mapping."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or not raw.strip():
        raise RecipeError(
            f"--grid expects key=value1,value2,... (e.g. --grid loss=mse,log_cosh), got '{text}'"
        )
    try:
        values = load_yaml_text(f"[{raw}]")
    except yaml.YAMLError as error:
        message = alias_problem(error) or f"cannot read '{raw}' as comma-separated YAML values"
        raise RecipeError(message, source=f"--grid {key}") from None
    if not values or any(value is None for value in values):
        raise RecipeError(f"empty value in '{raw}'", source=f"--grid {key}")
    return key, values


def grid_from_options(options: Iterable[str]) -> dict[str, list[Any]]:
    """Several ``--grid`` options as one mapping; a key given twice is an error."""
    grid: dict[str, list[Any]] = {}
    for option in options:
        key, values = parse_grid_option(option)
        if key in grid:
            raise RecipeError(
                f"--grid {key} is given twice", hint=f"list all its values once: --grid {key}=a,b,c"
            )
        grid[key] = values
    return grid


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a value used twice out twice: ``--set`` refuses aliases (``*id001``)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def yaml_value(value: Any) -> str:
    """A value as the YAML text ``--set key=...`` reads back to the same value."""
    text = yaml.dump(
        value, Dumper=_NoAliasDumper, default_flow_style=True, sort_keys=False, width=1 << 30
    )
    return text.removesuffix("\n...\n").strip()


def value_label(value: Any) -> str:
    """How a grid value is shown when it has no ``label``: ``mse``, ``0``,
    ``binary_crossentropy(from_logits=true)``."""
    if isinstance(value, Mapping) and "name" in value:
        params = ", ".join(f"{k}={yaml_value(v)}" for k, v in value.items() if k != "name")
        return f"{value['name']}({params})" if params else str(value["name"])
    return yaml_value(value)


def split_label(value: Any) -> tuple[Any, str]:
    """(value without its ``label`` key, display label)."""
    if isinstance(value, Mapping) and LABEL_KEY in value:
        label = value[LABEL_KEY]
        rest = {k: v for k, v in value.items() if k != LABEL_KEY}
        if not isinstance(label, (str, int, float)) or str(label).strip() == "":
            raise RecipeError(f"grid value {value_label(rest)}: label must be a non-empty text")
        if set(rest) == {"name"}:
            rest = rest["name"]  # {name: mse, label: MSE} is the same config as mse
        return rest, str(label)
    return value, value_label(value)


def build_axes(
    config_grid: Mapping[str, Sequence[Any]],
    cli_grid: Mapping[str, Sequence[Any]],
    config_source: str,
) -> list[GridAxis]:
    """The sweep's axes: the config's ``grid:`` with ``--grid`` keys replacing or adding.

    The grid is counted from its ranges before any is expanded, so ``seed=0..5000000`` is
    refused at once (more than ``schema.MAX_RUNS`` combinations)."""
    merged = {key: (values, f"{config_source}: grid") for key, values in config_grid.items()}
    merged.update({key: (values, "--grid") for key, values in cli_grid.items()})
    counts = []
    for key, (values, source) in merged.items():
        try:
            counts.append(count_values(values))
        except ValueError as error:
            raise RecipeError(str(error), source=source, key=key) from None
        if not isinstance(values, (str, list, tuple)) or not counts[-1]:
            raise RecipeError("expected a non-empty list of values", source=source, key=key)
    problem = grid_size_problem(counts)
    if problem:
        raise RecipeError(problem)
    axes: list[GridAxis] = []
    for key, (values, source) in merged.items():
        pairs = [split_label(value) for value in expand_ranges(values)]
        labels = [label for _, label in pairs]
        duplicates = sorted(
            label for label, count in collections.Counter(labels).items() if count > 1
        )
        if duplicates:
            raise RecipeError(
                f"the value(s) {', '.join(duplicates)} appear more than once (give each a "
                "distinct label)",
                source=source,
                key=key,
            )
        axes.append(
            GridAxis(key=key, values=[value for value, _ in pairs], labels=labels, source=source)
        )
    return axes


def _touches(path: str, key: str) -> bool:
    return path == key or path.startswith(key + ".") or key.startswith(path + ".")


def _culprits(path: str, axes: list[GridAxis]) -> list[GridAxis]:
    """The grid keys an error at ``path`` is most likely about: the key itself, else keys of
    the same block (``data.source`` for an error at ``data.path``), else none."""
    exact = [axis for axis in axes if _touches(path, axis.key)]
    if exact:
        return exact
    block = path.split(".")[0]
    return [axis for axis in axes if axis.key.split(".")[0] == block]


def _grid_error(
    error: RecipeError, point: SweepPoint, axes: list[GridAxis], user_keys: list[str]
) -> list[tuple[str, RecipeError]]:
    """A combination's validation error as (grid values it is about, problem) pairs, the
    problem's source changed from ``--set`` to where the grid value came from."""
    pairs = []
    for problem in error.problems:
        path = problem.key or ""
        culprits = _culprits(path, axes)
        user_set = any(_touches(path, key) for key in user_keys)
        if problem.source == "--set" and culprits and not user_set:
            problem = problem.replace(source=culprits[0].source)
        named = culprits or axes
        pairs.append((", ".join(f"{a.key}={point.labels[a.key]}" for a in named), problem))
    return pairs


def plan_sweep(
    recipe: str,
    grid: Mapping[str, Sequence[Any]] | None = None,
    overrides: Sequence[str] = (),
    backend: str | None = None,
) -> tuple[ResolvedRecipe, list[GridAxis], list[SweepPoint]]:
    """Validate a sweep completely, before anything trains.

    Returns the base recipe (with ``overrides``), the axes and the points, each with its
    resolved recipe (``point.recipe``). Raises RecipeError listing every distinct problem
    (one line each).
    """
    overrides = list(overrides)
    base = resolve_recipe(recipe, overrides, backend)
    config_source = display_path(recipe_path(recipe))
    axes = build_axes(base.config.grid, grid or {}, config_source)
    if not axes:
        raise RecipeError(
            f"{config_source}: nothing to sweep: give --grid key=value1,value2 (e.g. --grid "
            "seed=0,1,2) or a 'grid:' mapping in the config"
        )
    user_keys = [text.partition("=")[0].strip() for text in overrides]
    clashes = [axis for axis in axes if axis.key in user_keys]
    if clashes:
        raise RecipeError(
            f"--set {clashes[0].key}=... clashes with the grid's {clashes[0].key} "
            f"({clashes[0].source}); drop one of them"
        )
    points: list[SweepPoint] = []
    # each distinct problem once, with the first grid values that showed it
    problems: dict[str, tuple[str, RecipeError]] = {}
    for index, combination in enumerate(
        itertools.product(*(range(len(axis.values)) for axis in axes)), start=1
    ):
        values = {axis.key: axis.values[i] for axis, i in zip(axes, combination, strict=True)}
        if "loss" in values:  # a user's loss file named relative to the config file
            values["loss"] = anchored_loss(values["loss"], recipe_path(recipe).parent)
        labels = {axis.key: axis.labels[i] for axis, i in zip(axes, combination, strict=True)}
        grid_overrides = [f"{key}={yaml_value(value)}" for key, value in values.items()]
        # Each run's config.yaml holds the one point it ran, not the whole grid.
        point_overrides = [*grid_overrides, "grid={}", *overrides]
        point = SweepPoint(index, values, labels, point_overrides)
        points.append(point)
        try:
            point.recipe = resolve_recipe(recipe, point_overrides, backend)
        except RecipeError as error:
            for label, problem in _grid_error(error, point, axes, user_keys):
                problems.setdefault(problem.render(), (label, problem))
    if problems:
        raise RecipeErrors(
            [
                problem.replace(
                    source=f"sweep value {label}"
                    + (f": {problem.source}" if problem.source else "")
                )
                for label, problem in problems.values()
            ]
        )
    return base, axes, points
