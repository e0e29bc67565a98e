"""Recipe configs: load, layer, validate; all before Keras is imported.

Layers, later winning: ``configs/defaults.yaml`` <- ``configs/<recipe>.yaml`` <- ``--set``.
Mappings merge key by key; a scalar or list replaces. For the named components (``data``,
``model``, ``loss``, ``optimizer``) a string is shorthand for ``{name: ...}`` and a layer that
names a different component replaces the whole block, so a recipe that switches dataset never
inherits the old dataset's parameters.

Every key is checked: an unknown key is an error naming the file it came from, its path and the
closest valid name (``configs/hinge.yaml: train.epoch: unknown key. Did you mean 'epochs'?``).
"""

from __future__ import annotations

import copy
import os
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, Union

import pydantic
import yaml

import datasets
from recipes.errors import RecipeError
from recipes.losses import LOSSES
from recipes.metrics import METRICS
from recipes.models import MODELS
from recipes.optimizers import OPTIMIZERS
from recipes.registry import Registry, closest_name, did_you_mean

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "configs"
DEFAULTS_FILE = CONFIG_DIR / "defaults.yaml"
DEFAULT_OUTPUT_ROOT = PROJECT_ROOT / "outputs"
COMPONENT_REGISTRIES: dict[str, Registry] = {
    "data": datasets.DATASETS,
    "model": MODELS,
    "loss": LOSSES,
}
BACKENDS = ("tensorflow", "jax", "torch")

# Names people carry over from Keras 2, PyTorch or the tutorials; difflib alone would not match.
KNOWN_RENAMES = {
    "lr": "learning_rate",
    "epoch": "epochs",
    "n_epochs": "epochs",
    "num_epochs": "epochs",
    "batchsize": "batch_size",
    "validation_size": "validation_split",
    "val_split": "validation_split",
}


class Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", validate_assignment=True)


class Component(Strict):
    """A named registry entry plus its validated parameters."""

    name: str
    params: dict[str, Any] = {}

    def as_mapping(self) -> dict[str, Any]:
        return {"name": self.name, **self.params}


class OptimizerConfig(Strict):
    name: str = "adam"
    learning_rate: pydantic.PositiveFloat = 0.001
    momentum: float | None = pydantic.Field(None, ge=0, lt=1)
    weight_decay: float | None = pydantic.Field(None, ge=0)
    exclude_from_weight_decay: list[str] = pydantic.Field(
        default_factory=list,
        description="variable-name fragments weight decay skips, e.g. ['bias']",
    )

    @pydantic.field_validator("name")
    @classmethod
    def _known_optimizer(cls, value: str) -> str:
        return OPTIMIZERS.canonical(value)


class EarlyStoppingConfig(Strict):
    monitor: str = pydantic.Field(description="e.g. val_loss or val_auc")
    mode: Literal["min", "max"]
    patience: pydantic.NonNegativeInt = 3
    restore_best_weights: bool = True
    min_delta: pydantic.NonNegativeFloat = 0.0


class TrainConfig(Strict):
    epochs: pydantic.PositiveInt = 10
    batch_size: pydantic.PositiveInt = 32
    validation_split: float = pydantic.Field(0.2, ge=0, lt=1)
    shuffle: bool = True
    steps_per_execution: pydantic.PositiveInt = pydantic.Field(
        1, description="training steps per compiled call (the torch backend needs 1)"
    )
    jit_compile: bool | Literal["auto"] = "auto"
    early_stopping: EarlyStoppingConfig | None = None


class PlotsConfig(Strict):
    decision_boundary: bool = True
    loss: bool = True
    predictions: bool = False
    dpi: int = pydantic.Field(
        120, ge=50, le=400, description="also sets the decision-boundary grid (one point a pixel)"
    )


class RecipeConfig(Strict):
    """The whole validated config of one run."""

    description: str = ""
    kind: Literal["train", "gallery"] = "train"
    seed: pydantic.NonNegativeInt = 0
    backend: Literal["tensorflow", "jax", "torch"] | None = None
    data: Component | None = None
    model: Component | None = None
    loss: Component | None = None
    metrics: list[Component] = []
    optimizer: OptimizerConfig = OptimizerConfig()
    train: TrainConfig = TrainConfig()
    plots: PlotsConfig = PlotsConfig()
    grid: dict[str, list[Any]] = pydantic.Field(
        default_factory=dict, description="values per key for `python -m recipes sweep`"
    )

    def as_mapping(self) -> dict[str, Any]:
        """The resolved config as plain data (what config.yaml holds)."""
        dumped = self.model_dump(mode="json")
        for key in ("data", "model", "loss"):
            component = getattr(self, key)
            dumped[key] = component.as_mapping() if component else None
        dumped["metrics"] = [metric.as_mapping() for metric in self.metrics]
        return dumped


class ResolvedRecipe(pydantic.BaseModel):
    """A validated config plus where it came from."""

    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)

    name: str
    config: RecipeConfig
    sources: list[str]
    overrides: list[str] = []


# --------------------------------------------------------------------------------------- loading


def display_path(path: Path) -> str:
    """A path relative to the current folder when it is inside it, for short messages."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml_file(path: Path) -> dict[str, Any]:
    """Read a YAML mapping; RecipeError (not a traceback) for a missing or broken file."""
    label = display_path(path)
    if not path.is_file():
        raise RecipeError(f"{label}: config file not found")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise RecipeError(
            f"{label}: {where}invalid YAML ({problem}). Fix the syntax, e.g. 'key: value' "
            "with consistent indentation"
        ) from None
    except UnicodeDecodeError:
        raise RecipeError(f"{label}: not a UTF-8 text file") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise RecipeError(
            f"{label}: expected a mapping of keys (like 'seed: 0') at the top level, "
            f"got a {type(loaded).__name__}"
        )
    return loaded


def available_recipes(config_dir: Path = CONFIG_DIR) -> list[str]:
    """Recipe names: the YAML files in configs/ other than defaults.yaml."""
    return sorted(p.stem for p in config_dir.glob("*.yaml") if p.stem != "defaults")


def recipe_path(recipe: str, config_dir: Path = CONFIG_DIR) -> Path:
    """The config file for a recipe name, or ``recipe`` itself when it is a path."""
    if recipe.endswith((".yaml", ".yml")) or os.sep in recipe or "/" in recipe:
        return Path(recipe)
    candidate = config_dir / f"{recipe}.yaml"
    if candidate.is_file():
        return candidate
    names = available_recipes(config_dir)
    raise RecipeError(
        f"unknown recipe '{recipe}'.{did_you_mean(recipe, names)} "
        f"Recipes: {', '.join(names)} (or give a path to a YAML file)"
    )


def parse_override(text: str) -> tuple[str, Any]:
    """``train.epochs=5`` -> ("train.epochs", 5); the value is read as YAML."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise RecipeError(f"--set expects key=value (e.g. --set train.epochs=5), got '{text}'")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        raise RecipeError(f"--set {key}: cannot read value '{raw}' (write it as YAML)") from None
    return key, value


def _normalise_component(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


def merge_layer(
    base: dict[str, Any], layer: dict[str, Any], source: str, origins: dict[str, str], prefix=""
) -> dict[str, Any]:
    """Merge ``layer`` into ``base`` (returns a new dict) and note each leaf's source."""
    merged = copy.deepcopy(base)
    for key, value in layer.items():
        path = f"{prefix}{key}"
        if not prefix and key in (*COMPONENT_REGISTRIES, "optimizer"):
            value = _normalise_component(value)
            old = merged.get(key)
            if (
                isinstance(value, dict)
                and isinstance(old, dict)
                and "name" in value
                and value.get("name") != old.get("name")
            ):
                old = None  # another component: start from its own defaults
                merged[key] = None
        old = merged.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and key != "grid":
            merged[key] = merge_layer(old, value, source, origins, prefix=f"{path}.")
        else:
            merged[key] = copy.deepcopy(value)
            for origin in [o for o in origins if o == path or o.startswith(path + ".")]:
                del origins[origin]
            origins[path] = source
            if isinstance(value, dict):
                for sub in _leaf_paths(value, path):
                    origins[sub] = source
    return merged


def _leaf_paths(mapping: dict[str, Any], prefix: str) -> Iterable[str]:
    for key, value in mapping.items():
        path = f"{prefix}.{key}"
        yield path
        if isinstance(value, dict):
            yield from _leaf_paths(value, path)


def overrides_as_layer(overrides: Iterable[str]) -> dict[str, Any]:
    """``["train.epochs=5", "seed=3"]`` -> ``{"train": {"epochs": 5}, "seed": 3}``."""
    layer: dict[str, Any] = {}
    for text in overrides:
        key, value = parse_override(text)
        parts = key.split(".")
        node = layer
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = _normalise_component(child) if isinstance(child, str) else {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    return layer


# ------------------------------------------------------------------------------------ validation


def _unwrap_model(annotation: Any) -> type[pydantic.BaseModel] | None:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _unwrap_model(arg)
            if found:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    return None


def _valid_keys(model: type[pydantic.BaseModel], loc: tuple) -> list[str]:
    """Field names of the (nested) model at ``loc``, for 'did you mean' hints."""
    current: type[pydantic.BaseModel] | None = model
    for part in loc:
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            return []
        current = _unwrap_model(current.model_fields[part].annotation)
    return list(current.model_fields) if current else []


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def format_validation_error(
    error: pydantic.ValidationError,
    model: type[pydantic.BaseModel],
    prefix: tuple = (),
    origins: dict[str, str] | None = None,
    default_source: str = "config",
) -> str:
    """One line per problem: ``source: key.path: what is wrong; what to do``."""
    lines = []
    for detail in error.errors():
        loc = tuple(detail["loc"])
        path = ".".join(str(part) for part in (*prefix, *loc)) or "(top level)"
        kind = detail["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            valid = _valid_keys(model, loc[:-1])
            suggestion = KNOWN_RENAMES.get(key) if KNOWN_RENAMES.get(key) in valid else None
            suggestion = suggestion or closest_name(key, valid)
            message = "unknown key."
            if suggestion:
                message += f" Did you mean '{suggestion}'?"
            if valid:
                message += f" Valid keys here: {', '.join(valid)}"
        elif kind == "missing":
            message = "required key is missing"
        elif kind in ("value_error", "assertion_error"):
            message = str(detail["msg"]).removeprefix("Value error, ")
        else:
            message = (
                f"{detail['msg'][0].lower()}{detail['msg'][1:]}; got {_describe(detail['input'])}"
            )
        source = _origin_of(path, origins or {}, default_source)
        lines.append(f"{source}: {path}: {message}")
    return "\n".join(lines)


def _origin_of(path: str, origins: dict[str, str], default: str) -> str:
    parts = path.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ".".join(parts[:length])
        if candidate in origins:
            return origins[candidate]
    return default


def _validate_component(
    key: str, spec: Any, registry: Registry, origins: dict[str, str], default_source: str
) -> Component:
    spec = _normalise_component(spec)
    if not isinstance(spec, dict):
        source = _origin_of(key, origins, default_source)
        raise RecipeError(
            f"{source}: {key}: expected a name or a mapping with 'name', got {_describe(spec)}"
        )
    if "name" not in spec:
        source = _origin_of(key, origins, default_source)
        raise RecipeError(
            f"{source}: {key}.name: required key is missing. Valid names: "
            f"{', '.join(registry.names())}"
        )
    try:
        name = registry.canonical(spec["name"])
    except RecipeError as error:
        source = _origin_of(f"{key}.name", origins, default_source)
        raise RecipeError(f"{source}: {key}.name: {error}") from None
    params = {k: v for k, v in spec.items() if k != "name"}
    params_model = registry.entry(name).params
    if params_model is None:
        return Component(name=name, params=params)
    try:
        validated = params_model.model_validate(params)
    except pydantic.ValidationError as error:
        raise RecipeError(
            format_validation_error(error, params_model, (key,), origins, default_source)
        ) from None
    return Component(name=name, params=validated.model_dump(mode="json"))


def validate_config(
    raw: dict[str, Any], origins: dict[str, str] | None = None, default_source: str = "config"
) -> RecipeConfig:
    """Validate merged config data; RecipeError with one line per problem."""
    origins = origins or {}
    raw = dict(raw)
    components: dict[str, Any] = {}
    for key, registry in COMPONENT_REGISTRIES.items():
        if raw.get(key) is not None:
            components[key] = _validate_component(
                key, raw.pop(key), registry, origins, default_source
            )
    metric_specs = raw.pop("metrics", None) or []
    if not isinstance(metric_specs, list):
        source = _origin_of("metrics", origins, default_source)
        raise RecipeError(
            f"{source}: metrics: expected a list of names, got {_describe(metric_specs)}"
        )
    metrics = [
        _validate_component(f"metrics.{index}", spec, METRICS, origins, default_source)
        for index, spec in enumerate(metric_specs)
    ]
    try:
        config = RecipeConfig.model_validate({**raw, "metrics": []})
    except pydantic.ValidationError as error:
        raise RecipeError(
            format_validation_error(error, RecipeConfig, (), origins, default_source)
        ) from None
    config = config.model_copy(update={**components, "metrics": metrics})
    if config.kind == "train":
        missing = [key for key in ("data", "model", "loss") if getattr(config, key) is None]
        if missing:
            raise RecipeError(
                f"{default_source}: {', '.join(missing)}: required for a training recipe "
                "(name a dataset, a model and a loss)"
            )
        if config.backend == "torch" and config.train.steps_per_execution != 1:
            raise RecipeError(
                f"{default_source}: train.steps_per_execution: the torch backend supports only 1, "
                f"got {config.train.steps_per_execution}. Add --set train.steps_per_execution=1"
            )
    return config


def resolve_recipe(
    recipe: str,
    overrides: Iterable[str] = (),
    backend: str | None = None,
    config_dir: Path = CONFIG_DIR,
) -> ResolvedRecipe:
    """Load defaults <- recipe file <- ``--set`` overrides, validate, choose the backend."""
    overrides = list(overrides)
    path = recipe_path(recipe, config_dir)
    origins: dict[str, str] = {}
    defaults_file = config_dir / "defaults.yaml"
    sources = []
    merged: dict[str, Any] = {}
    if defaults_file.is_file() and path.resolve() != defaults_file.resolve():
        merged = merge_layer(
            merged, load_yaml_file(defaults_file), display_path(defaults_file), origins
        )
        sources.append(display_path(defaults_file))
    merged = merge_layer(merged, load_yaml_file(path), display_path(path), origins)
    sources.append(display_path(path))
    if overrides:
        merged = merge_layer(merged, overrides_as_layer(overrides), "--set", origins)
    if backend is not None:
        merged["backend"] = backend
        origins["backend"] = "--backend"
    if merged.get("backend") is None:
        environment_backend = os.environ.get("KERAS_BACKEND")
        if environment_backend:
            merged["backend"] = environment_backend
            origins["backend"] = "KERAS_BACKEND"
        else:
            merged["backend"] = "tensorflow"
    config = validate_config(merged, origins, display_path(path))
    return ResolvedRecipe(name=path.stem, config=config, sources=sources, overrides=overrides)
