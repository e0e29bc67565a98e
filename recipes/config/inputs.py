"""What a run or a sweep was started from, pinned so that a resume can tell a change.

A fingerprint is the SHA-256 of the resolved config (as canonical JSON) and of every data file
the dataset reads (``datasets.data_files``). ``run.json`` and ``sweep.json`` record it under
``inputs``; ``resume`` and ``sweep --resume`` compare it with the inputs as they are now and
refuse a change (``--force`` goes on, and the resume's entry records what changed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from recipes.files import file_sha256


def config_sha256(mapping: Mapping[str, Any]) -> str:
    """The SHA-256 of a config mapping written as canonical JSON (sorted keys)."""
    text = json.dumps(mapping, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def data_file_hashes(config: Any) -> dict[str, str]:
    """{absolute path: SHA-256} of every file the config's dataset reads (none for the
    generated datasets); a file that cannot be read is recorded as missing."""
    if config.data is None:
        return {}
    import recipes.datasets as datasets

    hashes = {}
    for path in datasets.data_files(config.data.name, config.data.params):
        try:
            hashes[str(Path(path).resolve())] = file_sha256(path)
        except OSError:
            hashes[str(Path(path).resolve())] = "missing"
    return hashes


def fingerprint(config: Any) -> dict[str, Any]:
    """What run.json records under ``inputs``: the config's hash and its data files'."""
    return {
        "config_sha256": config_sha256(config.as_mapping()),
        "data_files": data_file_hashes(config),
    }


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"train": {"epochs": 2}}`` -> ``{"train.epochs": 2}`` (lists stay values)."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, path))
        else:
            flat[path] = value
    return flat


def config_changes(before: Mapping[str, Any], after: Mapping[str, Any], limit: int = 3) -> str:
    """``train.epochs 2 -> 7, seed 0 -> 1``: the keys whose values differ (at most ``limit``
    named, then how many more)."""
    old, new = flatten(before), flatten(after)
    keys = [key for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)]
    shown = [f"{key} {_short(old.get(key))} -> {_short(new.get(key))}" for key in keys[:limit]]
    if len(keys) > limit:
        shown.append(f"and {len(keys) - limit} more")
    return ", ".join(shown)


def _short(value: Any) -> str:
    text = "(none)" if value is None else json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def changes_since(pinned: Mapping[str, Any] | None, now: Mapping[str, Any]) -> str:
    """What differs between pinned inputs (:class:`recipes.records.Inputs` as data) and the
    inputs ``now`` ('' when nothing does, or nothing was pinned): ``its config changed
    (train.epochs 2 -> 7)``, ``the data file /data/points.csv changed``. Either may hold
    ``config`` (the mapping, to name the keys that changed)."""
    if not pinned:
        return ""
    parts = []
    if pinned["config_sha256"] != now["config_sha256"]:
        before, after = pinned.get("config"), now.get("config")
        detail = config_changes(before, after) if before and after else ""
        parts.append(f"its config changed ({detail})" if detail else "its config changed")
    # A file that appeared is no change: e.g. Keras' MNIST cache, downloaded by the first run.
    after_files = now["data_files"]
    changed = [
        path
        for path, digest in pinned.get("data_files", {}).items()
        if after_files.get(path) != digest
    ]
    if changed:
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        parts.append(f"the data file {changed[0]} changed{more}")
    return " and ".join(parts)
