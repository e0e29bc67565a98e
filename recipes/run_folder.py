"""One folder per run, holding everything needed to audit it.

Files are written to a temporary name and renamed into place, so an interrupted run never
leaves a half-written file posing as a result; ``run.json`` says whether the run is
``running``, ``completed``, ``failed`` or ``interrupted``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml


def new_run_id(now: dt.datetime | None = None) -> str:
    """``20261122-142501-123456-a1b2``: sortable time, microseconds and a random suffix."""
    now = now or dt.datetime.now()
    return f"{now:%Y%m%d-%H%M%S-%f}-{secrets.token_hex(2)}"


def create_run_folder(output_root: Path, recipe: str) -> Path:
    """Make ``output_root/recipe/<run-id>``; never reuses an existing folder."""
    parent = Path(output_root) / recipe
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        folder = parent / new_run_id()
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        make_readable(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def make_readable(path: Path | str) -> None:
    """Give a temporary file (mkstemp makes them 0600) the usual permissions under the umask."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON file this project wrote, or {} when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=False, default=_jsonable) + "\n")


def write_yaml(path: Path, data: Any) -> None:
    atomic_write_text(path, yaml.safe_dump(data, sort_keys=False))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())


def _jsonable(value: Any) -> Any:
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


class RunRecord:
    """The ``run.json`` of one run, rewritten atomically on every change."""

    def __init__(self, folder: Path, **fields: Any) -> None:
        self.path = Path(folder) / "run.json"
        self.data: dict[str, Any] = {"status": "running", **fields}
        self.save()

    def update(self, **fields: Any) -> None:
        self.data.update(fields)
        self.save()

    def save(self) -> None:
        write_json(self.path, self.data)


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
