"""What the lab's tests share: a real lab process per test module (``python -m recipes lab
--no-browser --port 0``) on JAX, writing its runs under the module's own output root, with a
loss file of the tests allowed by ``--loss-file``; the shrunk hinge request its runs train;
reading a run's events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from conftest import PROJECT_ROOT, shrink_overrides
from lab_client import start_lab

LOSS_FILE = PROJECT_ROOT / "tests" / "live" / "lab_losses.py"


def module_lab(*arguments: str) -> Any:
    """A module-scoped fixture: a client of a lab started with ``arguments`` (``.root``: its
    output root; ``.process``: the process)."""

    @pytest.fixture(scope="module")
    def lab(tmp_path_factory):
        root = tmp_path_factory.mktemp("lab-outputs")
        command = ["hinge", "--loss-file", str(LOSS_FILE), *arguments]
        with start_lab(command, root, {"KERAS_BACKEND": "jax"}) as client:
            client.root = root
            yield client

    return lab


def shrunk(**more: Any) -> dict[str, Any]:
    """The hinge recipe's request, shrunk to a run of a second (tests/shrink.yaml's values,
    3 epochs), with ``more`` overrides."""
    overrides: dict[str, Any] = {}
    for text in shrink_overrides("hinge"):
        key, value = text.split("=", 1)
        if not key.startswith("plots"):  # a lab run's figures are drawn when asked
            overrides[key] = int(value) if value.isdigit() else value
    return {"recipe": "hinge", "overrides": {**overrides, "train.epochs": 3, **more}}


def all_events(lab: Any, run_id: str) -> list[tuple[str, dict[str, Any]]]:
    """Every event of the run, to its end."""
    return list(lab.events(run_id))


def first_epoch_then(lab: Any, run_id: str, action: Callable[[], Any]) -> Any:
    """Wait for the run's first epoch event, then do ``action`` (returns what it returns)."""
    seen = threading.Event()

    def watch() -> None:
        for name, _ in lab.events(run_id):
            if name == "epoch":
                seen.set()
                return

    threading.Thread(target=watch, daemon=True).start()
    assert seen.wait(120), "no epoch event within 120 s"
    return action()
