"""The commands on the output root (``list``, ``index``, ``clean``, ``serve``, ``plot``), and
which output root a command uses.

``python -m recipes plot <run folder> [...]`` draws run folders' figures from what they hold
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
from pathlib import Path

from recipes.errors import RecipeError, RecipeErrors
from recipes.paths import default_output_root
from recipes.records import read_sweep
from recipes.status import RunStatus


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


def command_plot(arguments: argparse.Namespace) -> int:
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
    from recipes.report.outputs_index import refresh_index

    for output_root in {folder.parent.parent for folder in folders}:
        refresh_index(arguments.output_root or output_root)
    return 1 if failed else 0


def command_list(arguments: argparse.Namespace) -> int:
    import recipes.datasets as datasets
    from recipes.components.losses import LOSSES, loss_listing
    from recipes.components.metrics import METRICS
    from recipes.components.models import MODELS
    from recipes.components.optimizers import OPTIMIZERS
    from recipes.config.layering import available_recipes
    from recipes.plugins import EXECUTORS, REPORTS, TASKS

    print("recipes:    " + ", ".join(available_recipes()))
    for label, registry in [
        ("datasets", datasets.DATASETS),
        ("models", MODELS),
        ("losses", LOSSES),
        ("metrics", METRICS),
        ("optimizers", OPTIMIZERS),
        ("tasks", TASKS),
        ("reports", REPORTS),
        ("executors", EXECUTORS),
    ]:
        print(f"{label + ':':11} " + ", ".join(registry.names()))
        if registry is LOSSES:  # each with the targets it trains on and its formula
            print("\n".join(loss_listing()))
    _list_runs(given_root(arguments))
    return 0


def _list_runs(output_root: Path) -> None:
    """How many runs and sweeps the output root holds per status, and which are still
    running or were stopped without a chance to say so (``stopped (process gone)``). A record
    that cannot be read is one warning line (stderr), never a failure."""
    from recipes.paths import display_path
    from recipes.report.index_records import collect_entries, status_summary

    entries = collect_entries(output_root, details=False)
    summary = status_summary(entries)
    print(f"{'outputs:':11} {display_path(output_root)}: {summary or 'no runs yet'}")
    for entry in entries:
        if entry.status not in (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.INTERRUPTED):
            print(f"  {entry.status}: {display_path(entry.folder)}")


def command_clean(arguments: argparse.Namespace) -> int:
    from recipes.report.outputs_clean import clean_outputs

    for line in clean_outputs(given_root(arguments)):
        print(line)
    return 0


def given_root(arguments: argparse.Namespace, folder: Path | None = None) -> Path:
    """``--output-root``; else the output root ``folder`` (a run or sweep folder) is in; else
    outputs/."""
    if arguments.output_root is not None:
        return arguments.output_root
    return folder.parent.parent if folder is not None else default_output_root()


def writable_root(arguments: argparse.Namespace) -> Path:
    """``--output-root`` (default outputs/), checked before anything is written to it."""
    from recipes.files import ensure_writable_folder

    return ensure_writable_folder(given_root(arguments))


def command_index(arguments: argparse.Namespace) -> int:
    from recipes.report.outputs_index import build_index

    output_root = writable_root(arguments)
    default = Path(output_root).resolve() == default_output_root().resolve()
    print(build_index(output_root, create=default))
    return 0


def command_serve(arguments: argparse.Namespace) -> int:
    from recipes.report.serve import serve

    serve(given_root(arguments), arguments.port)
    return 0
