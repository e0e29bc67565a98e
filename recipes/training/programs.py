"""The compiled trainer's traced programs, kept on disk with ``jax.export``.

JAX's persistent compilation cache skips XLA's compiling when a recipe runs again, but every
run still traces Keras' ``train_step`` and ``test_step`` in Python and lowers them, only to
find the compiled program in that cache. ``jax.export`` serializes a traced and lowered program
(StableHLO); loading it and calling ``Exported.call`` skips Keras' tracing, and its compiled
form still comes from JAX's cache. Measured on the hinge recipe (2 cores, median of 4 runs
each): a fit takes 0.23 s from the exported programs, 0.37 s from JAX's cache alone.

A program is keyed by everything that shapes it (:func:`program_key`): the shapes, dtypes and
structure of its arguments, the model's config and compile config (loss, metrics, optimizer),
Keras' dtype settings, the JAX platform, the versions of JAX and Keras, and the source of every
loaded module that is not an installed package (this project's code, a user's loss module), so
an edit to any of them traces again. Code of installed packages is keyed by the JAX and Keras
versions only. The folder is $RECIPES_PROGRAM_CACHE_DIR (an empty string turns it off), else
``~/.cache/keras-loss-recipes/programs``; it keeps the newest :data:`KEEP` programs.

Cached or not, a run calls the exported program, so a run from the cache gives the history a
run that traced gives (tested in tests/training/test_programs.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recipes.files import replaced_atomically
from recipes.keras_environment import program_cache_folder
from recipes.training.backend import library_versions

SUFFIX = ".jaxexport"
KEEP = 256  # programs kept in the folder; the oldest go first (a user loss's run copies it)
# The programs this process has called, by file (and the file's stamp, so a file replaced or
# damaged since is read again): a long-lived process (a local server, a worker, a notebook) runs one
# again without deserializing, lowering and compiling it again (about 0.3 s a hinge run)
_CALLED: dict[Path, tuple[tuple[int, int] | None, Callable]] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    """The file's modification time and size; None when it is gone (pruned)."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


class ProgramCache:
    """The exported programs of one compiled group: :meth:`program` gives a jitted function
    that calls the exported program (loaded from the folder, or traced and saved there).
    ``sources`` says, per program name, where it came from: ``loaded``, ``exported`` (traced
    and saved), or ``traced`` (no cache: off, or the program could not be exported)."""

    def __init__(self, model: Any) -> None:
        self.folder = program_cache_folder()
        self.identity = model_identity(model) if self.folder is not None else None
        self.sources: dict[str, str] = {}

    def program(self, name: str, jitted: Callable, *arguments: Any) -> Callable:
        """``jitted`` (a ``jax.jit`` function) for ``arguments`` of these shapes, as an
        exported program from the cache or newly exported."""
        import jax

        if self.folder is None or self.identity is None:
            self.sources[name] = "traced"
            return jitted
        path = self.folder / f"{name}-{program_key(name, self.identity, arguments)}{SUFFIX}"
        called = _CALLED.get(path)
        if called is not None and called[0] == _stamp(path):  # the same file, called before
            self.sources[name] = "loaded"
            return called[1]
        exported = _load(path)
        self.sources[name] = "loaded"
        if exported is None:
            try:
                exported = jax.export.export(jitted)(*arguments)
            except Exception:  # e.g. a host callback in a user's loss: trace as before
                self.sources[name] = "traced"
                return jitted
            _save(path, exported.serialize())
            self.sources[name] = "exported"
        # its arguments are committed to the device, as the program's results are (see
        # compiled._on_device): the jitted call sees one signature and compiles once
        _CALLED[path] = (_stamp(path), jax.jit(exported.call))
        return _CALLED[path][1]


def program_key(name: str, identity: str, arguments: tuple) -> str:
    """The cache key of program ``name`` called with ``arguments``: its identity (model, code,
    versions) and each argument's shape, dtype and place in the argument structure."""
    import jax

    leaves, structure = jax.tree_util.tree_flatten(arguments)
    signature = [
        (tuple(leaf.shape), str(leaf.dtype), bool(getattr(leaf, "weak_type", False)))
        for leaf in leaves
    ]
    text = json.dumps([name, identity, str(structure), signature])
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def model_identity(model: Any) -> str | None:
    """What, besides its arguments, shapes a compiled model's programs, as one digest; None
    when the model's configs cannot be written down (no cache then)."""
    import jax
    import keras

    try:
        described = json.dumps(
            {
                "model": model.get_config(),
                "compile": model.get_compile_config(),
                "floatx": keras.config.floatx(),
                "dtype_policy": keras.config.dtype_policy().name,
                "x64": bool(jax.config.jax_enable_x64),
                "platform": jax.default_backend(),
                "devices": [device.device_kind for device in jax.local_devices()],
                "code": code_identity(),
            },
            sort_keys=True,
        )
    except (TypeError, ValueError, NotImplementedError):  # a config that is no JSON data
        return None
    return hashlib.sha256(described.encode()).hexdigest()


def code_identity() -> str:
    """A digest of the libraries' versions and the source of every loaded module that is not
    part of an installed package (this project, a user's loss module)."""
    digest = hashlib.sha256(json.dumps(library_versions()).encode())
    for path in sorted(_uninstalled_sources()):  # about 50 files: 1 ms to read and hash
        digest.update(path.encode())
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


@functools.cache
def _installed_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    # and every other site-packages on the path (a venv made with --system-site-packages, or
    # one that adds another environment's packages by a .pth file)
    roots |= {path for path in sys.path if Path(path).name in ("site-packages", "dist-packages")}
    roots |= {os.path.realpath(root) for root in roots}
    return tuple(sorted(root.rstrip(os.sep) + os.sep for root in roots))


def _uninstalled_sources() -> set[str]:
    roots = _installed_roots()
    sources = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file or not file.endswith(".py"):
            continue
        if file.startswith(roots):  # most modules: no need to resolve links
            continue
        real = os.path.realpath(file)
        if not real.startswith(roots):
            sources.add(real)
    return sources


def _load(path: Path) -> Any:
    """The exported program in ``path``, or None (none there, or unreadable)."""
    import jax

    try:
        exported = jax.export.deserialize(bytearray(path.read_bytes()))
    except Exception:  # absent, damaged, or written by another JAX: export it again
        return None
    try:
        os.utime(path)  # recently used: the last to be pruned
    except OSError:
        pass
    return exported


def _save(path: Path, blob: bytearray) -> None:
    """Write ``blob`` to ``path`` whole (another process never reads half of it), then keep
    only the newest :data:`KEEP` programs; a folder that cannot be written is left alone."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replaced_atomically(path) as temporary:
            temporary.write_bytes(bytes(blob))
        # another process's file being written (".<name>.<random><suffix>") is not a program yet
        programs = [found for found in path.parent.glob(f"*{SUFFIX}") if found.name[0] != "."]
        programs.sort(key=lambda found: found.stat().st_mtime, reverse=True)
        for old in programs[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:  # a file another process removed meanwhile: prune the next time
        return
