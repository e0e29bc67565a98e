"""Command line: ``python -m recipes run <recipe or config.yaml> [--set key=value ...]``.

Exit status: 0 done, 1 training failed, 2 bad config or usage (one line, no traceback),
130 interrupted. The last line of standard output is the run folder's path.
``python -m recipes sweep <recipe> --grid key=v1,v2`` runs one per combination
(:mod:`recipes.sweep.driver`); its last line is the sweep folder's path.
``python -m recipes launch <recipe>`` does what the recipe is for: a sweep when its config has
a ``grid:``, else one run (what ``make <recipe>`` calls).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recipes.errors import RecipeError, TrainingFailed
from recipes.paths import DEFAULT_OUTPUT_ROOT


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit status 2) like every config error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise RecipeError(f"{message} (see: python -m recipes {self.prog.split()[-1]} --help)")


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", help="recipe name (a file in configs/) or a path to a YAML file")
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
        choices=["tensorflow", "jax", "torch"],
        help="Keras backend (default: config 'backend', then $KERAS_BACKEND, then tensorflow)",
    )
    parser.add_argument(
        "--output-root", type=Path, default=None, help="where run folders go (default: outputs/)"
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m recipes", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_run_options(commands.add_parser("run", help="train and evaluate one recipe"))
    check = commands.add_parser("check", help="validate a recipe's config and print it resolved")
    _add_run_options(check)
    commands.add_parser("list", help="list recipes and every registered name")
    index = commands.add_parser("index", help="rebuild outputs/index.html from the run folders")
    index.add_argument("--output-root", type=Path, default=None, help="default: outputs/")
    sweep = commands.add_parser(
        "sweep", help="one run per combination of config values, then a comparison"
    )
    _add_run_options(sweep)
    _add_sweep_options(sweep)
    launch = commands.add_parser(
        "launch", help="a sweep when the recipe's config has a grid, else one run"
    )
    _add_run_options(launch)
    _add_sweep_options(launch)
    return parser


def _command_list() -> int:
    import datasets
    from recipes.components.losses import LOSSES
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
    return 0


def refresh_index(output_root: Path) -> None:
    """Rebuild outputs/index.html; a failure here never hides the run's own result."""
    from recipes.report.outputs_index import build_index

    try:
        build_index(output_root)
    except OSError as error:
        print(f"warning: could not update {output_root}/index.html: {error}", file=sys.stderr)


def _command_sweep(arguments: argparse.Namespace) -> int:
    """``python -m recipes sweep``: exit 0 when every run completed, 1 when one failed."""
    from recipes.sweep.driver import run_sweep
    from recipes.sweep.grid import grid_from_options

    output_root = arguments.output_root or DEFAULT_OUTPUT_ROOT
    grid = grid_from_options(arguments.grid)
    try:
        sweep = run_sweep(
            arguments.recipe,
            grid,
            arguments.overrides,
            arguments.backend,
            output_root,
            jobs=arguments.jobs,
        )
    except KeyboardInterrupt:
        refresh_index(output_root)
        raise
    refresh_index(output_root)  # not on a config error: earlier outputs stay untouched
    table = sweep.folder / "comparison.md"
    table = table if table.is_file() else sweep.folder / "summary.md"
    print(table.read_text(encoding="utf-8"))
    failed = [r for r in sweep.results if r.status != "completed"]
    if failed:
        print(f"error: {len(failed)} of {len(sweep.results)} runs failed", file=sys.stderr)
    print(sweep.folder)
    return 1 if failed else 0


def _command_run(arguments: argparse.Namespace, recipe: object) -> int:
    from recipes.run.lifecycle import run_recipe

    output_root = arguments.output_root or DEFAULT_OUTPUT_ROOT
    try:
        folder = run_recipe(recipe, output_root)
    finally:
        refresh_index(output_root)
    print(folder)
    return 0


def _dispatch(arguments: argparse.Namespace) -> int:
    if arguments.command == "list":
        return _command_list()
    if arguments.command == "index":
        from recipes.report.outputs_index import build_index

        print(build_index(arguments.output_root or DEFAULT_OUTPUT_ROOT))
        return 0
    if arguments.command == "sweep":
        return _command_sweep(arguments)
    from recipes.config.resolve import resolve_recipe

    recipe = resolve_recipe(arguments.recipe, arguments.overrides, arguments.backend)
    if arguments.command == "launch" and (recipe.config.grid or arguments.grid):
        return _command_sweep(arguments)
    if arguments.command == "check":
        import yaml

        print(yaml.safe_dump(recipe.config.as_mapping(), sort_keys=False), end="")
        return 0
    return _command_run(arguments, recipe)


def _print_folder(error: BaseException) -> None:
    folder = getattr(error, "run_folder", None)
    if folder is not None:
        print(folder)


def main(argv: list[str] | None = None) -> int:
    try:
        return _dispatch(build_parser().parse_args(argv))
    except RecipeError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_status
    except TrainingFailed as error:
        print(f"error: training failed: {error}", file=sys.stderr)
        _print_folder(error)
        return error.exit_status
    except KeyboardInterrupt as error:
        print("interrupted: run.json records status 'interrupted'", file=sys.stderr)
        _print_folder(error)
        return 130
