"""Config errors as one :class:`~recipes.errors.RecipeError` per problem, with its parts as
fields (``source``: the file or ``--set``; ``key``: the key path; ``message``), rendered as one
line: ``source: key.path: what is wrong; what to do``."""

from __future__ import annotations

import types
import typing
from typing import Any, Union

import pydantic

from recipes.errors import RecipeError, RecipeErrors
from recipes.registry import closest_name

# Names people carry over from Keras 2, PyTorch or the tutorials; difflib alone would not match.
KNOWN_RENAMES = {
    "lr": "learning_rate",
    "epoch": "epochs",
    "n_epochs": "epochs",
    "num_epochs": "epochs",
    "batchsize": "batch_size",
    "validation_size": "validation_split",
    "val_split": "validation_split",
    "kind": "task",
}


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


def valid_keys(model: type[pydantic.BaseModel], loc: tuple) -> list[str]:
    """Field names of the (nested) model at ``loc``, for 'did you mean' hints."""
    current: type[pydantic.BaseModel] | None = model
    for part in loc:
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            return []
        current = _unwrap_model(current.model_fields[part].annotation)
    return list(current.model_fields) if current else []


def describe(value: Any) -> str:
    """A value and its type, shortened: ``'abc' (str)``."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def unknown_key_message(key: str, valid: list[str]) -> str:
    """``unknown key. Did you mean 'epochs'? Valid keys here: ...``."""
    suggestion = KNOWN_RENAMES.get(key) if KNOWN_RENAMES.get(key) in valid else None
    suggestion = suggestion or closest_name(key, valid)
    message = "unknown key."
    if suggestion:
        message += f" Did you mean '{suggestion}'?"
    if valid:
        message += f" Valid keys here: {', '.join(valid)}"
    return message


def origin_of(path: str, origins: dict[str, str], default: str) -> str:
    """The file (or ``--set``) the value at ``path`` came from: its own or its parent's."""
    parts = path.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ".".join(parts[:length])
        if candidate in origins:
            return origins[candidate]
    return default


def format_validation_error(
    error: pydantic.ValidationError,
    model: type[pydantic.BaseModel],
    prefix: tuple = (),
    origins: dict[str, str] | None = None,
    default_source: str = "config",
) -> RecipeErrors:
    """One :class:`RecipeError` per problem (``source``: where the value came from, ``key``: its
    path, ``message``: what is wrong), rendered one line each."""
    problems = []
    for detail in error.errors():
        loc = tuple(detail["loc"])
        path = ".".join(str(part) for part in (*prefix, *loc)) or "(top level)"
        kind = detail["type"]
        if kind == "extra_forbidden":
            message = unknown_key_message(str(loc[-1]), valid_keys(model, loc[:-1]))
        elif kind == "missing":
            message = "required key is missing"
        elif kind in ("value_error", "assertion_error"):
            message = str(detail["msg"]).removeprefix("Value error, ")
        else:
            message = (
                f"{detail['msg'][0].lower()}{detail['msg'][1:]}; got {describe(detail['input'])}"
            )
        source = origin_of(path, origins or {}, default_source)
        problems.append(RecipeError(message, source=source, key=path))
    return RecipeErrors(problems)
