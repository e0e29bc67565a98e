"""What ``make fidelity`` runs: the recipes over seeds as sweeps (the vectorized executor, on
JAX: every seed of a loss trains as one program), each in Keras-correct and in tutorial
semantics, and each tutorial's own code (``benchmarks/tutorials/``) over the same seeds.

Structure is data: each :class:`Job` is one command line (a list, never a parsed string) with
the tutorial, the source it measures and the labels its samples carry.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

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
    """One command: a sweep of a recipe (a recipe's source) or a tutorial script (``ORIGINAL``)."""

    tutorial: str
    source: str
    title: str
    command: list[str]

    @property
    def is_sweep(self) -> bool:
        return self.source != ORIGINAL


def _sweep(recipe: str, settings: Settings, seeds: int, overrides: list[str], grids: list[str]):
    command = [sys.executable, "-m", "recipes", "sweep", recipe, "--backend", settings.backend]
    command += ["--executor", "vectorized", "--grid", f"seed=0..{seeds - 1}"]
    for grid in grids:
        command += ["--grid", grid]
    for override in (*NO_PLOTS, *overrides):
        command += ["--set", override]
    return command


def _script(name: str, seeds: int, *arguments: str) -> list[str]:
    return [sys.executable, str(TUTORIAL_SCRIPTS / name), "--seeds", str(seeds), *arguments]


def hinge_jobs(settings: Settings) -> list[Job]:
    epochs = ["train.epochs=2"] if settings.quick else []
    sweep = _sweep("hinge", settings, settings.seeds, epochs, ["loss=hinge,squared_hinge"])
    jobs = [Job("hinge", KERAS, "hinge + squared hinge recipes", sweep)]
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
        command = _sweep(
            "focal_rings", settings, settings.seeds, [f"model.init={init}", *epochs], []
        )
        jobs.append(Job("focal_rings", source, f"focal_rings recipe, init {init}", command))
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
        Job(
            "mnist",
            KERAS,
            "mnist_losses (Keras-correct)",
            _sweep("mnist_losses", settings, seeds, keras_schedule, []),
        ),
        Job(
            "mnist",
            SEMANTICS,
            "mnist_losses_tutorial (tutorial semantics)",
            _sweep("mnist_losses_tutorial", settings, seeds, tutorial_schedule, []),
        ),
    ]
    losses = ",".join(script_loss for script_loss, _ in MNIST_LOSSES.values())
    command = _script("mnist.py", seeds, "--loss", losses, *script_schedule)
    jobs.append(Job("mnist", ORIGINAL, "tutorial PyTorch code, seven losses", command))
    return jobs


def all_jobs(settings: Settings) -> list[Job]:
    return [*hinge_jobs(settings), *focal_jobs(settings), *mnist_jobs(settings)]
