"""What the page may ask for, checked before anything runs: a recipe by name, overrides as
``--set`` would give them, and loss files by name only from the allowed set (the configs' loss
files and those given with ``--loss-file``). A path or code in a request is refused: the lab
runs code only from files its user chose when starting it.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recipes.config.schema import ResolvedRecipe
from recipes.errors import RecipeError
from recipes.live.guard import BadRequest
from recipes.live.watch import command_line

KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*")


def loss_functions(path: Path) -> list[str]:
    """The top-level functions and classes a loss file defines (read, never executed)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError) as error:
        raise RecipeError(f"--loss-file {path}: cannot read it as Python: {error}") from None
    kinds = (ast.FunctionDef, ast.ClassDef)
    return [node.name for node in tree.body if isinstance(node, kinds) and node.name[0] != "_"]


def allowed_loss_files(given: Iterable[str]) -> dict[str, str]:
    """Name (``file.py:function``) -> the loss reference a config takes (absolute path): the
    configs' loss files (configs/losses/) and each ``--loss-file FILE[:FUNCTION]``."""
    from recipes.config.layering import CONFIG_DIR

    allowed: dict[str, str] = {}
    sources = [str(path) for path in sorted((CONFIG_DIR / "losses").glob("*.py"))]
    for text in [*sources, *given]:
        file_text, _, function = text.partition(":") if text.count(":") == 1 else (text, "", "")
        path = Path(file_text).expanduser().resolve()
        if not path.is_file() or path.suffix != ".py":
            raise RecipeError(f"--loss-file {text}: no such Python file; give FILE.py[:FUNCTION]")
        functions = [function] if function else loss_functions(path)
        for name in functions:
            allowed[f"{path.name}:{name}"] = f"{path}:{name}"
    return allowed


@dataclass
class RunRequest:
    """One checked setting: the resolved recipe and the command line that trains it."""

    recipe: ResolvedRecipe
    command: str


def _refuse_paths_and_code(key: str, value: Any, allowed: Mapping[str, str]) -> Any:
    """``value`` with an allowed loss file's name replaced by its reference; BadRequest for a
    path or a ``module:function`` anywhere in it."""
    if isinstance(value, Mapping):
        return {
            name: _refuse_paths_and_code(f"{key}.{name}", item, allowed)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [_refuse_paths_and_code(key, item, allowed) for item in value]
    if isinstance(value, str):
        if value in allowed and key in ("loss", "loss.name"):
            return allowed[value]
        if any(mark in value for mark in ("/", "\\", ":")) or value.endswith(".py"):
            raise BadRequest(
                f"{key}: '{value}' is a path or code; the lab takes loss files by name only "
                f"({', '.join(allowed) or 'none allowed'}; start the lab with --loss-file FILE "
                "for another)",
                key,
            )
    return value  # JSON's other values: numbers, true/false, null


def drawable_recipe(recipe: Any) -> str:
    """``recipe`` when it names a recipe the lab can draw (never a path); RecipeError else
    (the command line's exit status 2, the API's 400)."""
    recipes = two_feature_recipes()
    if not isinstance(recipe, str) or recipe not in recipes:
        message = f"{recipe!r} is not a recipe the lab can draw; choose one of {', '.join(recipes)}"
        raise RecipeError(message, key="recipe")
    return recipe


def run_request(body: Any, allowed: Mapping[str, str]) -> RunRequest:
    """A request's ``{"recipe": ..., "overrides": {...}}`` checked and resolved as
    ``python -m recipes check`` does; RecipeError or BadRequest, each one line (and its key)."""
    from recipes.api import override_texts
    from recipes.config.resolve import resolve_recipe
    from recipes.training.backend import refuse_other_backend

    if not isinstance(body, Mapping):
        raise BadRequest('expected a JSON object such as {"recipe": "hinge", "overrides": {}}')
    unknown = sorted(set(body) - {"recipe", "overrides"})
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(map(str, unknown))}: use recipe, overrides")
    recipe, overrides = drawable_recipe(body.get("recipe")), body.get("overrides") or {}
    if not isinstance(overrides, Mapping):
        raise BadRequest('overrides: expected a JSON object such as {"loss.gamma": 2}')
    for key in overrides:  # a key is a dotted name only: "a=b" in one would set another value
        if not KEY.fullmatch(key):
            raise BadRequest(f"overrides: '{key}' is not a config key such as loss.gamma", key)
    checked = {key: _refuse_paths_and_code(key, value, allowed) for key, value in overrides.items()}
    texts = override_texts(checked)
    # check's one line (a RecipeError, answered 400 with its key), as for a run's config
    resolved = resolve_recipe(recipe, texts)
    refuse_other_backend(resolved.config.backend)  # one process holds one Keras backend
    problem = cannot_draw(resolved.config)
    if problem is not None:
        raise BadRequest(problem, problem.partition(":")[0])
    return RunRequest(resolved, command_line(recipe, texts))


def cannot_draw(config: Any) -> str | None:
    """Why the lab cannot draw runs of ``config`` (its one line, starting with the key), or
    None: it draws runs of the train task on two features."""
    from recipes.datasets.sizes import estimate_dataset_size

    if config.task != "train":
        return f"task: the lab trains recipes of task train, not {config.task}"
    size = estimate_dataset_size(config.data.name, config.data.params)
    if size is None or size.features == 2:
        return None
    return (
        f"data: the lab draws data of two features; {config.data.name} has {size.features} "
        "(python -m recipes run trains it)"
    )


@functools.cache
def drawn_data() -> dict[str, str]:
    """The recipes the lab can draw (one run, no grid, of the train task on two features),
    each with the name of its data, resolved once."""
    from recipes.config.layering import available_recipes
    from recipes.config.resolve import resolve_recipe

    found = {}
    for name in available_recipes():
        try:
            config = resolve_recipe(name).config
            if not config.grid and cannot_draw(config) is None:
                found[name] = config.data.name
        except (RecipeError, OSError, AttributeError):
            continue
    return found


def two_feature_recipes() -> tuple[str, ...]:
    """The recipes the lab can draw."""
    return tuple(drawn_data())


def options(recipe: str, allowed: Mapping[str, str]) -> dict[str, Any]:
    """GET /api/options: the recipe's resolved config and every choice the page offers."""
    import recipes.datasets as datasets
    from recipes.components.keras_names import ACTIVATIONS, KERNEL_INITIALIZERS
    from recipes.components.losses import LOSSES
    from recipes.components.optimizers import OPTIMIZERS
    from recipes.config.resolve import resolve_recipe

    recipe, recipes = drawable_recipe(recipe), two_feature_recipes()
    losses = []
    for name in LOSSES.names():
        entry = LOSSES.entry(name)
        fields = entry.params.model_fields if entry.params is not None else {}
        parameters = {
            key: field.default for key, field in fields.items() if not field.is_required()
        }
        losses.append({"name": name, "labels": entry.info["labels"], "parameters": parameters})
    used = set(drawn_data().values())
    return {
        "recipe": recipe,
        "config": resolve_recipe(recipe).config.as_mapping(),
        "choices": {
            "datasets": sorted(used | {"circles", "rings"} & set(datasets.DATASETS.names())),
            "losses": losses,
            "activations": list(ACTIVATIONS),
            "initializers": list(KERNEL_INITIALIZERS),
            "optimizers": OPTIMIZERS.names(),
            "loss_files": list(allowed),
        },
        "recipes": list(recipes),
    }
