"""The life of one run folder, the same for every task.

Order matters: the backend is chosen before Keras is imported; the run folder, its
``config.yaml`` and ``run.json`` exist before the task starts, so a failed or interrupted run
is still auditable. ``run.json`` says whether the run is ``running``, ``completed``, ``failed``
or ``interrupted``.
"""

from __future__ import annotations

import contextlib
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recipes.config.schema import ResolvedRecipe
from recipes.errors import TrainingFailed
from recipes.files import create_unique_folder, now_iso, write_json, write_yaml
from recipes.paths import DEFAULT_OUTPUT_ROOT
from recipes.plugins import TASKS
from recipes.run.backend import library_versions, select_backend


class RunRecord:
    """The ``run.json`` of one run, rewritten atomically on every change."""

    def __init__(self, folder: Path, **fields: Any) -> None:
        self.path = Path(folder) / "run.json"
        self.data: dict[str, Any] = {"status": "running", **fields}
        self.save()

    def update(self, **fields: Any) -> None:
        self.data.update(fields)
        self.save()

    def save(self) -> None:
        write_json(self.path, self.data)


@dataclass
class RunContext:
    """What a task gets: the recipe, its run folder and record, and a clock for each stage."""

    recipe: ResolvedRecipe
    folder: Path
    record: RunRecord
    durations: dict[str, float] = field(default_factory=dict)
    verbose: int | None = None  # Keras progress output; None: bars on a terminal, else lines

    @property
    def config(self) -> Any:
        return self.recipe.config

    @contextlib.contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the seconds spent in the ``with`` block to ``durations[stage]`` (run.json)."""
        clock = time.perf_counter()
        try:
            yield
        finally:
            self.durations[stage] = self.durations.get(stage, 0.0) + time.perf_counter() - clock


Task = Callable[[RunContext], dict[str, Any]]


def run_recipe(
    recipe: ResolvedRecipe,
    output_root: Path | str = DEFAULT_OUTPUT_ROOT,
    verbose: int | None = None,
) -> Path:
    """Run the recipe's task (``task:`` in its config, default ``train``); returns the run
    folder. Raises TrainingFailed (status ``failed`` in run.json) when the task cannot finish,
    and re-raises KeyboardInterrupt after marking the run ``interrupted``."""
    return execute_run(recipe, output_root, TASKS.get(recipe.config.task), verbose=verbose)


def execute_run(
    recipe: ResolvedRecipe, output_root: Path | str, task: Task, verbose: int | None = None
) -> Path:
    """Choose the backend, create the folder with ``config.yaml`` and ``run.json`` (status
    ``running``), call ``task(context)`` and record the outcome: ``completed`` with what the
    task returns, or ``failed`` / ``interrupted`` with the reason (the exception then carries
    ``run_folder``)."""
    config = recipe.config
    select_backend(config.backend)
    started = time.perf_counter()
    folder = create_unique_folder(Path(output_root) / recipe.name)
    write_yaml(folder / "config.yaml", config.as_mapping())
    record = RunRecord(
        folder,
        recipe=recipe.name,
        task=config.task,
        run_id=folder.name,
        description=config.description,
        sources=recipe.sources,
        overrides=recipe.overrides,
        backend=config.backend,
        seed=config.seed,
        started_at=now_iso(),
        command=" ".join(sys.argv),
        versions=library_versions(),
        host={"platform": platform.platform(), "processor": platform.machine()},
    )
    context = RunContext(recipe, folder, record, verbose=verbose)

    def finish(status: str, **fields: Any) -> None:
        context.durations["total"] = time.perf_counter() - started
        record.update(status=status, ended_at=now_iso(), durations_s=context.durations, **fields)

    try:
        result = task(context)
    except TrainingFailed as error:
        error.run_folder = folder
        finish("failed", reason=str(error))
        raise
    except KeyboardInterrupt as error:
        error.run_folder = folder
        finish("interrupted", reason="interrupted by the user (Ctrl-C)")
        raise
    except Exception as error:
        error.run_folder = folder
        finish("failed", reason=f"{type(error).__name__}: {error}")
        raise
    finish("completed", **result)
    return folder
