"""Command line: ``python -m recipes run <recipe or config.yaml> [--set key=value ...]``.

Exit status: 0 done, 1 training failed, 2 bad config or usage (one line, no traceback),
130 interrupted. The last line of standard output is the run folder's path.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recipes.errors import RecipeError, TrainingFailed


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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m recipes", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="train and evaluate one recipe")
    _add_run_options(run)
    check = commands.add_parser("check", help="validate a recipe's config and print it resolved")
    _add_run_options(check)
    commands.add_parser("list", help="list recipes, datasets, models, losses, metrics")
    return parser


def _command_list() -> int:
    import datasets
    from recipes.config import available_recipes
    from recipes.losses import LOSSES
    from recipes.metrics import METRICS
    from recipes.models import MODELS
    from recipes.optimizers import OPTIMIZERS

    print("recipes:    " + ", ".join(available_recipes()))
    for label, registry in [
        ("datasets", datasets.DATASETS),
        ("models", MODELS),
        ("losses", LOSSES),
        ("metrics", METRICS),
        ("optimizers", OPTIMIZERS),
    ]:
        print(f"{label + ':':11} " + ", ".join(registry.names()))
    return 0


def _print_folder(error: BaseException) -> None:
    folder = getattr(error, "run_folder", None)
    if folder is not None:
        print(folder)


def main(argv: list[str] | None = None) -> int:
    try:
        arguments = build_parser().parse_args(argv)
        if arguments.command == "list":
            return _command_list()
        from recipes.config import resolve_recipe

        recipe = resolve_recipe(arguments.recipe, arguments.overrides, arguments.backend)
        if arguments.command == "check":
            import yaml

            print(yaml.safe_dump(recipe.config.as_mapping(), sort_keys=False), end="")
            return 0
        from recipes.runner import DEFAULT_OUTPUT_ROOT, run_recipe

        folder = run_recipe(recipe, arguments.output_root or DEFAULT_OUTPUT_ROOT)
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
    print(folder)
    return 0
