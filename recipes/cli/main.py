"""Command line: ``python -m recipes run <recipe or config.yaml> [--set key=value ...]``.

Exit status: 0 done, 1 training failed (or a file could not be written), 2 bad config or
usage (one line, no traceback), 128 + the signal's number when stopped: 130 Ctrl-C, 143
SIGTERM, 129 SIGHUP (run.json then says ``interrupted``). The last line of standard output is
the run folder's path. ``python -m recipes resume <run folder>`` continues an interrupted run.
``python -m recipes sweep <recipe> --grid key=v1,v2`` runs one per combination
(:mod:`recipes.sweeps.driver`); its last line is the sweep folder's path.
``python -m recipes launch <recipe>`` does what the recipe is for: a sweep when its config has
a ``grid:``, else one run (what ``make <recipe>`` calls). ``python -m recipes plot <run folder>``
draws a run's figures from its folder (:mod:`recipes.cli.outputs`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recipes.cli import outputs
from recipes.cli.outputs import given_root, writable_root
from recipes.errors import RecipeError
from recipes.keras_environment import BACKENDS
from recipes.plugins import EXECUTORS
from recipes.records import read_sweep
from recipes.signals import Stopped, exit_status_of, termination_signals_handled
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
        action=_Setting,
        const="sweep.executor",
        metavar="NAME",
        help="; ".join(
            f"{name}: {EXECUTORS.entry(name).info.get('summary', '')}" for name in EXECUTORS.names()
        ),
    )
    executor.add_argument(
        "--address",
        action=_Setting,
        const="sweep.ray.address",
        help="ray: a running cluster, auto or HOST:PORT (default: start Ray here)",
    )
    for option, help_text in [
        ("cpus-per-run", "ray: CPUs each run asks for"),
        ("gpus-per-run", "ray: GPUs each run asks for (0.5: two share one)"),
    ]:
        executor.add_argument(
            f"--{option}",
            action=_Setting,
            const=f"sweep.ray.{option.replace('-', '_')}",
            type=float,
            metavar="N",
            help=help_text,
        )


class _Setting(argparse.Action):
    """``--executor ray`` appends the ``--set sweep.executor=ray`` it stands for, so it is
    validated, recorded in sweep.json and kept by --resume like any other setting."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:  # type: ignore[override]
        from recipes.sweeps.grid import yaml_value

        namespace.overrides = [*namespace.overrides, f"{self.const}={yaml_value(value)}"]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m recipes", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, handler, help_text in [
        ("run", _command_recipe, "train and evaluate one recipe"),
        ("check", _command_recipe, "validate a recipe's config and print it resolved"),
        ("list", outputs.command_list, "list recipes, every registered name and the runs"),
        ("index", outputs.command_index, "rebuild outputs/index.html from the run folders"),
        (
            "clean",
            outputs.command_clean,
            "delete the run and sweep folders and the index (never other files)",
        ),
        ("serve", outputs.command_serve, "serve outputs/; a run opened draws its figures"),
        ("sweep", _command_sweep, "one run per combination of config values, then a comparison"),
        (
            "resume",
            _command_resume,
            "continue an interrupted or failed run from its last completed epoch",
        ),
        ("launch", _command_recipe, "a sweep when the recipe's config has a grid, else one run"),
        (
            "plot",
            outputs.command_plot,
            "draw a run folder's figures from its recording, history and config",
        ),
        ("lab", _command_lab, "a local page: change a loss and watch it train, live (docs/lab.md)"),
    ]:
        commands.add_parser(name, help=help_text).set_defaults(handler=handler)
    command = commands.choices
    for name in ("run", "check", "sweep", "launch"):
        _add_run_options(command[name], recipe_optional=name == "sweep")
    for name in ("sweep", "launch"):
        _add_sweep_options(command[name])
    command["serve"].add_argument("--port", type=int, default=8000)
    _add_lab_options(command["lab"])
    _add_folder_options(command)
    for name, added in command.items():  # every command that reads or writes it
        if name != "check":
            added.add_argument(
                "--output-root",
                type=Path,
                help="the folder of run and sweep folders and their index (default: outputs/; "
                "for a folder given, the one it is in)",
            )
    return parser


def _add_folder_options(command: dict[str, argparse.ArgumentParser]) -> None:
    """The arguments that name folders already made: a sweep's, a run's, or several."""
    given_folder = command["sweep"].add_mutually_exclusive_group()
    given_folder.add_argument(
        "--resume",
        type=Path,
        metavar="SWEEP_FOLDER",
        help="rerun only the points of this sweep folder that did not complete",
    )
    given_folder.add_argument(
        "--report",
        type=Path,
        metavar="SWEEP_FOLDER",
        help="write this sweep folder's summary and report again, without training",
    )
    command["resume"].add_argument(
        "folder", type=Path, help="the run folder, e.g. outputs/hinge/<run-id>"
    )
    for name in ("sweep", "resume"):
        command[name].add_argument(
            "--force",
            action="store_true",
            help="with --resume: go on although the config or a data file changed since the "
            "start (the record says so)",
        )
    command["plot"].add_argument(
        "folders",
        type=Path,
        nargs="+",
        metavar="FOLDER",
        help="a run folder (outputs/<recipe>/<run-id>), or a sweep folder for all its runs",
    )


def _add_lab_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "recipe",
        nargs="?",
        default="hinge",
        help="the recipe the page starts from, or a run or sweep folder to replay",
    )
    parser.add_argument("--port", type=int, default=0, help="0 (default): a free port")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument("--no-browser", action="store_true", help="print the address only")
    parser.add_argument(
        "--loss-file",
        action="append",
        default=[],
        metavar="FILE[:FUNCTION]",
        help="a loss file the page may name (besides configs/losses/; repeatable)",
    )


def _command_lab(arguments: argparse.Namespace) -> int:
    from recipes.live.server import serve

    return serve(
        arguments.recipe,
        arguments.port,
        arguments.host,
        writable_root(arguments),
        arguments.loss_file,
        not arguments.no_browser,
    )


def _command_sweep(arguments: argparse.Namespace) -> int:
    """``python -m recipes sweep``: exit 0 when every run completed, 1 when one failed, 128 +
    the signal's number when stopped."""
    from recipes.sweeps import driver
    from recipes.sweeps.grid import grid_from_options

    resume = getattr(arguments, "resume", None)  # `launch` has no --resume, --report, --force
    report = getattr(arguments, "report", None)
    if resume is not None or report is not None:
        if arguments.recipe or arguments.grid or arguments.overrides or arguments.dry_run:
            option = "--resume" if resume is not None else "--report"
            raise RecipeError(f"{option} takes only the sweep folder (and --jobs, --force)")
        folder = Path(resume if resume is not None else report).resolve()
        read_sweep(folder)  # a folder without a sweep record is refused in one line
        if report is not None:
            sweep = driver.rebuild_report(folder)
        else:
            sweep = driver.resume_sweep(folder, jobs=arguments.jobs, force=arguments.force)
        output_root = given_root(arguments, folder)
    else:
        if not arguments.recipe:
            raise RecipeError("sweep needs a recipe (or --resume SWEEP_FOLDER)")
        if getattr(arguments, "force", False):
            raise RecipeError("--force goes with --resume SWEEP_FOLDER")
        grid = grid_from_options(arguments.grid)
        if arguments.dry_run:
            return driver.print_plan(arguments.recipe, grid, arguments.overrides, arguments.backend)
        output_root = writable_root(arguments)
        sweep = driver.run_sweep(
            arguments.recipe,
            grid,
            arguments.overrides,
            arguments.backend,
            output_root,
            jobs=arguments.jobs,
        )
    from recipes.report.outputs_index import refresh_index

    refresh_index(output_root)  # not on a config error: earlier outputs stay untouched
    return _report_sweep(sweep)


def _report_sweep(sweep: object) -> int:
    if sweep.stop_signal is not None:
        stop = Stopped(sweep.stop_signal)
        print(f"interrupted ({stop}): sweep.json says status 'interrupted'", file=sys.stderr)
        print(sweep.folder)
        return stop.exit_status
    table = sweep.folder / "comparison.md"
    table = table if table.is_file() else sweep.folder / "summary.md"
    print(table.read_text(encoding="utf-8"))
    failed = [r for r in sweep.runs if r.status != RunStatus.COMPLETED]
    if failed:
        print(f"error: {len(failed)} of {len(sweep.runs)} runs failed", file=sys.stderr)
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
        from recipes.report.outputs_index import refresh_index

        refresh_index(output_root)
    if outcome.message:
        print(outcome.message, file=sys.stderr)
    if outcome.details and outcome.run_folder is None and outcome.exit_status == 1:
        print(outcome.details, file=sys.stderr, end="")  # a fault outside any run: a bug
    if outcome.run_folder is not None and outcome.exit_status != 2:
        print(outcome.run_folder)
    return outcome.exit_status


def _command_recipe(arguments: argparse.Namespace) -> int:
    """``run``, ``check`` and ``launch``: the recipe is resolved (checked) first."""
    from recipes.config.resolve import resolve_recipe
    from recipes.training.door import run_point

    recipe = resolve_recipe(arguments.recipe, arguments.overrides, arguments.backend)
    if arguments.command == "launch" and (recipe.config.grid or arguments.grid):
        return _command_sweep(arguments)
    if arguments.command == "check":
        import yaml

        print(yaml.safe_dump(recipe.config.as_mapping(), sort_keys=False), end="")
        return 0
    output_root = writable_root(arguments)
    return _finish_run(run_point(recipe, output_root), output_root)


def _command_resume(arguments: argparse.Namespace) -> int:
    from recipes.training.door import run_point

    folder = Path(arguments.folder).resolve()
    outcome = run_point(None, resume_folder=folder, force=arguments.force)
    return _finish_run(outcome, given_root(arguments, folder) if outcome.run_folder else None)


def main(argv: list[str] | None = None) -> int:
    try:
        with termination_signals_handled():
            arguments, unknown = build_parser().parse_known_args(argv)
            if unknown:  # named here, where the command is known
                raise RecipeError(
                    f"unrecognized arguments: {' '.join(unknown)} "
                    f"(see: python -m recipes {arguments.command} --help)"
                )
            return arguments.handler(arguments)
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
