"""Command line: ``python -m recipes run <recipe or config.yaml> [--set key=value ...]``.

Exit status: 0 done, 1 training failed (or a file could not be written), 2 bad config or
usage (one line, no traceback), 128 + the signal's number when stopped: 130 Ctrl-C, 143
SIGTERM, 129 SIGHUP (run.json then says ``interrupted``). The last line of standard output is
the run folder's path. ``python -m recipes resume <run folder>`` continues an interrupted run.
``python -m recipes sweep <recipe> --grid key=v1,v2`` runs one per combination
(:mod:`recipes.sweeps.driver`); its last line is the sweep folder's path.
``python -m recipes launch <recipe>`` does what the recipe is for: a sweep when its config has
a ``grid:``, else one run (what ``make <recipe>`` calls). ``python -m recipes plot <run folder>``
draws a run's figures from its folder (:mod:`recipes.cli.plot_command`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recipes.cli import plot_command
from recipes.errors import RecipeError
from recipes.keras_environment import BACKENDS
from recipes.paths import DEFAULT_OUTPUT_ROOT
from recipes.signals import exit_status_of, termination_signals_handled
from recipes.status import RunStatus


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit status 2) like every config error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise RecipeError(f"{message} (see: {self.prog} --help)")


def _add_run_options(parser: argparse.ArgumentParser, recipe_optional: bool = False) -> None:
    parser.add_argument(
        "recipe",
        nargs="?" if recipe_optional else None,
        help="recipe name (a file in configs/) or a path to a YAML file",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set train.epochs=5 (repeatable)",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="Keras backend (default: config 'backend', then $KERAS_BACKEND, then jax)",
    )


def _add_sweep_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help="values to sweep, read as YAML, e.g. --grid loss=mse,log_cosh --grid seed=0,1 "
        "(repeatable; adds to or replaces the config's grid: key)",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="runs at once (default: the config's sweep.jobs)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print every point's run, one line each, and create nothing",
    )
    executor = parser.add_argument_group(
        "where the points run (shorthands for --set sweep.executor=..., sweep.ray.*=...)"
    )
    executor.add_argument(
        "--executor",
        metavar="NAME",
        help="processes (default: here, --jobs at a time) or ray (a Ray cluster)",
    )
    executor.add_argument(
        "--address", help="ray: a running cluster, auto or HOST:PORT (default: start Ray here)"
    )
    executor.add_argument(
        "--cpus-per-run", type=float, metavar="N", help="ray: CPUs each run asks for"
    )
    executor.add_argument(
        "--gpus-per-run",
        type=float,
        metavar="N",
        help="ray: GPUs each run asks for (0.5: two share one)",
    )


EXECUTOR_OPTIONS = {
    "executor": "sweep.executor",
    "address": "sweep.ray.address",
    "cpus_per_run": "sweep.ray.cpus_per_run",
    "gpus_per_run": "sweep.ray.gpus_per_run",
}


def _executor_overrides(arguments: argparse.Namespace) -> list[str]:
    """--executor, --address, ... as the config overrides they stand for (so they are
    validated, recorded in sweep.json and kept by --resume like any other setting)."""
    from recipes.sweeps.grid import yaml_value

    return [
        f"{key}={yaml_value(getattr(arguments, option))}"
        for option, key in EXECUTOR_OPTIONS.items()
        if getattr(arguments, option, None) is not None
    ]


FORCE_HELP = (
    "with --resume: go on although the config or a data file changed since the start "
    "(the record says so)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m recipes", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_run_options(commands.add_parser("run", help="train and evaluate one recipe"))
    check = commands.add_parser("check", help="validate a recipe's config and print it resolved")
    _add_run_options(check)
    commands.add_parser("list", help="list recipes, every registered name and the runs")
    commands.add_parser("index", help="rebuild outputs/index.html from the run folders")
    commands.add_parser(
        "clean", help="delete the run and sweep folders and the index (never other files)"
    )
    serve = commands.add_parser("serve", help="serve outputs/; a run opened draws its figures")
    serve.add_argument("--port", type=int, default=8000)
    sweep = commands.add_parser(
        "sweep", help="one run per combination of config values, then a comparison"
    )
    _add_run_options(sweep, recipe_optional=True)
    _add_sweep_options(sweep)
    sweep.add_argument(
        "--resume",
        type=Path,
        metavar="SWEEP_FOLDER",
        help="rerun only the points of this sweep folder that did not complete",
    )
    sweep.add_argument(
        "--report",
        type=Path,
        metavar="SWEEP_FOLDER",
        help="write this sweep folder's summary and report again, without training",
    )
    sweep.add_argument("--force", action="store_true", help=FORCE_HELP)
    resume = commands.add_parser(
        "resume", help="continue an interrupted or failed run from its last completed epoch"
    )
    resume.add_argument("folder", type=Path, help="the run folder, e.g. outputs/hinge/<run-id>")
    resume.add_argument("--force", action="store_true", help=FORCE_HELP)
    launch = commands.add_parser(
        "launch", help="a sweep when the recipe's config has a grid, else one run"
    )
    _add_run_options(launch)
    _add_sweep_options(launch)
    plot_command.add_parser(commands)
    for name, command in commands.choices.items():  # every command that reads or writes it
        if name != "check":
            command.add_argument(
                "--output-root",
                type=Path,
                default=None,
                help="the folder of run and sweep folders and their index (default: outputs/; "
                "for a folder given, the one it is in)",
            )
    return parser


def _command_list(output_root: Path) -> int:
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
    _list_runs(output_root)
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


def refresh_index(output_root: Path) -> None:
    """Bring outputs/index.html up to date after a run or sweep; a failure here never hides
    the run's own result. A root without runs is left alone; one whose index.html is not ours
    is left alone with one warning line."""
    from recipes.report.outputs_index import NothingToIndex, build_index

    try:
        build_index(output_root)
    except NothingToIndex:
        return
    except RecipeError as error:
        print(f"warning: did not update the index: {error}", file=sys.stderr)
    except OSError as error:
        print(f"warning: could not update {output_root}/index.html: {error}", file=sys.stderr)


def _command_clean(arguments: argparse.Namespace) -> int:
    """``python -m recipes clean``: delete the run and sweep folders, index and its cache
    under the output root; one line per count removed."""
    from recipes.report.outputs_clean import clean_outputs

    for line in clean_outputs(_given_root(arguments)):
        print(line)
    return 0


def _given_root(arguments: argparse.Namespace, folder: Path | None = None) -> Path:
    """``--output-root``; else the output root ``folder`` (a run or sweep folder) is in; else
    outputs/."""
    if arguments.output_root is not None:
        return arguments.output_root
    return folder.parent.parent if folder is not None else DEFAULT_OUTPUT_ROOT


def _output_root(arguments: argparse.Namespace) -> Path:
    """``--output-root`` (default outputs/), checked before anything is written to it."""
    from recipes.files import ensure_writable_folder

    return ensure_writable_folder(_given_root(arguments))


def _command_sweep(arguments: argparse.Namespace) -> int:
    """``python -m recipes sweep``: exit 0 when every run completed, 1 when one failed, 128 +
    the signal's number when stopped."""
    from recipes.sweeps import driver
    from recipes.sweeps.grid import grid_from_options

    resume = getattr(arguments, "resume", None)  # `launch` has neither --resume nor --dry-run
    report = getattr(arguments, "report", None)
    if resume is not None or report is not None:
        if arguments.recipe or arguments.grid or arguments.overrides or arguments.dry_run:
            option = "--resume" if resume is not None else "--report"
            raise RecipeError(f"{option} takes only the sweep folder (and --jobs, --force)")
        if resume is not None and report is not None:
            raise RecipeError("give --resume or --report, not both")
        folder = Path(resume if resume is not None else report).resolve()
        if not (folder / "sweep.json").is_file():
            raise RecipeError(
                f"{folder}: not a sweep folder (no sweep.json); give a folder such as "
                "outputs/sweeps/<recipe>-<id>"
            )
        if report is not None:
            sweep = driver.rebuild_report(folder)
        else:
            sweep = driver.resume_sweep(folder, jobs=arguments.jobs, force=arguments.force)
        output_root = _given_root(arguments, folder)
    else:
        if not arguments.recipe:
            raise RecipeError("sweep needs a recipe (or --resume SWEEP_FOLDER)")
        if getattr(arguments, "force", False):
            raise RecipeError("--force goes with --resume SWEEP_FOLDER")
        grid = grid_from_options(arguments.grid)
        if getattr(arguments, "dry_run", False):
            return driver.print_plan(arguments.recipe, grid, arguments.overrides, arguments.backend)
        output_root = _output_root(arguments)
        sweep = driver.run_sweep(
            arguments.recipe,
            grid,
            arguments.overrides,
            arguments.backend,
            output_root,
            jobs=arguments.jobs,
        )
    refresh_index(output_root)  # not on a config error: earlier outputs stay untouched
    return _report_sweep(sweep)


def _report_sweep(sweep: object) -> int:
    from recipes.signals import Stopped

    if sweep.stop_signal is not None:
        stop = Stopped(sweep.stop_signal)
        print(f"interrupted ({stop}): sweep.json says status 'interrupted'", file=sys.stderr)
        print(sweep.folder)
        return stop.exit_status
    table = sweep.folder / "comparison.md"
    table = table if table.is_file() else sweep.folder / "summary.md"
    print(table.read_text(encoding="utf-8"))
    failed = [r for r in sweep.results if r.status != RunStatus.COMPLETED]
    if failed:
        print(f"error: {len(failed)} of {len(sweep.results)} runs failed", file=sys.stderr)
    if sweep.report_error:
        print(
            f"error: the sweep's report failed: {sweep.report_error} (the runs are recorded; "
            f"the traceback is in {sweep.folder}/report_traceback.txt; after a fix: "
            f"python -m recipes sweep --report {sweep.folder})",
            file=sys.stderr,
        )
    print(sweep.folder)
    return 1 if failed or sweep.report_error else 0


def _finish_run(outcome: object, output_root: Path | None) -> int:
    """What the command line prints and exits with after a run: the error line, the run
    folder as the last line, the outcome's exit status."""
    if output_root is not None and outcome.run_folder is not None:
        refresh_index(output_root)
    if outcome.message:
        print(outcome.message, file=sys.stderr)
    if outcome.details and outcome.run_folder is None and outcome.exit_status == 1:
        print(outcome.details, file=sys.stderr, end="")  # a fault outside any run: a bug
    if outcome.run_folder is not None and outcome.exit_status != 2:
        print(outcome.run_folder)
    return outcome.exit_status


def _command_run(arguments: argparse.Namespace, recipe: object) -> int:
    from recipes.training.door import run_point

    output_root = _output_root(arguments)
    return _finish_run(run_point(recipe, output_root), output_root)


def _command_resume(arguments: argparse.Namespace) -> int:
    from recipes.training.door import run_point

    folder = Path(arguments.folder).resolve()
    outcome = run_point(None, resume_folder=folder, force=arguments.force)
    return _finish_run(outcome, _given_root(arguments, folder) if outcome.run_folder else None)


def _dispatch(arguments: argparse.Namespace) -> int:
    if hasattr(arguments, "overrides"):
        arguments.overrides = [*arguments.overrides, *_executor_overrides(arguments)]
    if arguments.command == "list":
        return _command_list(_given_root(arguments))
    if arguments.command == "index":
        from recipes.report.outputs_index import build_index

        output_root = _output_root(arguments)
        default = Path(output_root).resolve() == DEFAULT_OUTPUT_ROOT.resolve()
        print(build_index(output_root, create=default))
        return 0
    if arguments.command == "clean":
        return _command_clean(arguments)
    if arguments.command == "serve":
        from recipes.report.serve import serve

        serve(arguments.output_root or DEFAULT_OUTPUT_ROOT, arguments.port)
        return 0
    if arguments.command == "sweep":
        return _command_sweep(arguments)
    if arguments.command == "resume":
        return _command_resume(arguments)
    if arguments.command == "plot":
        return plot_command.command(
            arguments, lambda root: refresh_index(arguments.output_root or root)
        )
    from recipes.config.resolve import resolve_recipe

    recipe = resolve_recipe(arguments.recipe, arguments.overrides, arguments.backend)
    if arguments.command == "launch" and (recipe.config.grid or arguments.grid):
        return _command_sweep(arguments)
    if arguments.command == "check":
        import yaml

        print(yaml.safe_dump(recipe.config.as_mapping(), sort_keys=False), end="")
        return 0
    return _command_run(arguments, recipe)


def main(argv: list[str] | None = None) -> int:
    try:
        with termination_signals_handled():
            arguments, unknown = build_parser().parse_known_args(argv)
            if unknown:  # named here, where the command is known
                raise RecipeError(
                    f"unrecognized arguments: {' '.join(unknown)} "
                    f"(see: python -m recipes {arguments.command} --help)"
                )
            return _dispatch(arguments)
    except RecipeError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt as error:  # Ctrl-C, SIGTERM or SIGHUP outside any run
        print(f"interrupted ({error})" if str(error) else "interrupted", file=sys.stderr)
        return exit_status_of(error)
    except BrokenPipeError:
        raise  # the reader of our output went away: recipes/__main__.py ends quietly
    except OSError as error:  # a file could not be written: disk full, permissions, ...
        where = f" {error.filename}" if error.filename else ""
        print(f"error: could not write{where}: {error.strerror or error}", file=sys.stderr)
        return 1
