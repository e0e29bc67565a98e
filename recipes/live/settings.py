"""What the page may ask for, checked before anything runs: a recipe by name, overrides as
``--set`` would give them, and loss files by name only from the allowed set (the configs' loss
files and those given with ``--loss-file``). A path or code in a request is refused: the lab
runs code only from files its user chose when starting it.
"""

from __future__ import annotations

import ast
import functools
import re
import shlex
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recipes.config.schema import ResolvedRecipe
from recipes.errors import RecipeError, first_line

KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*")


class BadRequest(Exception):
    """A request the lab refuses: 400 with ``{"error": message, "key": key}``."""

    def __init__(self, message: str, key: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.key = key
        self.status = status


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
    elif value is not None and not isinstance(value, (bool, int, float)):
        raise BadRequest(f"{key}: expected a number, text, list or mapping", key)
    return value


def run_request(body: Any, recipes: list[str], allowed: Mapping[str, str]) -> RunRequest:
    """A request's ``{"recipe": ..., "overrides": {...}}`` checked and resolved as
    ``python -m recipes check`` does; BadRequest with check's one line (and its key)."""
    from recipes.api import override_texts
    from recipes.config.resolve import resolve_recipe
    from recipes.datasets.sizes import estimate_dataset_size

    if not isinstance(body, Mapping):
        raise BadRequest('expected a JSON object such as {"recipe": "hinge", "overrides": {}}')
    unknown = sorted(set(body) - {"recipe", "overrides"})
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(map(str, unknown))}: use recipe, overrides")
    recipe, overrides = body.get("recipe"), body.get("overrides") or {}
    if not isinstance(recipe, str) or recipe not in recipes:
        raise BadRequest(f"recipe: expected one of {', '.join(recipes)}, got {recipe!r}", "recipe")
    if not isinstance(overrides, Mapping) or not all(isinstance(k, str) for k in overrides):
        raise BadRequest('overrides: expected a JSON object such as {"loss.gamma": 2}')
    for key in overrides:  # a key is a dotted name only: "a=b" in one would set another value
        if not KEY.fullmatch(key):
            raise BadRequest(f"overrides: '{key}' is not a config key such as loss.gamma", key)
    checked = {key: _refuse_paths_and_code(key, value, allowed) for key, value in overrides.items()}
    texts = override_texts(checked)
    try:
        resolved = resolve_recipe(recipe, texts)
    except RecipeError as error:
        raise BadRequest(first_line(error), error.key) from None
    keras = sys.modules.get("keras")  # loaded by the lab at its start
    if keras is not None and resolved.config.backend != keras.backend.backend():
        raise BadRequest(
            f"backend: this lab runs on {keras.backend.backend()}, not "
            f"{resolved.config.backend}; start another lab with KERAS_BACKEND set",
            "backend",
        )
    if resolved.config.task != "train":
        raise BadRequest(f"task: the lab trains recipes of task train, not {resolved.config.task}")
    size = estimate_dataset_size(resolved.config.data.name, resolved.config.data.params)
    if size is not None and size.features != 2:
        raise BadRequest(
            f"data: the lab draws data of two features; {resolved.config.data.name} has "
            f"{size.features} (python -m recipes run trains it)",
            "data",
        )
    command = " ".join(
        ["python -m recipes run", shlex.quote(recipe)]
        + [f"--set {shlex.quote(text)}" for text in texts]
    )
    return RunRequest(resolved, command)


@functools.cache
def two_feature_recipes() -> tuple[str, ...]:
    """The recipes the lab can draw: one run (no grid) of the train task on two features."""
    from recipes.config.layering import available_recipes
    from recipes.config.resolve import resolve_recipe
    from recipes.datasets.sizes import estimate_dataset_size

    found = []
    for name in available_recipes():
        try:
            config = resolve_recipe(name).config
            size = estimate_dataset_size(config.data.name, config.data.params)
        except (RecipeError, OSError, AttributeError):
            continue
        if config.task == "train" and not config.grid and size is not None and size.features == 2:
            found.append(name)
    return tuple(found)


def options(recipe: str, allowed: Mapping[str, str]) -> dict[str, Any]:
    """GET /api/options: the recipe's resolved config and every choice the page offers."""
    import recipes.datasets as datasets
    from recipes.components.keras_names import ACTIVATIONS, KERNEL_INITIALIZERS
    from recipes.components.losses import LOSSES
    from recipes.components.optimizers import OPTIMIZERS
    from recipes.config.resolve import resolve_recipe

    recipes = list(two_feature_recipes())
    if recipe not in recipes:
        raise BadRequest(f"recipe: expected one of {', '.join(recipes)}, got {recipe!r}", "recipe")
    losses = []
    for name in LOSSES.names():
        entry = LOSSES.entry(name)
        fields = entry.params.model_fields if entry.params is not None else {}
        parameters = {
            key: field.default for key, field in fields.items() if not field.is_required()
        }
        losses.append({"name": name, "labels": entry.info["labels"], "parameters": parameters})
    used = {resolve_recipe(name).config.data.name for name in recipes}
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
        "recipes": recipes,
    }
