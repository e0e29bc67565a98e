"""A sweep's runs side by side: for a sweep over two-feature data, each setting's decision
boundary above its forces at the end of training, one column per setting, each titled by what
the sweep varies (``loss.gamma = 2``), all drawn from the runs' recordings by the one renderer
of decision regions (:func:`recipes.report.regions.draw_boundary`).

Every sweep writes it, whatever its report (:func:`recipes.sweeps.driver.write_report`), so
``python -m recipes sweep focal_rings --grid loss.gamma=0,1,2,5`` shows the four boundaries in
one command. A sweep that varies the seed and something else shows one column per setting of
the other keys (its first seed's run), and says so in the figure's title.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recipes.recording import Recording
from recipes.records import RECORDING_FILE, varies_text
from recipes.report.canvas import legend_label, new_figure, save_figure
from recipes.report.forces import (
    draw_colour_bar,
    force_norm,
    hardest_share,
    plot_point_forces,
    share_text,
)
from recipes.report.regions import draw_boundary
from recipes.status import RunStatus
from recipes.sweeps.records import RunResult, SweepResults
from recipes.training.figures import label_feature_axes

FIGURE = "boundaries_and_forces.png"
COLUMNS = 4  # settings per row of the figure; more wrap onto further rows
MOST_PANELS = 12  # a figure of more settings would not be read: the first ones are shown
SEED_KEY = "seed"


@dataclass
class Panels:
    """What the figure shows: one run per setting, each with its title, and a note saying
    which runs were chosen ('' when every completed run is shown)."""

    runs: list[RunResult]
    titles: list[str]
    note: str = ""


def choose_panels(sweep: SweepResults) -> Panels:
    """The completed runs with a recording, one per setting of the grid keys other than the
    seed (its first seed's run; every seed's run when only the seed varies), at most
    :data:`MOST_PANELS`, each titled by the keys it differs in."""
    recorded = [
        result
        for result in sweep.runs
        if result.status == RunStatus.COMPLETED
        and result.folder is not None
        and (result.folder / RECORDING_FILE).is_file()
    ]
    keys = [key for key in sweep.keys if key != SEED_KEY] or sweep.keys
    chosen: dict[tuple[str, ...], RunResult] = {}
    for result in recorded:  # grid order: the first seed of each setting comes first
        chosen.setdefault(tuple(result.point.labels[key] for key in keys), result)
    runs = list(chosen.values())
    notes = []
    if keys != sweep.keys:
        seeds = sorted({result.point.labels[SEED_KEY] for result in runs})
        which = f"seed {seeds[0]}" if len(seeds) == 1 else "its first completed seed"
        notes.append(f"one run per setting ({which}) of the sweep's seeds")
    if len(runs) > MOST_PANELS:
        notes.append(f"the first {MOST_PANELS} of {len(runs)} settings")
        runs = runs[:MOST_PANELS]
    titles = [varies_text({key: result.point.labels[key] for key in keys}) for result in runs]
    return Panels(runs, titles, "; ".join(notes))


def side_by_side_figure(sweep: SweepResults, panels: Panels) -> Any:
    """The figure: per setting, its decision boundary (titled ``loss.gamma = 2`` and its test
    accuracy) above its forces at the end of training (one colour scale for all). Returns the
    figure; its axes come in pairs (boundary, forces) in the panels' order, then the colour
    bars."""
    recordings = [Recording.load(result.folder / RECORDING_FILE) for result in panels.runs]
    norm = force_norm(*(recording.point_forces[-1] for recording in recordings))
    margins = sweep.base.config.plots.margins
    columns = min(len(recordings), COLUMNS)
    rows = math.ceil(len(recordings) / columns)
    figure = new_figure((4.4 * columns + 1.2, 9.4 * rows + 0.6), dpi=100)
    grid = figure.add_gridspec(2 * rows, columns)
    shown = zip(panels.runs, recordings, panels.titles, strict=True)
    for index, (result, recording, title) in enumerate(shown):
        row, column = divmod(index, columns)
        boundary = figure.add_subplot(grid[2 * row, column])
        pushed = figure.add_subplot(grid[2 * row + 1, column])
        draw_boundary(boundary, recording, margins=margins, class_names=recording.class_names)
        accuracy = result.metrics.get("test_accuracy")
        title += "" if accuracy is None else f", test acc {accuracy:.1%}"
        boundary.set_title(legend_label(title), fontsize=12, fontweight="bold")
        draw_boundary(pushed, recording, margins=margins, points=False, rings=False, legend=False)
        forces = recording.point_forces[-1]
        plot_point_forces(pushed, recording.points, recording.labels, forces, norm)
        pushed.set_title(share_text(hardest_share(forces)), fontsize=10)
        label_feature_axes([boundary, pushed], recording)
    for row in range(rows):  # one colour bar per row, right of its last forces panel
        last = figure.axes[2 * min(row * columns + columns, len(recordings)) - 1]
        draw_colour_bar(last.inset_axes((1.05, 0.0, 0.06, 1.0)), norm)
    varied = ", ".join(key for key in sweep.keys if key != SEED_KEY) or SEED_KEY
    title = f"{sweep.recipe}: what {varied} changes (boundary above, forces at the end below)"
    figure.suptitle(title + (f"\n{panels.note}" if panels.note else ""), fontsize=13)
    return figure


def write_side_by_side(sweep: SweepResults) -> list[Path]:
    """boundaries_and_forces.png in the sweep folder when its runs recorded two-feature data
    (none for a sweep over images or tables); returns the files written."""
    panels = choose_panels(sweep)
    if not panels.runs:
        return []
    figure = side_by_side_figure(sweep, panels)
    return [save_figure(figure, sweep.folder / FIGURE, dpi=100)]
