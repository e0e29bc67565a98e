"""Config layers: read YAML files, follow ``extends``, merge, and apply ``--set`` overrides.

Layers, later winning: ``configs/defaults.yaml`` <- the recipes a file ``extends`` (oldest
first) <- the recipe file <- ``--set key=value``. Mappings merge key by key; a scalar or list
replaces. For the named components (``data``, ``model``, ``loss``, ``optimizer``) a string is
shorthand for ``{name: ...}`` and a layer that names a different component replaces the whole
block, so a recipe that switches dataset never inherits the old dataset's parameters.

Every value set remembers the file it came from (``origins``; a key inside a block set whole,
the block's), so an error names that file.

YAML is read without aliases (:func:`load_yaml_text`): ``*name`` is refused where it is read,
so a file of nested aliases (a "billion laughs") cannot grow into a tree layering would walk.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from recipes.errors import RecipeError, first_line
from recipes.paths import CONFIG_DIR, display_path
from recipes.registry import did_you_mean

COMPONENT_KEYS = ("data", "model", "loss", "optimizer")
# Keys that say the same thing two ways (how long to train: epochs or optimizer steps; how the
# kernels start: init or kernel_initializer): a layer that sets one of them and not the other
# clears the other from the layers before it, so `--set train.epochs=3` on a recipe of
# `steps: 3000` trains 3 epochs, and `--set model.init=pytorch` on hinge's he_uniform kernels
# starts them as PyTorch does. A layer that sets both is refused by the schema.
EXCLUSIVE_KEYS = {"train": ("epochs", "steps"), "model": ("init", "kernel_initializer")}
EXTENDS_KEY = "extends"


class YamlAliasError(yaml.YAMLError):
    """An alias (``*name``) in YAML this project reads; ``problem_mark`` says where."""

    def __init__(self, anchor: str, mark: yaml.Mark) -> None:
        self.problem = f"YAML aliases (*{anchor}) are not supported; write the value out"
        self.problem_mark = mark
        super().__init__(self.problem)


class _NoAliasLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that stops at the first alias, before composing what it names:
    aliases are how a few lines of YAML expand into billions of nodes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlAliasError(event.anchor, event.start_mark)
        return super().compose_node(parent, index)


def load_yaml_text(text: str) -> Any:
    """``yaml.safe_load`` without aliases: :class:`YamlAliasError` at the first ``*name``."""
    return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader: builds plain data only


def alias_problem(error: yaml.YAMLError) -> str | None:
    """The message for a refused alias, None for any other YAML error."""
    return error.problem if isinstance(error, YamlAliasError) else None


def load_yaml_file(path: Path, empty_ok: bool = False) -> dict[str, Any]:
    """Read a YAML mapping; RecipeError (not a traceback) for a missing or broken file, one
    that uses aliases, or (unless ``empty_ok``: the defaults) an empty one."""
    label = display_path(path)
    if not path.is_file():
        raise RecipeError("config file not found", source=label)
    try:
        loaded = load_yaml_text(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or first_line(error)
        message = alias_problem(error) or (
            f"invalid YAML ({problem}). Fix the syntax, e.g. 'key: value' with consistent "
            "indentation"
        )
        raise RecipeError(f"{where}{message}", source=label) from None
    except UnicodeDecodeError:
        raise RecipeError("not a UTF-8 text file", source=label) from None
    if loaded is None and empty_ok:
        return {}
    if loaded is None:
        raise RecipeError(
            "the file is empty (no settings, at most comments). A recipe names a dataset, a "
            "model and a loss (see configs/hinge.yaml) or extends another (extends: hinge)",
            source=label,
        )
    if not isinstance(loaded, dict):
        raise RecipeError(
            "expected a mapping of keys (like 'seed: 0') at the top level, "
            f"got a {type(loaded).__name__}",
            source=label,
        )
    return loaded


def available_recipes(config_dir: Path = CONFIG_DIR) -> list[str]:
    """Recipe names: the YAML files in configs/ other than defaults.yaml."""
    return sorted(p.stem for p in config_dir.glob("*.yaml") if p.stem != "defaults")


def names_a_file(recipe: str) -> bool:
    """Whether ``recipe`` is a path to a YAML file (``configs/hinge.yaml``, ``../mine.yml``)
    rather than a recipe's name (``hinge``)."""
    return recipe.endswith((".yaml", ".yml")) or os.sep in recipe or "/" in recipe


def recipe_path(recipe: str, config_dir: Path = CONFIG_DIR, beside: Path | None = None) -> Path:
    """The config file ``recipe`` names: a path to a YAML file, else the project's recipe of
    that name (``config_dir``). ``beside``: the file that says ``extends: recipe``, whose folder
    a path is relative to and where ``<recipe>.yaml`` is looked for first."""
    folder = beside.parent if beside else None
    if names_a_file(recipe):
        path = folder / recipe if folder else Path(recipe)
        if folder and not path.is_file():
            raise RecipeError("config file not found", source=display_path(path))
        return path
    folders = [folder, config_dir] if folder else [config_dir]
    for candidate in (place / f"{recipe}.yaml" for place in folders):
        if candidate.is_file():
            return candidate
    recipes = available_recipes(config_dir)
    own = []
    if beside is not None:  # the YAML files beside the extending file, less that file itself
        own = [n for n in available_recipes(beside.parent) if n not in {*recipes, beside.stem}]
    own_files = f"; YAML files beside it: {', '.join(own)}" if own else ""
    raise RecipeError(
        f"unknown recipe '{recipe}'.{did_you_mean(recipe, [*recipes, *own])} The project's "
        f"recipes: {', '.join(recipes)}{own_files} (or give a path to a YAML file)"
    )


def extends_chain(path: Path, config_dir: Path = CONFIG_DIR) -> list[tuple[Path, dict[str, Any]]]:
    """``path`` and every file it extends, oldest ancestor first, each with its data (the
    ``extends`` key removed). A name extends ``<name>.yaml`` in the same folder, else the
    project's recipe of that name (``config_dir``), so a YAML file of one's own, anywhere, may
    ``extends: hinge``; a path is relative to the extending file. A cycle, a missing parent or
    a non-text value is an error."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    while True:
        if path.resolve() in seen:
            cycle = " -> ".join(display_path(p) for p in [*seen, path.resolve()])
            raise RecipeError(
                f"a cycle of extends ({cycle})", source=display_path(path), key=EXTENDS_KEY
            )
        seen.append(path.resolve())
        data = load_yaml_file(path)
        parent = data.pop(EXTENDS_KEY, None)
        chain.append((path, data))
        if parent is None:
            return chain[::-1]
        if not isinstance(parent, str) or not parent.strip():
            raise RecipeError(
                f"expected the name of another recipe (e.g. extends: hinge), got {parent!r}",
                source=display_path(path),
                key=EXTENDS_KEY,
            )
        try:
            parent_path = recipe_path(parent, config_dir, beside=path)
        except RecipeError as error:
            raise RecipeError(str(error), source=display_path(path), key=EXTENDS_KEY) from None
        path = parent_path


def normalise_component(value: Any) -> Any:
    """``hinge`` -> ``{name: hinge}``; anything else unchanged."""
    return {"name": value} if isinstance(value, str) else value


def merge_layer(
    base: dict[str, Any], layer: dict[str, Any], source: str, origins: dict[str, str], prefix=""
) -> dict[str, Any]:
    """Merge ``layer`` into ``base`` (returns a new dict) and note each value's source."""
    merged = copy.deepcopy(base)
    for key, value in layer.items():
        path = f"{prefix}{key}"
        if not prefix and key in COMPONENT_KEYS:
            value = normalise_component(value)
            old = merged.get(key)
            if (
                isinstance(value, dict)
                and isinstance(old, dict)
                and "name" in value
                and value.get("name") != old.get("name")
            ):
                merged[key] = None  # another component: start from its own defaults
        if not prefix and key in EXCLUSIVE_KEYS and isinstance(value, dict):
            value = _clear_exclusive(value, EXCLUSIVE_KEYS[key])
        old = merged.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and key != "grid":
            merged[key] = merge_layer(old, value, source, origins, prefix=f"{path}.")
        else:
            merged[key] = copy.deepcopy(value)
            for origin in [o for o in origins if o == path or o.startswith(path + ".")]:
                del origins[origin]
            origins[path] = source  # and of every key inside it (Origins.of: the parent's)
    return merged


def _clear_exclusive(block: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``block`` with the other exclusive keys set to None when it sets exactly one of
    ``keys`` (to a value): ``{"steps": 3000}`` -> ``{"steps": 3000, "epochs": None}``."""
    given = [key for key in keys if block.get(key) is not None]
    if len(given) != 1:
        return block
    return {**block, **{key: None for key in keys if key not in block}}


def overrides_as_layer(overrides: Iterable[str]) -> dict[str, Any]:
    """``["train.epochs=5", "seed=3"]`` -> ``{"train": {"epochs": 5}, "seed": 3}``."""
    layer: dict[str, Any] = {}
    for text in overrides:
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise RecipeError(f"--set expects key=value (e.g. --set train.epochs=5), got '{text}'")
        try:
            value = load_yaml_text(raw) if raw.strip() else ""  # the value is read as YAML
        except yaml.YAMLError as error:
            message = alias_problem(error) or f"cannot read value '{raw}' (write it as YAML)"
            raise RecipeError(message, source=f"--set {key}") from None
        parts = key.split(".")
        node = layer
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = normalise_component(child) if isinstance(child, str) else {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    return layer


def layered_config(
    path: Path, overrides: Iterable[str], config_dir: Path
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """defaults <- extended recipes <- ``path`` <- overrides: (merged data, origin of each
    key, the files read in order)."""
    origins: dict[str, str] = {}
    merged: dict[str, Any] = {}
    sources: list[str] = []
    layers = extends_chain(path, config_dir)
    defaults_file = config_dir / "defaults.yaml"
    if defaults_file.is_file() and defaults_file.resolve() not in {p.resolve() for p, _ in layers}:
        layers.insert(0, (defaults_file, load_yaml_file(defaults_file, empty_ok=True)))
    for layer_path, data in layers:
        merged = merge_layer(merged, data, display_path(layer_path), origins)
        sources.append(display_path(layer_path))
    overrides = list(overrides)
    if overrides:
        merged = merge_layer(merged, overrides_as_layer(overrides), "--set", origins)
    return merged, origins, sources
