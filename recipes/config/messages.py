"""Config errors as one :class:`~recipes.errors.RecipeError` per problem, with its parts as
fields (``source``: the file or ``--set``; ``key``: the key path; ``message``), rendered as one
line: ``source: key.path: what is wrong; what to do``."""

from __future__ import annotations

import typing
from typing import Any

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


def _nested_model(annotation: Any) -> type[pydantic.BaseModel] | None:
    """The model a field holds: ``TrainConfig`` for ``TrainConfig`` or ``TrainConfig | None``."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, pydantic.BaseModel):
            return candidate
    return None


def valid_keys(model: type[pydantic.BaseModel], loc: tuple) -> list[str]:
    """Field names of the (nested) model at ``loc``, for 'did you mean' hints."""
    current: type[pydantic.BaseModel] | None = model
    for part in loc:
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            return []
        current = _nested_model(current.model_fields[part].annotation)
    return list(current.model_fields) if current else []


def describe(value: Any) -> str:
    """A value and its type, shortened: ``'abc' (str)``."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


class Origins(dict[str, str]):
    """Where each key's value came from (``{"train.epochs": "--set"}``, from the layering),
    and ``default``: the file a key that came from none of them is blamed on."""

    def __init__(self, origins: dict[str, str] | None = None, default: str = "config") -> None:
        super().__init__(origins or {})
        self.default = default

    def of(self, path: str) -> str:
        """The file (or ``--set``) the value at ``path`` came from: its own or its parent's."""
        parts = path.split(".")
        for length in range(len(parts), 0, -1):
            candidate = ".".join(parts[:length])
            if candidate in self:
                return self[candidate]
        return self.default

    def error(self, key: str, message: str, hint: str | None = None) -> RecipeError:
        """The problem at ``key``, naming the file its value came from."""
        return RecipeError(message, source=self.of(key), key=key, hint=hint)


def format_validation_error(
    error: pydantic.ValidationError,
    model: type[pydantic.BaseModel],
    origins: Origins,
    prefix: tuple = (),
    empty_sections: tuple[str, ...] = (),
) -> RecipeErrors:
    """One :class:`RecipeError` per problem (``source``: where the value came from, ``key``: its
    path, ``message``: what is wrong), rendered one line each. ``empty_sections``: the top-level
    keys given no value (``model:`` with nothing under it), which an unknown top-level key
    most likely belongs under."""
    problems = []
    stray = [str(d["loc"][0]) for d in error.errors() if d["type"] == "extra_forbidden"]
    for detail in error.errors():
        loc = tuple(detail["loc"])
        path = ".".join(str(part) for part in (*prefix, *loc)) or "(top level)"
        kind = detail["type"]
        if kind == "extra_forbidden":  # unknown key. Did you mean 'epochs'? Valid keys here: ...
            key, valid = str(loc[-1]), valid_keys(model, loc[:-1])
            suggestion = KNOWN_RENAMES.get(key) if KNOWN_RENAMES.get(key) in valid else None
            suggestion = suggestion or closest_name(key, valid)
            message = "unknown key." + (f" Did you mean '{suggestion}'?" if suggestion else "")
            message += f" Valid keys here: {', '.join(valid)}" if valid else ""
            if len(loc) == 1 and empty_sections:
                message += (
                    f". If it belongs under '{empty_sections[0]}:' (which has no value), indent "
                    "it under that line by two spaces"
                )
        elif kind == "missing":
            message = "required key is missing"
        elif kind in ("model_type", "dict_type") and detail["input"] is None:
            keys = valid_keys(model, loc)
            message = _empty_section(str(loc[-1]), [k for k in stray if k in keys] + keys)
        elif kind == "list_type":
            message = (
                f"input should be a list; got {describe(detail['input'])}. Write it in "
                f"brackets: {bracketed(detail['input'])}"
            )
        elif kind in ("value_error", "assertion_error"):
            message = str(detail["msg"]).removeprefix("Value error, ")
        else:
            message = (
                f"{detail['msg'][0].lower()}{detail['msg'][1:]}; got {describe(detail['input'])}"
            )
        problems.append(origins.error(path, message))
    return RecipeErrors(problems)


def _empty_section(key: str, keys: list[str]) -> str:
    """A section (``train:``) with nothing under it: most often its keys were not indented."""
    example = f"'{key}:' then '  {keys[0]}: ...' on the next line" if keys else f"'{key}:'"
    return f"has no value. Indent the keys that belong to it under it by two spaces ({example})"


def bracketed(value: Any) -> str:
    """A list given without brackets, written with them: ``'8,4'`` -> ``[8, 4]``."""
    items = value.split(",") if isinstance(value, str) else [value]
    return "[" + ", ".join(str(item).strip() for item in items) + "]"
