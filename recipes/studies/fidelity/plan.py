"""What ``make fidelity`` runs: the recipes over seeds as sweeps (the vectorized executor, on
JAX: every seed of a loss trains as one program), each in Keras-correct and in tutorial
semantics, and each tutorial's own code (``benchmarks/tutorials/``) over the same seeds.

Structure is data: each :class:`Job` is either the arguments of :func:`recipes.sweep` (run in
this process) or a tutorial script's command line (a list, never a parsed string), with the
tutorial, the source it measures and the labels its samples carry.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from recipes.paths import PROJECT_ROOT

TUTORIAL_SCRIPTS = PROJECT_ROOT / "benchmarks" / "tutorials"
KERAS = "recipe, Keras-correct"
SEMANTICS = "recipe, tutorial semantics"
ORIGINAL = "tutorial's own code"
SOURCES = (KERAS, SEMANTICS, ORIGINAL)
# A sweep's runs leave their figures pending; the fidelity sweeps also skip recording the
# epochs before the end and the forces' metric, which only figures use: the report is the figure.
NO_PLOTS = ("plots.evolution=false", "plots.forces=false")
HINGE_STEPS_PER_EXECUTION = 32  # the hinge script's fit: the same updates, fewer dispatches


@dataclass(frozen=True)
class Settings:
    """How many seeds and how long: ``make fidelity SEEDS=20 MNIST_SEEDS=3 MNIST_STEPS=...``."""

    seeds: int = 20
    mnist_seeds: int = 3
    mnist_steps: int | None = None  # None: the recipe's 10 epochs (160-200 steps); 3000: published
    backend: str = "jax"
    quick: bool = False  # 2 seeds, 1 MNIST seed, 1-2 epochs: checks the machinery only

    def effective(self) -> Settings:
        if not self.quick:
            return self
        return Settings(2, 1, None, self.backend, quick=True)

    def mnist_steps_note(self) -> str:
        if self.quick:
            return "1 epoch (quick mode)"
        if self.mnist_steps is None:
            return "10 epochs: 160 steps for the recipe, 200 for the tutorial's code"
        return f"{self.mnist_steps} steps"


@dataclass
class Job:
    """A sweep of a recipe (a recipe's source: ``recipe``, ``grid`` and ``overrides`` as
    :func:`recipes.sweep` takes them) or a tutorial script (``ORIGINAL``: its ``command``)."""

    tutorial: str
    source: str
    title: str
    command: list[str] = field(default_factory=list)
    recipe: str = ""
    grid: dict[str, list[Any]] = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)


def _sweep(
    tutorial: str,
    source: str,
    title: str,
    recipe: str,
    seeds: int,
    overrides: list[str],
    **more_grid: list[Any],
) -> Job:
    grid = {"seed": list(range(seeds)), **more_grid}
    return Job(tutorial, source, title, recipe=recipe, grid=grid, overrides=[*NO_PLOTS, *overrides])


def _script(name: str, seeds: int, *arguments: str) -> list[str]:
    return [sys.executable, str(TUTORIAL_SCRIPTS / name), "--seeds", str(seeds), *arguments]


def hinge_jobs(settings: Settings) -> list[Job]:
    epochs = ["train.epochs=2"] if settings.quick else []
    title, losses = "hinge + squared hinge recipes", ["hinge", "squared_hinge"]
    jobs = [_sweep("hinge", KERAS, title, "hinge", settings.seeds, epochs, loss=losses)]
    extra = ["--epochs", "2"] if settings.quick else []
    command = _script(
        "hinge.py",
        settings.seeds,
        "--loss",
        "hinge,squared_hinge",
        "--backend",
        settings.backend,
        "--steps-per-execution",
        str(HINGE_STEPS_PER_EXECUTION),
        *extra,
    )
    jobs.append(Job("hinge", ORIGINAL, "tutorial script, hinge and squared hinge", command))
    return jobs


def focal_jobs(settings: Settings) -> list[Job]:
    epochs = ["train.epochs=2"] if settings.quick else []
    jobs = []
    for source, init in ((KERAS, "keras"), (SEMANTICS, "pytorch")):
        title, overrides = f"focal_rings recipe, init {init}", [f"model.init={init}", *epochs]
        jobs.append(_sweep("focal_rings", source, title, "focal_rings", settings.seeds, overrides))
    extra = ["--epochs", "2"] if settings.quick else []
    command = _script("focal_rings.py", settings.seeds, *extra)
    jobs.append(Job("focal_rings", ORIGINAL, "tutorial PyTorch code", command))
    return jobs


def _mnist_schedules(settings: Settings) -> tuple[list[str], list[str], list[str]]:
    """The recipe's, the tutorial recipe's and the tutorial script's schedule options."""
    if settings.quick:
        return ["train.epochs=1"], ["train.epochs=1"], ["--epochs", "1"]
    if settings.mnist_steps is not None:
        steps = settings.mnist_steps
        return [f"train.steps={steps}"], [f"train.steps={steps}"], ["--steps", str(steps)]
    # the recipes' 10 epochs (mnist_losses_tutorial says 3,000 steps: 10 epochs instead)
    return [], ["train.epochs=10"], []


def mnist_jobs(settings: Settings) -> list[Job]:
    from recipes.studies.fidelity.published import MNIST_LOSSES

    keras_schedule, tutorial_schedule, script_schedule = _mnist_schedules(settings)
    seeds = settings.mnist_seeds
    jobs = [
        _sweep(
            "mnist", KERAS, "mnist_losses (Keras-correct)", "mnist_losses", seeds, keras_schedule
        ),
        _sweep(
            "mnist",
            SEMANTICS,
            "mnist_losses_tutorial (tutorial semantics)",
            "mnist_losses_tutorial",
            seeds,
            tutorial_schedule,
        ),
    ]
    losses = ",".join(script_loss for script_loss, _ in MNIST_LOSSES.values())
    command = _script("mnist.py", seeds, "--loss", losses, *script_schedule)
    jobs.append(Job("mnist", ORIGINAL, "tutorial PyTorch code, seven losses", command))
    return jobs


def all_jobs(settings: Settings) -> list[Job]:
    return [*hinge_jobs(settings), *focal_jobs(settings), *mnist_jobs(settings)]
