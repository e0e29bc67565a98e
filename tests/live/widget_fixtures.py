"""A recorded run of the lab's notebook widget (recipes.lab, recipes/live/widget.py) without a
front end: the widget that ``recipes.lab`` displayed, and every message it sent, in order."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import read_csv

# The hinge recipe shrunk (tests/shrink.yaml's circles) to three epochs: a scrubber has epochs.
SMALL = {
    "train.epochs": 3, "data.n_samples": 120, "data.test_size": 40, "train.batch_size": 10,
    "plots.animation": "none",  # the other figures are drawn: no animation to wait for
}  # fmt: skip


@dataclass
class Watched:
    """What ``recipes.lab`` returned, the widget it displayed, and the messages it sent
    (content, buffers) in order."""

    runs: Any
    widget: Any
    messages: list[tuple[dict[str, Any], list[bytes]]] = field(default_factory=list)

    def recorded(self) -> dict[str, Any]:
        """The widget's synced state and its messages as JSON (buffers in base64): what a
        front end received, for a page that plays it back."""

        def plain(value: Any) -> Any:
            if isinstance(value, bytes | memoryview):
                return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
            if isinstance(value, dict):
                return {key: plain(item) for key, item in value.items()}
            if isinstance(value, list | tuple):
                return [plain(item) for item in value]
            return value

        names = ["widget_id", "title", "sides", "starts", "histories", "last_epochs"]
        state = {name: plain(getattr(self.widget, name)) for name in names}
        messages = [
            {"content": content, "buffers": [plain(bytes(buffer)) for buffer in buffers]}
            for content, buffers in self.messages
        ]
        return json.loads(json.dumps({"state": state, "messages": messages}))


def watch(output_root: Path, *settings: dict[str, Any]) -> Watched:
    """``recipes.lab("hinge", *settings)`` in this process, its widget and messages caught."""
    import recipes
    from recipes.live.widget import LabWidget

    shown: list[Any] = []
    messages: list[tuple[dict[str, Any], list[bytes]]] = []

    def send(widget: Any, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        messages.append((content, list(buffers or [])))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("IPython.display.display", shown.append)
        patch.setattr(LabWidget, "send", send)
        runs = recipes.lab("hinge", *settings, output_root=output_root)
    (widget,) = shown
    return Watched(runs, widget, messages)


def history(folder: Path | str) -> list[dict[str, str]]:
    """The run folder's history.csv, a dict per epoch."""
    return read_csv(Path(folder) / "history.csv")
