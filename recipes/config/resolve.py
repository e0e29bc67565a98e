"""Recipe configs: load, layer, validate; all before Keras is imported.

:func:`resolve_recipe` is the one entry point: it layers the files (see
:mod:`recipes.config.layering`), chooses the backend and validates every key. An unknown key
is an error naming the file it came from, its path and the closest valid name
(``configs/hinge.yaml: train.epoch: unknown key. Did you mean 'epochs'?``).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pydantic

import recipes.datasets as datasets
from recipes.components.keras_names import known
from recipes.components.losses import LOSSES, loss_label_encoding, refused_loss
from recipes.components.metrics import METRICS
from recipes.components.models import MODELS, model_output_units
from recipes.components.user_loss import folder_copy, is_user_loss, validate_user_loss
from recipes.config.layering import layered_config, normalise_component, recipe_path
from recipes.config.messages import Origins, describe, format_validation_error, valid_keys
from recipes.config.schema import Component, RecipeConfig, ResolvedRecipe
from recipes.config.sizes import check_sizes
from recipes.errors import RecipeError, RecipeErrors
from recipes.paths import CONFIG_DIR, display_path
from recipes.plugins import TASKS
from recipes.registry import Registry

COMPONENT_REGISTRIES: dict[str, Registry] = {
    "data": datasets.DATASETS,
    "model": MODELS,
    "loss": LOSSES,
}


def _validate_component(
    key: str, spec: Any, registry: Registry, origins: Origins, backend: str | None = None
) -> Component:
    spec = normalise_component(spec)
    if not isinstance(spec, dict):
        raise origins.error(key, f"expected a name or a mapping with 'name', got {describe(spec)}")
    if "name" not in spec:
        names = ", ".join(registry.names())
        raise origins.error(f"{key}.name", f"required key is missing. Valid names: {names}")
    is_loss = registry is LOSSES
    if is_loss and is_user_loss(spec["name"]):
        return _validate_user_loss(key, spec, origins, backend)
    if is_loss and refused_loss(spec["name"]):
        raise origins.error(f"{key}.name", refused_loss(spec["name"]))
    try:
        name = registry.canonical(spec["name"])
    except RecipeError as error:
        raise error.replace(source=origins.of(f"{key}.name"), key=f"{key}.name") from None
    params = {k: v for k, v in spec.items() if k != "name"}
    params_model = registry.entry(name).params
    if params_model is None:
        return Component(name=name, params=params)
    try:
        validated = params_model.model_validate(params)
    except pydantic.ValidationError as error:
        raise format_validation_error(error, params_model, origins, (key,)) from None
    return Component(name=name, params=validated.model_dump(mode="json"))


def _validate_user_loss(key: str, spec: dict, origins: Origins, backend: str | None) -> Component:
    """A user's ``file.py:function`` loss (``key``: ``loss`` or ``gallery.losses.N``): checked
    from its file before Keras is imported; the name is made absolute, relative to the config
    file that gave it (else the current folder)."""
    source = origins.of(f"{key}.name")
    config_file = Path(source.split(": ")[0])  # a sweep point's: "configs/compare_hinge.yaml: grid"
    base_dir = config_file.resolve().parent if config_file.is_file() else None
    try:
        name, params = validate_user_loss(spec, base_dir, backend)
    except RecipeError as error:
        problem_key = key + (error.key or "loss").removeprefix("loss")
        raise error.replace(source=origins.of(problem_key), key=problem_key) from None
    return Component(name=name, params=params)


def _validate_list(
    key: str,
    what: str,
    specs: Any,
    registry: Registry,
    origins: Origins,
    backend: str | None = None,
) -> list[Component]:
    """A list of components (``metrics``, ``gallery.losses``), each checked as a component;
    one line when it is not a list."""
    specs = specs or []
    if not isinstance(specs, list):
        raise origins.error(key, f"expected a list of {what}, got {describe(specs)}")
    return [
        _validate_component(f"{key}.{index}", spec, registry, origins, backend)
        for index, spec in enumerate(specs)
    ]


def _check_task_needs(config: RecipeConfig, origins: Origins) -> None:
    needs = TASKS.entry(config.task).info.get("needs", ())
    missing = [key for key in needs if getattr(config, key) is None]
    if missing:
        raise RecipeError(
            f"required for task '{config.task}' (name a dataset, a model and a loss)",
            source=origins.default,
            key=", ".join(missing),
        )
    if config.train.tensorboard and importlib.util.find_spec("tensorboard") is None:
        raise origins.error(
            "train.tensorboard",
            "needs the tensorboard package; install it with "
            ".venv/bin/pip install -e '.[tensorboard]' (or make tensorboard)",
        )
    stopping = config.train.early_stopping
    logged = ["loss", *(metric.name for metric in config.metrics)]  # Keras logs these names
    if stopping is not None and needs:
        monitors = [*logged, *(f"val_{name}" for name in logged)]
        try:
            known("metric", stopping.monitor, monitors)
        except ValueError as error:
            raise origins.error("train.early_stopping.monitor", str(error)) from None
    steps = config.train.steps_per_execution
    if config.backend == "torch" and steps not in (1, "auto") and needs:
        raise RecipeError(
            f"the torch backend supports only 1, got {steps}. Add --set "
            "train.steps_per_execution=auto (1 on torch, 32 elsewhere)",
            source=origins.default,
            key="train.steps_per_execution",
        )
    if config.train.trainer == "compiled" and config.backend != "jax" and needs:
        raise origins.error(
            "train.trainer",
            f"'compiled' needs the jax backend, this run uses '{config.backend}'. Add "
            "--backend jax, or --set train.trainer=auto",
        )


def validate_config(
    raw: dict[str, Any], origins: dict[str, str] | None = None, default_source: str = "config"
) -> RecipeConfig:
    """Validate merged config data; RecipeError with one line per problem."""
    origins = Origins(origins, default_source)
    raw = dict(raw)
    backend = raw.get("backend")
    components: dict[str, Any] = {}
    given_none = [key for key in COMPONENT_REGISTRIES if key in raw and raw[key] is None]
    for key, registry in COMPONENT_REGISTRIES.items():
        if raw.get(key) is not None:
            components[key] = _validate_component(key, raw.pop(key), registry, origins, backend)
    components["metrics"] = _validate_list(
        "metrics", "names", raw.pop("metrics", None), METRICS, origins
    )
    gallery = raw.get("gallery")
    gallery_losses = []
    if isinstance(gallery, dict) and "losses" in gallery:  # checked as loss: is, user files too
        raw["gallery"] = {key: value for key, value in gallery.items() if key != "losses"}
        gallery_losses = _validate_list(
            "gallery.losses", "losses", gallery["losses"], LOSSES, origins, backend
        )
    try:
        config = RecipeConfig.model_validate(raw)
    except pydantic.ValidationError as error:
        # sections (a mapping of keys) given no value: where a stray key most likely belongs
        sections = [
            key for key, value in raw.items() if value is None and valid_keys(RecipeConfig, (key,))
        ]
        empty = (*given_none, *sections)
        raise format_validation_error(error, RecipeConfig, origins, empty_sections=empty) from None
    config = config.model_copy(update=components)
    config.gallery.losses = gallery_losses
    _check_task_needs(config, origins)
    check_sizes(config, origins)  # before the dataset's check reads a file
    _check_data(config, origins)
    return config


def _check_data(config: RecipeConfig, origins: Origins) -> None:
    """The dataset's own check (the user's file: exists, numeric, classes the loss takes),
    before any run folder exists."""
    if config.data is None or config.loss is None:
        return
    encoding = loss_label_encoding(config.loss.name, config.loss.params)
    try:
        classes = datasets.check_dataset(config.data.name, config.data.params, encoding)
    except RecipeError as error:
        raise RecipeErrors(
            [_dataset_problem(problem, origins) for problem in error.problems]
        ) from None
    if classes is None or config.model is None:
        return
    needed = classes if encoding == "categorical" else 1
    outputs = model_output_units(config.model.name, config.model.params)
    if outputs != needed:
        raise origins.error(
            "model",
            f"'{config.model.name}' emits {outputs} value(s) per sample, but loss "
            f"'{config.loss.name}' on {classes} classes ({encoding} targets) needs "
            f"{needed}",
            hint="choose a model with "
            + (f"output: softmax and classes: {needed}" if needed > 1 else "one output"),
        )


def _dataset_problem(problem: RecipeError, origins: Origins) -> RecipeError:
    """A dataset's problem with the source of the key it names (``data.label``, ...); one
    without a key is about the file ``data.path`` names. A source the dataset gave (the file
    itself) stays in front of its message."""
    message = f"{problem.source}: {problem.message}" if problem.source else problem.message
    where = origins.of(problem.key or "data.path")
    return RecipeError(message, source=where, key=problem.key, hint=problem.hint)


# Chosen by measurement (docs/backends.md): on JAX the recipes meet the tutorials'
# results as often as on TensorFlow, and train several times faster.
DEFAULT_BACKEND = "jax"


def resolve_recipe(
    recipe: str,
    overrides: Iterable[str] = (),
    backend: str | None = None,
    config_dir: Path = CONFIG_DIR,
) -> ResolvedRecipe:
    """Load defaults <- extended recipes <- recipe file <- ``--set`` overrides, choose the
    backend (``--backend``, the config, ``$KERAS_BACKEND``, else jax) and validate."""
    overrides = list(overrides)
    path = recipe_path(recipe, config_dir)
    merged, origins, sources = layered_config(path, overrides, config_dir)
    if backend is not None:
        merged["backend"] = backend
        origins["backend"] = "--backend"
    if merged.get("backend") is None:
        environment_backend = os.environ.get("KERAS_BACKEND")
        if environment_backend:
            merged["backend"] = environment_backend
            origins["backend"] = "KERAS_BACKEND"
        else:
            merged["backend"] = DEFAULT_BACKEND
    config = validate_config(merged, origins, display_path(path))
    return ResolvedRecipe(name=path.stem, config=config, sources=sources, overrides=overrides)


def resolve_run_folder_config(run_folder: Path) -> RecipeConfig:
    """The validated config a run folder was trained with (its config.yaml). A user's loss
    file is checked in the folder's own copy (``loss_source/``, which the run trains with), so
    a folder moved, copied or left without the original still resumes and draws; the config
    names the loss as it was given."""
    path = Path(run_folder) / "config.yaml"
    merged, origins, _ = layered_config(path, (), CONFIG_DIR)
    loss = merged.get("loss")
    copy = folder_copy(loss.get("name"), run_folder) if isinstance(loss, dict) else None
    if copy is not None:
        merged["loss"] = {**loss, "name": f"{copy}:{loss['name'].rpartition(':')[2]}"}
    config = validate_config(merged, origins, display_path(path))
    if copy is not None:
        config.loss = config.loss.model_copy(update={"name": loss["name"]})
    return config
