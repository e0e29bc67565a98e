"""The lab in a notebook (``recipes.lab("hinge", {"loss": "squared_hinge"})``,
:func:`recipes.api.lab`): the runs train in the kernel's process, through the one door, as the
lab's runs do (:class:`recipes.live.runs.Lab`: a thread each, taking turns between epochs, so two
settings share data, seed and starting weights), while this module, in the cell's own thread,
hands each event to the widget (:mod:`recipes.live.widget`). The kernel sends what the cell's
thread sends at once, so the widget is drawn every epoch while the cell runs.
"""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path
from typing import Any

from recipes.config.schema import ResolvedRecipe
from recipes.live.runs import POLL_S, Lab, LabRun
from recipes.live.watch import command_line
from recipes.report.outputs_index import refresh_index

INSTALL = "pip install 'keras-loss-recipes[lab]'"
NO_WIDGET = (
    f"recipes.lab: the live view needs anywidget ({INSTALL}); training without it, its "
    "figures follow"
)
STOP_WAIT_S = 60.0  # how long an interrupted cell waits for its runs to record themselves


def live_view_available() -> bool:
    """Whether this kernel can show the widget (anywidget is installed)."""
    return importlib.util.find_spec("anywidget") is not None


def titles(recipe: str, texts: list[list[str]]) -> tuple[str, list[str]]:
    """The widget's title (the recipe and the overrides every side shares) and each side's
    (A, B, ... and the overrides that are its own)."""
    shared = [text for text in texts[0] if all(text in one for one in texts)]
    title = " ".join([recipe, *shared]) if len(texts) > 1 else " ".join([recipe, *texts[0]])
    names = []
    for index, one in enumerate(texts):
        own = [text for text in one if text not in shared]
        names.append(" ".join([chr(ord("A") + index), *own]))
    return title, names


def watch_runs(
    resolved: list[ResolvedRecipe], texts: list[list[str]], recipe: str, output_root: Path
) -> list[Path]:
    """Show the widget, train ``resolved`` side by side, draw every epoch; the run folders.
    Interrupted (the kernel's stop button), the runs are stopped, recorded ``interrupted``,
    and KeyboardInterrupt is raised again."""
    from IPython.display import display

    from recipes.live.widget import LabWidget

    widget = LabWidget(*titles(recipe, texts))
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
    for run in runs:
        draw_figures(run.folder)
    refresh_index(output_root)  # the index shows their figures, not 'figures pending'
    return [run.folder for run in runs]


def draw_figures(folder: Path) -> None:
    """Draw a completed run's figures, which the lab leaves pending (its page drew every
    epoch), so that the Run returned shows them (``run.show("forces")``, its inline view) as
    one from ``recipes.run`` does: about 1-2 s a run of the hinge recipe. A figure that fails
    is recorded in its run.json and said in one line; the run stays completed."""
    import sys

    from recipes.records import RunStatus
    from recipes.training.drawing import plot_run_folder
    from recipes.views import Run

    if Run(folder).status != RunStatus.COMPLETED:
        return
    try:
        plot_run_folder(folder)
    except Exception as error:  # recorded in run.json by plot_run_folder
        print(f"warning: {folder}: its figures were not drawn: {error}", file=sys.stderr)


def _forward(widget: Any, runs: list[LabRun], seen: list[int]) -> None:
    """Hand the widget each run's events since the last look."""
    for index, run in enumerate(runs):
        events = run.events[seen[index] :]  # appended by the run's thread; a slice is a copy
        seen[index] += len(events)
        take = {"start": widget.side_started, "epoch": widget.side_epoch, "end": widget.side_ended}
        for name, text in events:
            take[name](index, json.loads(text))
