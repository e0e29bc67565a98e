"""The lab's view as a notebook widget (``recipes.lab(...)``, :mod:`recipes.live.notebook`),
built on anywidget, so one code base runs in JupyterLab, Jupyter Notebook, VS Code and Colab.

Its front end is the lab page's own drawing code: drawing.js (the regions, contours, points by
force, the colour bar), charts.js (the loss on a log axis, the metrics) and view.js (a side's
view), with widget.js, which builds the widget's view and feeds them; they are plain scripts of
top-level functions, joined here into the one ES module anywidget loads.

What travels: the kernel sends each epoch as a custom message (``send``) whose arrays (the
grid's scores, the points' scores and forces) are float32 binary buffers, not JSON. The synced
state holds what a notebook stores and a test reads back: each side's status, epochs done,
final loss, folder and start event, the scalar history, and the last epoch's arrays (so a saved
notebook shows the last epoch without a kernel).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets

STATIC = Path(__file__).parent / "static"
# The page's scripts the widget shares, in the order the page loads them; widget.js last.
SHARED_SCRIPTS = ("drawing.js", "charts.js", "view.js")
ARRAY_KEYS = ("grid_scores", "point_scores", "point_forces")  # an epoch's arrays, as buffers


def widget_module() -> str:
    """The widget's ES module: the page's drawing scripts, then widget.js (which exports it)."""
    parts = [(STATIC / name).read_text(encoding="utf-8") for name in SHARED_SCRIPTS]
    parts.append((STATIC / "widget.js").read_text(encoding="utf-8"))
    return "\n".join(parts)


def packed(event: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
    """An epoch event as a message: its numbers as JSON, its arrays as float32 buffers (a
    missing value NaN), with their shapes under ``arrays`` in the buffers' order."""
    numbers = {key: value for key, value in event.items() if key not in ARRAY_KEYS}
    shapes, buffers = {}, []
    for key in ARRAY_KEYS:
        if key in event:
            array = np.asarray(event[key], dtype="float64")  # None (non-finite) -> NaN
            shapes[key] = list(array.shape)
            buffers.append(array.astype("float32").tobytes())
    return {"event": numbers, "arrays": shapes}, buffers


class LabWidget(anywidget.AnyWidget):
    """One or more runs side by side, drawn every epoch while the cell trains them."""

    _esm = widget_module()  # anywidget's own convention: the module's text (or a file)
    _css = (STATIC / "widget.css").read_text(encoding="utf-8")
    # which widget a custom message belongs to, in the front end (one module serves them all)
    widget_id = traitlets.Unicode().tag(sync=True)
    title = traitlets.Unicode().tag(sync=True)
    # per side: name, id, folder, command, status, reason, epochs, epochs_done, final_loss,
    # initial_weights, metrics
    sides = traitlets.List(traitlets.Dict()).tag(sync=True)
    starts = traitlets.List(traitlets.Dict()).tag(sync=True)  # per side: its start event
    histories = traitlets.List(traitlets.List()).tag(sync=True)  # per side: epochs' numbers
    last_epochs = traitlets.List(traitlets.Dict()).tag(sync=True)  # per side: arrays as bytes

    def __init__(self, title: str, names: list[str]) -> None:
        super().__init__(
            widget_id=uuid.uuid4().hex,
            title=title,
            sides=[{"name": name, "status": "starting", "epochs_done": 0} for name in names],
            starts=[{} for _ in names],
            histories=[[] for _ in names],
            last_epochs=[{} for _ in names],
        )
        # every epoch's message, kept as sent (float32: a tenth of the event as Python lists)
        self._sent: list[list[tuple[dict[str, Any], list[bytes]]]] = [[] for _ in names]
        self.on_msg(self._answer)

    def side_started(self, index: int, start: dict[str, Any]) -> None:
        self.starts = _replaced(self.starts, index, start)
        self._set_side(index, status="training", epochs=start.get("epochs"),
                       id=start.get("id"), folder=start.get("folder"),
                       command=start.get("command"),
                       initial_weights=start.get("initial_weights"))  # fmt: skip

    def side_epoch(self, index: int, event: dict[str, Any]) -> None:
        """Send an epoch to the front end (a message: not kept in the notebook's state)."""
        content, buffers = packed(event)
        self._sent[index].append((content, buffers))
        self.send({"kind": "epoch", "side": index, **content}, buffers)
        self._set_side(index, epochs_done=len(self._sent[index]), final_loss=event.get("loss"))

    def side_ended(self, index: int, end: dict[str, Any]) -> None:
        """The run's end: its status, and what a stored notebook keeps of it."""
        sent = self._sent[index]
        numbers = [content["event"] for content, _ in sent]
        self.histories = _replaced(self.histories, index, numbers)
        if sent:
            content, buffers = sent[-1]
            last = {"epoch": content["event"]["epoch"], "shapes": content["arrays"]}
            last.update(zip(content["arrays"], buffers, strict=True))
            self.last_epochs = _replaced(self.last_epochs, index, last)
        metrics = end.get("metrics") or {}
        final_loss = metrics.get("final_loss", numbers[-1].get("loss") if numbers else None)
        self._set_side(index, status=end.get("status"), reason=end.get("reason"),
                       folder=end.get("folder"), final_loss=final_loss,
                       metrics=metrics)  # fmt: skip

    def _set_side(self, index: int, **fields: Any) -> None:
        side = {**self.sides[index], **{k: v for k, v in fields.items() if v is not None}}
        self.sides = _replaced(self.sides, index, side)

    def _answer(self, widget: Any, content: Any, buffers: list[Any]) -> None:
        """A view drawn after the epochs were sent (the page reloaded, a second view of the
        widget) asks for them again; the kernel answers once the cell has finished."""
        if isinstance(content, dict) and content.get("kind") == "replay":
            for index, sent in enumerate(self._sent):
                for message, arrays in sent:
                    self.send({"kind": "epoch", "side": index, **message}, arrays)


def _replaced(values: list[Any], index: int, value: Any) -> list[Any]:
    """A copy of ``values`` with ``value`` at ``index``: a synced trait is sent when it is
    assigned a new value, not when the old one is changed in place."""
    copy = list(values)
    copy[index] = value
    return copy
