"""The recipes as Python calls, for scripts and notebooks: the same door as the command line
(:func:`recipes.training.door.run_point`, :func:`recipes.sweeps.driver.run_sweep`), so a run made
here is the run ``python -m recipes run`` makes.

    import recipes
    run = recipes.run("hinge", {"train.epochs": 5})   # a Run: status, metrics, figures
    recipes.check("hinge", {"train.epoch": 5})        # RecipeError: ... Did you mean 'epochs'?

In a long-lived process (a Jupyter kernel) the first run chooses the Keras backend; asking for
another later raises :class:`~recipes.errors.RecipeError` before anything is made. Every run
starts from fresh Keras state. Interrupting a run records it ``interrupted`` and raises
``KeyboardInterrupt``. A run prints one line (in place while it trains, where the output can
rewrite it): ``hinge: completed 30 epochs in 12.3 s, final loss 0.0123, test_sign_accuracy
1.0000; outputs/hinge/<run-id>``; a sweep, a line for the sweep and one per run as it ends.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from recipes.errors import RecipeError
from recipes.progress import Progress
from recipes.views import Run, Sweep

Overrides = Mapping[str, Any] | Iterable[str] | None


def override_texts(overrides: Overrides) -> list[str]:
    """``{"loss": "squared_hinge", "train.epochs": 5}`` as the ``key=value`` texts of
    ``--set`` (values written as YAML, so they read back as given); a list of such texts is
    taken as it is."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        from recipes.sweeps.grid import yaml_value

        return [f"{key}={yaml_value(value)}" for key, value in overrides.items()]
    if isinstance(overrides, str):
        raise RecipeError(
            f"overrides: expected a dict such as {{'train.epochs': 5}}, got the text '{overrides}'"
        )
    return [str(text) for text in overrides]


def _keras_backend_default(backend: str | None) -> str | None:
    """Keras loaded by the user's own ``import keras`` (no $KERAS_BACKEND): that backend is
    what this process has, so it is the default."""
    if backend is None and "keras" in sys.modules and not os.environ.get("KERAS_BACKEND"):
        return sys.modules["keras"].backend.backend()
    return backend


def _resolve(recipe: str | Path, overrides: Overrides, backend: str | None = None) -> Any:
    from recipes.config.resolve import resolve_recipe

    return resolve_recipe(str(recipe), override_texts(overrides), _keras_backend_default(backend))


def check(recipe: str | Path, overrides: Overrides = None, backend: str | None = None) -> Any:
    """Validate a recipe (a name in configs/ or a YAML path) with ``overrides`` and return its
    resolved config (:class:`recipes.config.schema.RecipeConfig`; ``.as_mapping()`` is what
    ``python -m recipes check`` prints). A bad config raises RecipeError with the command
    line's one line. Imports no Keras."""
    return _resolve(recipe, overrides, backend).config


def _output_root(output_root: Path | str | None) -> Path:
    from recipes.files import ensure_writable_folder
    from recipes.paths import default_output_root

    return ensure_writable_folder(Path(output_root) if output_root else default_output_root())


def run(
    recipe: str | Path,
    overrides: Overrides = None,
    backend: str | None = None,
    output_root: Path | str | None = None,
) -> Run:
    """Train and evaluate one recipe, in this process; returns its :class:`~recipes.views.Run`
    (completed, or failed with its ``reason``). Raises RecipeError for a bad config (nothing
    is made), KeyboardInterrupt when interrupted (the run's record says ``interrupted``)."""
    from recipes.training.backend import refuse_other_backend
    from recipes.training.door import run_point

    resolved = _resolve(recipe, overrides, backend)
    refuse_other_backend(resolved.config.backend)
    progress = Progress(stream=sys.stdout)  # where Keras' epoch lines went: no warning colour
    progress.interim(f"{resolved.name}: running...")
    started = time.perf_counter()
    outcome = run_point(resolved, _output_root(output_root), verbose=0)
    seconds = time.perf_counter() - started
    if outcome.stop_signal is not None:
        progress.line(f"{resolved.name}: interrupted after {seconds:.1f} s")
        raise KeyboardInterrupt(outcome.message)
    if outcome.run_folder is None:
        progress.line(f"{resolved.name}: stopped after {seconds:.1f} s")
        if outcome.exit_status == 2:  # its reason: the error's own line
            raise RecipeError(outcome.reason)
        raise RuntimeError(f"{outcome.reason}\n{outcome.details}".rstrip())
    finished = Run(outcome.run_folder, outcome.message)
    progress.line(run_summary(resolved, finished, seconds))
    if outcome.message:
        print(outcome.message, file=sys.stderr)
    return finished


def run_summary(resolved: Any, run: Run, seconds: float) -> str:
    """A finished run in one line: ``hinge: completed 30 epochs in 12.3 s, final loss
    0.0123, test_sign_accuracy 1.0000; outputs/hinge/<run-id>`` (what it has of these)."""
    from recipes.paths import display_path

    if run.status != "completed":
        return f"{resolved.name}: {run.status} after {seconds:.1f} s; {display_path(run.folder)}"
    metrics = run.metrics
    epochs = metrics.get("epochs_run")
    text = f"{resolved.name}: completed" + (f" {epochs} epochs" if epochs else "")
    text += f" in {seconds:.1f} s"
    stopping = resolved.config.train.early_stopping
    if "best_epoch" in metrics and stopping is not None and stopping.restore_best_weights:
        text += f" (the weights of its best, epoch {metrics['best_epoch']})"
    if "final_loss" in metrics:
        text += f", final loss {metrics['final_loss']:.4g}"
    names = [metric.name for metric in resolved.config.metrics[:1]]
    for key in [f"test_{name}" for name in names] + ["test_accuracy"]:
        if isinstance(metrics.get(key), float | int):
            text += f", {key} {metrics[key]:.4f}"
            break
    return f"{text}; {display_path(run.folder)}"


def sweep(
    recipe: str | Path,
    grid: Mapping[str, Iterable[Any]] | None = None,
    overrides: Overrides = None,
    executor: str | None = None,
    jobs: int | None = None,
    output_root: Path | str | None = None,
    backend: str | None = None,
) -> Sweep:
    """One run per combination of ``grid`` values (``{"seed": range(3), "loss": ["hinge",
    "squared_hinge"]}``; added to the config's ``grid:``), with ``executor`` (processes,
    vectorized, ray; default: the config's) ``jobs`` at a time; returns the
    :class:`~recipes.views.Sweep`. Raises RecipeError before anything runs when a point is
    invalid, KeyboardInterrupt when interrupted (sweep.json says ``interrupted``)."""
    from recipes.sweeps.driver import run_sweep
    from recipes.sweeps.grid import yaml_value
    from recipes.training.backend import refuse_other_backend

    texts = override_texts(overrides)
    if executor is not None:
        texts.append(f"sweep.executor={yaml_value(executor)}")
    backend = _keras_backend_default(backend)
    base = _resolve(recipe, texts, backend)
    refuse_other_backend(base.config.backend)
    values = {str(key): list(vals) for key, vals in (grid or {}).items()}
    root = _output_root(output_root)
    # stdout, as a run's line; each run's start and a group's epochs rewritten in place
    result = run_sweep(str(recipe), values, texts, backend, root, jobs, sys.stdout, in_place=True)
    if result.stop_signal is not None:
        raise KeyboardInterrupt(f"the sweep was interrupted; {result.folder}/sweep.json says so")
    return Sweep(result.folder)


load_run = Run  # an earlier run, from its folder (e.g. ``outputs/hinge/<run-id>``)
load_sweep = Sweep  # an earlier sweep, from its folder (``outputs/sweeps/<recipe>-<id>``)


def lab(
    recipe: str | Path,
    *settings: Overrides,
    backend: str | None = None,
    output_root: Path | str | None = None,
) -> Run | list[Run]:
    """Train ``recipe`` in this kernel and watch it in the lab's view, a notebook widget drawn
    every epoch while the cell runs: the decision regions with the threshold and margins, the
    test points by the loss's force on them, the loss on a log axis, the metrics; after the
    run, a scrubber replays any epoch. Each of ``settings`` is an overrides dict, as
    :func:`run` takes; two or more train side by side, on the same data, seed and starting
    weights::

        run = recipes.lab("hinge")
        hinge, squared = recipes.lab("hinge", {}, {"loss": "squared_hinge"})

    Returns the finished :class:`~recipes.views.Run` (one setting), or a list of them. A bad
    setting raises RecipeError before anything runs. Without anywidget (the ``lab`` extra) it
    prints how to install it, trains as :func:`run` does, and shows each run's figures."""
    from recipes.live.notebook import NO_WIDGET, live_view_available, watch_runs
    from recipes.training.backend import refuse_other_backend

    chosen = list(settings) or [None]
    resolved = [_resolve(recipe, overrides, backend) for overrides in chosen]
    for one in resolved:
        if one.config.task != "train":
            raise RecipeError(
                f"task: recipes.lab watches recipes of task train; {one.name} is task "
                f"{one.config.task} (recipes.run trains it)"
            )
        refuse_other_backend(one.config.backend)
    if len({one.config.backend for one in resolved}) > 1:
        raise RecipeError("backend: settings side by side train on one backend; give them one")
    if not live_view_available():
        print(NO_WIDGET)
        runs = [run(recipe, overrides, backend, output_root) for overrides in chosen]
        from IPython.display import display

        for finished in runs:
            display(finished)
    else:
        texts = [override_texts(overrides) for overrides in chosen]
        folders = watch_runs(resolved, texts, str(recipe), _output_root(output_root))
        runs = [Run(folder) for folder in folders]
    return runs[0] if len(runs) == 1 and len(settings) <= 1 else runs
