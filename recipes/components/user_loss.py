"""A user's own loss, named in the config: ``loss: {name: "my_losses.py:asymmetric_hinge",
labels: plus_minus_one, margin: 0.5}``.

``name`` is a Python file (relative to the config file, else to the current folder) or an
importable module, then ``:`` and the attribute: a function ``(y_true, y_pred) -> per-sample
loss`` or a ``keras.losses.Loss`` subclass. ``labels`` says which targets it trains on; every
other key is passed to it as a keyword argument.

The check reads the file's syntax tree (:mod:`ast`), so a missing attribute, a signature that
cannot take ``(y_true, y_pred)`` or a parameter it does not accept is one line before Keras is
imported. Only when the tree cannot say (the attribute is assigned or imported, not defined
with ``def``/``class``) is the file executed, which imports whatever the file imports; Keras,
if the file imports it, loads the backend the config resolves.

Nothing here imports Keras; the Keras side (the saved wrapper, the pre-flight check) lives in
:mod:`recipes.components.keras_objects` and :mod:`recipes.components.gradients`.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import importlib
import importlib.util
import inspect
import shutil
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recipes.components.labels import TWO_CLASS_KINDS
from recipes.errors import RecipeError
from recipes.files import file_sha256
from recipes.keras_environment import prepare_keras
from recipes.registry import did_you_mean, unknown_name

LABEL_KINDS = (*TWO_CLASS_KINDS, "categorical")
SOURCE_FOLDER = "loss_source"  # in the run folder: the copy of the loss's file


def is_user_loss(name: object) -> bool:
    """Registered names have no ':'; a user's loss is ``file.py:attribute`` or
    ``module:attribute``."""
    return isinstance(name, str) and ":" in name


@dataclass(frozen=True)
class LossReference:
    """Where a user's loss lives: a file (absolute path) or a module, and the attribute."""

    target: str  # absolute file path, or a module name
    attribute: str
    is_file: bool

    @property
    def name(self) -> str:
        return f"{self.target}:{self.attribute}"

    @property
    def label(self) -> str:
        """``my_losses.py:asymmetric_hinge``: the short name messages use."""
        return short_name(self.name)

    def source_file(self) -> Path | None:
        if self.is_file:
            return Path(self.target)
        spec = importlib.util.find_spec(self.target)
        origin = getattr(spec, "origin", None)
        return Path(origin) if origin and origin.endswith(".py") else None


def parse_reference(name: str, base_dir: Path | None = None) -> LossReference:
    """``file.py:attr`` (relative to ``base_dir``, else to the current folder) or
    ``module:attr``; RecipeError for a missing file or module."""
    target, _, attribute = name.rpartition(":")
    if not target or not attribute.isidentifier():
        raise RecipeError(
            f"'{name}' is not 'file.py:function' or 'module:function'",
            hint="name a Python file or module, then ':' and the function or Loss class",
        )
    if target.endswith(".py") or "/" in target or "\\" in target:
        candidates = [Path(target)] if Path(target).is_absolute() else []
        candidates += [folder / target for folder in (base_dir, Path.cwd()) if folder]
        for candidate in candidates:
            if candidate.is_file():
                return LossReference(str(candidate.resolve()), attribute, True)
        looked = " and ".join(dict.fromkeys(str(path.parent) for path in candidates))
        raise RecipeError(
            f"loss file '{target}' not found (looked in {looked})",
            hint="give the path relative to the config file, or an absolute path",
        )
    try:
        found = importlib.util.find_spec(target)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise RecipeError(
            f"no module named '{target}' for the loss",
            hint="name a file ending in .py, or a module on the Python path",
        )
    return LossReference(target, attribute, False)


def _tree_signature(node: ast.FunctionDef, drop_self: bool) -> inspect.Signature:
    """The signature a ``def`` declares, read from its syntax tree: the ``def`` alone is
    compiled, without its body, decorators, annotations or defaults (``...`` stands in for
    each), so nothing of the file runs."""
    stub = copy.deepcopy(node)
    arguments = stub.args
    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        argument.annotation = None
    for argument in (arguments.vararg, arguments.kwarg):
        if argument is not None:
            argument.annotation = None
    arguments.defaults = [ast.Constant(...) for _ in arguments.defaults]
    arguments.kw_defaults = [default and ast.Constant(...) for default in arguments.kw_defaults]
    stub.body = [ast.Pass()]
    stub.decorator_list = []
    stub.returns = None
    namespace: dict[str, Any] = {}
    exec(compile(ast.fix_missing_locations(ast.Module([stub], [])), "<def>", "exec"), namespace)
    parameters = list(inspect.signature(namespace[stub.name]).parameters.values())
    return inspect.Signature(parameters[1:] if drop_self else parameters)


def _signature_from_tree(reference: LossReference) -> tuple[str, inspect.Signature] | None:
    """("function" | "class", signature) from the file's syntax tree, or None when only
    running the file can tell. RecipeError for a missing attribute."""
    path = reference.source_file()
    if path is None:
        return None
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as error:
        raise RecipeError(f"{path.name} line {error.lineno}: {error.msg}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RecipeError(f"cannot read {reference.label}'s file: {error}") from None
    defined: dict[str, ast.AST] = {}
    others: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            others.update(target.id for target in targets if isinstance(target, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            others.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    node = defined.get(reference.attribute)
    if node is None:
        if reference.attribute in others or "*" in others:
            return None
        choices = sorted(defined) + sorted(others)
        raise RecipeError(
            f"{path.name} has no '{reference.attribute}'."
            f"{did_you_mean(reference.attribute, choices)}"
            f" It defines: {', '.join(sorted(defined)) or 'nothing'}"
        )
    if isinstance(node, ast.ClassDef):
        init = next(
            (
                item
                for item in node.body
                if isinstance(item, ast.FunctionDef) and item.name == "__init__"
            ),
            None,
        )
        return None if init is None else ("class", _tree_signature(init, drop_self=True))
    return "function", _tree_signature(node, drop_self=False)


def load_attribute(reference: LossReference, source: str | None = None) -> Any:
    """Run the file (``source``: its text, when given) or import the module, and return the
    attribute (this runs the user's code)."""
    if reference.is_file:
        path = Path(reference.target)
        text = path.read_text(encoding="utf-8") if source is None else source
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        module = types.ModuleType(f"recipes_user_loss_{path.stem}_{digest}")
        module.__file__ = str(path)
        exec(compile(text, str(path), "exec"), vars(module))  # tracebacks name the file
    else:
        module = importlib.import_module(reference.target)
    if not hasattr(module, reference.attribute):
        names = [name for name in vars(module) if not name.startswith("_")]
        raise RecipeError(
            f"{reference.label}: no '{reference.attribute}'."
            f"{did_you_mean(reference.attribute, names)}"
        )
    return getattr(module, reference.attribute)


def _signature_by_import(
    reference: LossReference, backend: str | None
) -> tuple[str, inspect.Signature]:
    prepare_keras(backend)  # the file's own ``import keras`` loads the config's backend
    try:
        attribute = load_attribute(reference)
    except RecipeError:
        raise
    except Exception as error:
        raise RecipeError(
            f"importing {reference.label} raised {type(error).__name__}: {error}"
        ) from None
    if inspect.isclass(attribute):
        return "class", inspect.signature(attribute)
    if not callable(attribute):
        raise RecipeError(f"{reference.label} is not a function or a Loss class")
    return "function", inspect.signature(attribute)


def check_arguments(label: str, kind: str, signature: inspect.Signature, kwargs: dict) -> None:
    """RecipeError unless ``signature`` takes ``(y_true, y_pred, **kwargs)`` (a function) or
    ``(**kwargs)`` (a Loss class)."""
    parameters = list(signature.parameters.values())
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    taken = [] if kind == "class" else [p.name for p in positional[:2]]
    if kind == "function":
        try:
            signature.bind_partial(object(), object())
        except TypeError:
            raise RecipeError(
                f"{label}{signature} cannot take (y_true, y_pred)",
                hint="a loss function takes the targets and the model's outputs first",
            ) from None
    accepts_any = any(p.kind == p.VAR_KEYWORD for p in parameters)
    keywords = [
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in taken
    ]
    for key in kwargs:
        if key in taken or (key not in keywords and not accepts_any):
            raise RecipeError(
                f"{label} does not accept parameter '{key}'.{did_you_mean(key, keywords)} "
                f"It takes: {', '.join(keywords) or 'no parameters'}",
                hint="remove the key from the loss block, or add the parameter",
            )
    try:
        signature.bind(*([object(), object()] if kind == "function" else []), **kwargs)
    except TypeError as error:
        raise RecipeError(
            f"{label}{signature}: {error}", hint="add the missing parameter to the loss block"
        ) from None


def validate_user_loss(
    spec: dict[str, Any], base_dir: Path | None, backend: str | None = None
) -> tuple[str, dict[str, Any]]:
    """(absolute name, params) for a user's loss block; RecipeError (with ``key``) otherwise.

    ``params`` holds ``labels`` and the keyword arguments; ``backend`` is the one the config
    resolves, which Keras loads if the file has to be executed to be checked."""
    params = {key: value for key, value in spec.items() if key != "name"}
    labels = params.get("labels")
    if labels is None:
        raise RecipeError(
            f"a user's loss must declare its targets: add labels: {' | '.join(LABEL_KINDS)}",
            key="loss.labels",
        )
    if labels not in LABEL_KINDS:
        raise unknown_name("label encoding", labels, LABEL_KINDS).replace(key="loss.labels")
    try:
        reference = parse_reference(spec["name"], base_dir)
        kwargs = {key: value for key, value in params.items() if key != "labels"}
        found = _signature_from_tree(reference) or _signature_by_import(reference, backend)
        check_arguments(reference.label, *found, kwargs)
    except RecipeError as error:
        raise error.replace(key=error.key or "loss.name") from None
    return reference.name, params


def folder_copy(name: str, run_folder: Path) -> Path | None:
    """The run folder's copy of a user's loss file (``loss_source/<file>``), None when it has
    none (a module's loss, or no copy yet)."""
    target = name.rpartition(":")[0] if is_user_loss(name) else ""
    copy = Path(run_folder) / SOURCE_FOLDER / Path(target).name
    return copy if target.endswith(".py") and copy.is_file() else None


def keep_source(name: str, run_folder: Path) -> dict[str, Any]:
    """Copy the loss's file into ``run_folder/loss_source/`` (once: a resumed run trains with
    the copy it started with, whether the original is still there or not); what run.json
    records (original, copy, sha256) and ``reference``, the name pointing at the copy."""
    copy = folder_copy(name, run_folder)
    if copy is None:
        reference = parse_reference(name)
        source = reference.source_file()
        if source is None:
            return {"reference": reference.name, "module": reference.target}
        copy = run_folder / SOURCE_FOLDER / source.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, copy)
    target, _, attribute = name.rpartition(":")
    return {
        "reference": f"{copy.resolve()}:{attribute}",
        "original": target,
        "copy": f"{SOURCE_FOLDER}/{copy.name}",
        "sha256": file_sha256(copy),
    }


def anchored_loss(value: Any, base_dir: Path) -> Any:
    """A loss name or block whose user file is a relative path found in ``base_dir`` (the
    config file's folder), with that path made absolute; anything else unchanged. For a
    sweep's grid values, which reach each point as ``--set`` overrides (relative to the
    current folder otherwise)."""
    block = dict(value) if isinstance(value, dict) else {"name": value}
    name = block.get("name")
    if not is_user_loss(name):
        return value
    target, _, attribute = name.rpartition(":")
    candidate = base_dir / target
    if Path(target).is_absolute() or not target.endswith(".py") or not candidate.is_file():
        return value
    block["name"] = f"{candidate.resolve()}:{attribute}"
    return block if isinstance(value, dict) else block["name"]


def short_name(name: str) -> str:
    """``my_losses.py:asymmetric_hinge`` for a user's loss, else the name itself."""
    if not is_user_loss(name):
        return name
    target, _, attribute = name.rpartition(":")
    return f"{Path(target).name if target.endswith('.py') else target}:{attribute}"
