"""``python -m recipes plot <run folder> [...]``: draw run folders' figures from what they hold
(:func:`recipes.training.drawing.plot_run_folder`: the recording, history, metrics and config;
no model, no Keras): the figures a sweep's runs left pending, or a run deferred (``plots.draw:
deferred``), or again after a figure was deleted or a plot changed. A sweep folder stands for
its completed runs whose figures are not drawn yet. Every folder is checked before anything is
drawn: one that is not a run's (or a sweep's) is one line, exit status 2. A run whose figures
fail is recorded in its run.json (``figures.status: failed``), the others are still drawn, and
the exit status is 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from recipes.errors import RecipeError, RecipeErrors
from recipes.records import read_sweep
from recipes.status import RunStatus


def add_parser(commands: argparse._SubParsersAction) -> None:
    plot = commands.add_parser(
        "plot", help="draw a run folder's figures from its recording, history and config"
    )
    plot.add_argument(
        "folders",
        type=Path,
        nargs="+",
        metavar="FOLDER",
        help="a run folder (outputs/<recipe>/<run-id>), or a sweep folder for all its runs",
    )


def run_folders(folder: Path) -> list[Path]:
    """The run folders ``folder`` stands for: itself, or a sweep folder's completed runs
    whose figures are not drawn (pending, failed, or from before run.json recorded them)."""
    from recipes.training.drawing import DRAWN, figures_status

    if not (folder / "sweep.json").is_file():
        return [folder]
    completed = [
        Path(run.run_folder)
        for run in read_sweep(folder).runs
        if run.status == RunStatus.COMPLETED and run.run_folder
    ]
    return [run for run in completed if figures_status(run) != DRAWN]


def command(arguments: argparse.Namespace, refresh_index: Callable[[Path], None]) -> int:
    """Draw the folders' figures; ``refresh_index(output root)`` after them."""
    from recipes.training.drawing import check_run_folder, plot_run_folder

    folders = [run for given in arguments.folders for run in run_folders(given.resolve())]
    if not folders:
        print("nothing to draw: every completed run of the sweep has its figures")
        return 0
    problems = []
    for folder in folders:
        try:
            check_run_folder(folder)
        except RecipeError as error:
            problems.append(error)
    if problems:
        raise RecipeErrors(problems)
    failed = 0
    for folder in folders:
        try:
            drawn = plot_run_folder(folder)
        except Exception as error:  # recorded in its run.json; the other folders go on
            failed += 1
            print(f"error: {folder}: drawing its figures failed: {error}", file=sys.stderr)
            continue
        print(f"{folder}: drew {', '.join(drawn.files) or 'nothing'} in {drawn.seconds:.1f} s")
    for root in {folder.parent.parent for folder in folders}:
        refresh_index(root)
    return 1 if failed else 0
