"""The lab in a notebook (``recipes.lab("hinge", {"loss": "squared_hinge"})``,
:func:`recipes.api.lab`): the runs train in the kernel's process, through the one door, as the
lab's runs do (:class:`recipes.lab.runs.Lab`: a thread each, taking turns between epochs, so two
settings share data, seed and starting weights), while this module, in the cell's own thread,
hands each event to the widget (:mod:`recipes.lab.widget`). The kernel sends what the cell's
thread sends at once, so the widget is drawn every epoch while the cell runs.
"""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path
from typing import Any

from recipes.config.schema import ResolvedRecipe
from recipes.lab.runs import Lab, LabRun

INSTALL = "pip install 'keras-loss-recipes[lab]'"
NO_WIDGET = (
    f"recipes.lab: the live view needs anywidget ({INSTALL}); training without it, its "
    "figures follow"
)
POLL_S = 0.03  # how often the cell's thread looks for new events
STOP_WAIT_S = 60.0  # how long an interrupted cell waits for its runs to record themselves


def live_view_available() -> bool:
    """Whether this kernel can show the widget (anywidget is installed)."""
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False
    return True


def command_line(recipe: str, texts: list[str]) -> str:
    """The command line that trains the same run (as the lab's page shows it)."""
    return " ".join(
        ["python -m recipes run", shlex.quote(recipe)] + [f"--set {shlex.quote(t)}" for t in texts]
    )


def side_name(texts: list[str]) -> str:
    return ", ".join(texts) if texts else "as the recipe says"


def watch_runs(
    resolved: list[ResolvedRecipe], texts: list[list[str]], recipe: str, output_root: Path
) -> list[Path]:
    """Show the widget, train ``resolved`` side by side, draw every epoch; the run folders.
    Interrupted (the kernel's stop button), the runs are stopped, recorded ``interrupted``,
    and KeyboardInterrupt is raised again."""
    from IPython.display import display

    from recipes.lab.widget import LabWidget

    widget = LabWidget(recipe, [side_name(one) for one in texts])
    display(widget)
    lab = Lab(output_root)
    runs = lab.start(resolved, [command_line(recipe, one) for one in texts])
    seen = [0] * len(runs)
    try:
        while not all(run.finished for run in runs):
            _forward(widget, runs, seen)
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        lab.stop_all("interrupted in the notebook")
        lab.join(STOP_WAIT_S)
        raise
    finally:
        _forward(widget, runs, seen)
    return [run.folder for run in runs]


def _forward(widget: Any, runs: list[LabRun], seen: list[int]) -> None:
    """Hand the widget each run's events since the last look."""
    for index, run in enumerate(runs):
        events = run.events[seen[index] :]  # appended by the run's thread; a slice is a copy
        seen[index] += len(events)
        for name, text in events:
            data = json.loads(text)
            if name == "start":
                widget.side_started(index, data)
            elif name == "epoch":
                widget.side_epoch(index, data)
            elif name == "end":
                widget.side_ended(index, data)
