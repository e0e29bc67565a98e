"""``python -m recipes resume <run folder>``: continue an interrupted or failed run in its own
folder, from the last epoch its backup holds (``train.checkpoint``, Keras' BackupAndRestore),
to the configured epoch count. run.json records each resume and the epoch it started from.

What BackupAndRestore restores: the weights, the optimizer's state and the epoch count. What it
does not: the shuffling order of later epochs and an early-stopping callback's patience and
best weights, which start afresh; so a resumed run's metrics agree with an uninterrupted run's
closely, not bit for bit.
"""

from __future__ import annotations

from pathlib import Path

from recipes.config.resolve import resolve_run_folder_config
from recipes.config.schema import ResolvedRecipe
from recipes.errors import RecipeError
from recipes.files import read_json
from recipes.plugins import TASKS
from recipes.run.lifecycle import execute_run
from recipes.status import shown_status


def resumable_recipe(folder: Path) -> ResolvedRecipe:
    """The recipe a run folder was started with; RecipeError (one line) when the folder is
    not a run, is complete, is still running, or holds a task that cannot resume."""
    record = read_json(folder / "run.json")
    if not record or not (folder / "config.yaml").is_file():
        raise RecipeError(
            f"{folder}: not a run folder (it needs run.json and config.yaml); give a folder "
            "such as outputs/hinge/<run-id>"
        )
    recipe = str(record.get("recipe") or folder.parent.name)
    status = shown_status(record)
    if status == "completed":
        raise RecipeError(
            f"{folder}: this run already completed; nothing to resume "
            f"(a new run: python -m recipes run {recipe})"
        )
    if status == "running":
        raise RecipeError(
            f"{folder}: this run is still running (pid {record.get('pid')}); stop it first"
        )
    config = resolve_run_folder_config(folder)
    if not TASKS.entry(config.task).info.get("resumable"):
        raise RecipeError(
            f"{folder}: task '{config.task}' has nothing to resume; run it again "
            f"(python -m recipes run {recipe})"
        )
    return ResolvedRecipe(
        name=recipe,
        config=config,
        sources=record.get("sources", []),
        overrides=record.get("overrides", []),
    )


def resume_run(folder: Path | str, verbose: int | None = None) -> Path:
    """Resume the run in ``folder`` (status ``interrupted``, ``failed`` or
    ``stopped (process gone)``); returns the folder."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise RecipeError(f"{folder}: no such run folder")
    recipe = resumable_recipe(folder)
    task = TASKS.get(recipe.config.task)
    return execute_run(recipe, folder.parent.parent, task, verbose=verbose, resume_folder=folder)
