"""One registry per kind of named thing (datasets, models, losses, metrics, optimizers).

Mirrors ``keras.losses.get``: a name maps to a factory, and an unknown name gets an error that
lists the valid names and suggests the closest one. Nothing here imports Keras, so configs can be
validated against registered names before the (slow) Keras import happens.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from recipes.errors import RecipeError

T = TypeVar("T")


def closest_name(name: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """The candidate most similar to ``name`` (difflib), or None when nothing is close."""
    matches = difflib.get_close_matches(str(name), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...]) -> str:
    """ " Did you mean 'x'?" or an empty string."""
    match = closest_name(name, candidates)
    return f" Did you mean '{match}'?" if match else ""


@dataclass
class Entry(Generic[T]):
    """A registered factory plus what the config layer needs to know about it."""

    name: str
    factory: T
    params: type | None = None  # pydantic model of the factory's keyword parameters
    info: dict[str, Any] = field(default_factory=dict)


class Registry(Generic[T]):
    """Named factories of one kind, looked up by name with helpful errors."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}
        self._aliases: dict[str, str] = {}

    def register(
        self,
        name: str,
        *,
        params: type | None = None,
        aliases: tuple[str, ...] = (),
        **info: Any,
    ) -> Callable[[T], T]:
        """Decorator: register ``factory`` under ``name`` (and aliases); returns it unchanged."""

        def decorate(factory: T) -> T:
            if name in self._entries or name in self._aliases:
                raise ValueError(f"{self.kind} '{name}' is registered twice")
            self._entries[name] = Entry(name, factory, params, dict(info))
            for alias in aliases:
                self._aliases[alias] = name
            return factory

        return decorate

    def names(self) -> list[str]:
        """Registered canonical names, sorted."""
        return sorted(self._entries)

    def canonical(self, name: str) -> str:
        """The canonical name for ``name`` or an alias of it."""
        if not isinstance(name, str):
            raise RecipeError(f"{self.kind} name must be a string, got {name!r}")
        if name in self._entries:
            return name
        if name in self._aliases:
            return self._aliases[name]
        known = self.names() + sorted(self._aliases)
        raise RecipeError(
            f"unknown {self.kind} '{name}'.{did_you_mean(name, known)} "
            f"Valid names: {', '.join(self.names())}"
        )

    def entry(self, name: str) -> Entry[T]:
        """The registry entry for ``name``; RecipeError listing valid names if unknown."""
        return self._entries[self.canonical(name)]

    def get(self, name: str) -> T:
        """The factory registered under ``name``."""
        return self.entry(name).factory

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._entries or name in self._aliases)
