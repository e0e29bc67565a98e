"""Every private Keras name the project uses (recipes/components/keras_private.py) exists in
the installed Keras: an upgrade that removes one fails here, naming it."""

from __future__ import annotations

import ast
import importlib
import inspect

from conftest import PROJECT_ROOT

from recipes.components.keras_private import PRIVATE_USES


def missing_uses() -> list[str]:
    """The private uses the installed Keras lacks, by name (empty when all are there)."""
    import keras

    missing = []
    checks = {
        PRIVATE_USES[0]: lambda: _has("keras.src.trainers.data_adapters.array_slicing",
                                      "train_validation_split"),
        PRIVATE_USES[1]: lambda: hasattr(keras.Model, "_symbolic_build"),
        PRIVATE_USES[2]: lambda: "_initial_epoch" in inspect.getsource(
            importlib.import_module("keras.src.callbacks.backup_and_restore")
        ),
        PRIVATE_USES[3]: lambda: hasattr(
            importlib.import_module("keras.src.utils.module_utils").tensorflow, "_available"
        ),
    }  # fmt: skip
    for use, check in checks.items():
        try:
            present = check()
        except (ImportError, AttributeError, OSError):
            present = False
        if not present:
            missing.append(f"{use.module}: {use.name} ({use.why})")
    return missing


def _has(module: str, name: str) -> bool:
    return hasattr(importlib.import_module(module), name)


def test_the_installed_keras_has_every_private_name_the_project_uses():
    assert missing_uses() == []


def test_no_private_keras_name_is_used_outside_its_module():
    allowed = PROJECT_ROOT / "recipes" / "components" / "keras_private.py"
    offenders = []
    for path in sorted((PROJECT_ROOT / "recipes").rglob("*.py")):
        if path == allowed:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += [alias.name for alias in node.names]
                if any(name.startswith("keras.src") for name in names):
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in (
                "_symbolic_build",
                "_initial_epoch",
            ):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert offenders == []
    assert len(PRIVATE_USES) == 4 and all(use.why for use in PRIVATE_USES)


def test_a_missing_private_name_is_reported_by_name(monkeypatch):
    import keras

    owner = next(k for k in keras.Model.__mro__ if "_symbolic_build" in vars(k))
    monkeypatch.delattr(owner, "_symbolic_build")  # as a Keras release without it would be
    missing = missing_uses()
    assert len(missing) == 1 and missing[0].startswith("keras.src.trainers.trainer: ")
