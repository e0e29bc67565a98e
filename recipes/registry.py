"""One registry per kind of named thing (datasets, models, losses, metrics, tasks, reports, ...).

Mirrors ``keras.losses.get``: a name maps to a factory, and an unknown name gets an error that
lists the valid names and suggests the closest one. Nothing here imports Keras, so configs can be
validated against registered names before the (slow) Keras import happens.

A factory may also be registered as a reference, ``"package.module:attribute"``, imported the
first time it is used (like a packaging entry point). The plug-in registries of
:mod:`recipes.plugins` work this way: a config names a task or a report, the name is checked at
once, and the code behind it (which may import Keras or matplotlib) loads only when it runs.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from recipes.errors import RecipeError


def closest_name(name: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """The candidate most similar to ``name`` (difflib), or None when nothing is close."""
    matches = difflib.get_close_matches(str(name), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...]) -> str:
    """ " Did you mean 'x'?" or an empty string."""
    match = closest_name(name, candidates)
    return f" Did you mean '{match}'?" if match else ""


def unknown_name(
    kind: str, name: object, names: Collection[str], aliases: Collection[str] = ()
) -> RecipeError:
    """The one message for a name that is not one of ``names`` (a registry's, or Keras' names
    a config passes on), with the closest name, also among ``aliases``: ``unknown loss
    'hinj'. Did you mean 'hinge'? Valid names: ...``."""
    close = did_you_mean(str(name), [*names, *aliases])
    return RecipeError(f"unknown {kind} '{name}'.{close} Valid names: {', '.join(names)}")


@dataclass(frozen=True)
class Reference:
    """``"package.module:attribute"``: a factory named, not yet imported."""

    target: str

    def load(self) -> Any:
        module_name, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module_name), attribute)


@dataclass
class Entry:
    """A registered factory plus what the config layer needs to know about it."""

    name: str
    factory: Any  # a Reference is imported on first use
    params: type | None = None  # pydantic model of the factory's keyword parameters
    info: dict[str, Any] = field(default_factory=dict)

    def load(self) -> Any:
        """The factory itself (importing a referenced one the first time)."""
        if isinstance(self.factory, Reference):
            self.factory = self.factory.load()
        return self.factory


class Registry:
    """Named factories of one kind, looked up by name with helpful errors."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        self._aliases: dict[str, str] = {}

    def register(
        self,
        name: str,
        *,
        params: type | None = None,
        aliases: tuple[str, ...] = (),
        **info: Any,
    ) -> Callable[[Any], Any]:
        """Decorator: register ``factory`` under ``name`` (and aliases); returns it unchanged."""

        def decorate(factory: Any) -> Any:
            if name in self._entries or name in self._aliases:
                raise ValueError(f"{self.kind} '{name}' is registered twice")
            self._entries[name] = Entry(name, factory, params, dict(info))
            for alias in aliases:
                self._aliases[alias] = name
            return factory

        return decorate

    def register_reference(self, name: str, target: str, **info: Any) -> None:
        """Register ``"package.module:attribute"`` under ``name``, imported when first used."""
        self.register(name, **info)(Reference(target))

    def register_class(self, name: str, target: str, **options: Any) -> None:
        """Register the class ``target`` (``"module:Class"``, imported only when first built),
        called with the validated parameters as keywords and ``name=name``: a Keras loss or
        metric carries the name it was asked for (Keras would say 'huber_loss', 'auc_1')."""
        reference = Reference(target)

        def factory(params: Any) -> Any:
            return reference.load()(name=name, **params.model_dump())

        self.register(name, **options)(factory)

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
        raise unknown_name(self.kind, name, self.names(), sorted(self._aliases))

    def entry(self, name: str) -> Entry:
        """The registry entry for ``name``; RecipeError listing valid names if unknown."""
        return self._entries[self.canonical(name)]

    def get(self, name: str) -> Any:
        """The factory registered under ``name``."""
        return self.entry(name).load()

    def validated(self, name: str, params: Any) -> Any:
        """``params`` as the named entry's pydantic model validates them (defaults filled in):
        a mapping is validated, an already validated model returned as it is."""
        model = self.entry(name).params
        if model is None or isinstance(params, model):
            return params
        return model.model_validate(dict(params or {}))

    def build(self, name: str, params: Any = None, *arguments: Any) -> Any:
        """Call the named factory with its parameters validated: ``factory(params, *arguments)``."""
        return self.get(name)(self.validated(name, params), *arguments)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._entries or name in self._aliases)
