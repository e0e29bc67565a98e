"""The config schema: one strict pydantic model per block. An unknown key is an error.

Named components (``data``, ``model``, ``loss``, ``metrics``) are validated against their
registries' own parameter models by :mod:`recipes.config.resolve`; here they are a name plus
already validated parameters.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Annotated, Any, Literal

import pydantic

from recipes.components.keras_names import TAKE_MOMENTUM
from recipes.components.optimizers import OPTIMIZERS
from recipes.config.messages import describe
from recipes.keras_environment import BACKENDS
from recipes.plugins import EXECUTORS, REPORTS, TASKS

RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")
# A sweep runs at most this many points; a grid is counted (never expanded) before it is built.
MAX_RUNS = 1000


def _pieces(values: Any) -> list[Any] | None:
    """Each value (of a list, or one value) as a list of one, a range (``"0..49"``) as a
    ``range`` (counted without expanding it); None for a value that is neither a list nor text.
    ValueError when a range is empty."""
    if not isinstance(values, (str, list, tuple)):
        return None
    pieces: list[Any] = []
    for value in [values] if isinstance(values, str) else values:
        match = RANGE.match(value) if isinstance(value, str) else None
        if match is None:
            pieces.append([value])
            continue
        first, last = int(match[1]), int(match[2])
        if first > last:
            raise ValueError(f"range {value.strip()} is empty; write {last}..{first}")
        pieces.append(range(first, last + 1))
    return pieces


def count_values(values: Any) -> int:
    """How many values :func:`expand_ranges` would give, without expanding: ``"0..5000000"``
    counts 5,000,001 at once. ValueError for an empty range."""
    pieces = _pieces(values)
    return 1 if pieces is None else sum(len(piece) for piece in pieces)


def grid_size_problem(counts: list[int]) -> str | None:
    """The message for a grid of more than :data:`MAX_RUNS` combinations, else None."""
    total = math.prod(counts)
    if total > MAX_RUNS:
        return f"the grid has {total} combinations; at most {MAX_RUNS} per sweep"
    return None


def expand_ranges(values: Any) -> Any:
    """``"0..49"`` (alone or as one of several values) -> the integers 0 to 49: fifty seeds
    without writing fifty numbers. ValueError for an empty range. Count first
    (:func:`count_values`): this builds the whole list."""
    pieces = _pieces(values)
    return values if pieces is None else list(itertools.chain.from_iterable(pieces))


class Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", validate_assignment=True)


class Component(Strict):
    """A named registry entry plus its validated parameters."""

    name: str
    params: dict[str, Any] = {}

    @pydantic.model_serializer
    def _as_written(self) -> dict[str, Any]:
        """Dumped as a config writes it: ``{name: hinge, ...params}``."""
        return {"name": self.name, **self.params}


class OptimizerConfig(Strict):
    name: Annotated[str, pydantic.AfterValidator(OPTIMIZERS.canonical)] = "adam"
    learning_rate: pydantic.PositiveFloat = 0.001
    momentum: float | None = pydantic.Field(None, ge=0, lt=1)
    weight_decay: float | None = pydantic.Field(None, ge=0)
    exclude_from_weight_decay: list[str] = pydantic.Field(
        default_factory=list,
        description="variable-name fragments weight decay skips, e.g. ['bias']",
    )

    @pydantic.field_validator("momentum")
    @classmethod
    def _takes_momentum(cls, value: float | None, info: pydantic.ValidationInfo) -> float | None:
        name = info.data.get("name")
        if value is not None and name is not None and name not in TAKE_MOMENTUM:
            raise ValueError(f"{name} takes no momentum; {' and '.join(TAKE_MOMENTUM)} do")
        return value


class EarlyStoppingConfig(Strict):
    monitor: str = pydantic.Field(description="e.g. val_loss or val_auc")
    mode: Literal["min", "max"]
    patience: pydantic.NonNegativeInt = 3
    restore_best_weights: bool = True
    min_delta: pydantic.NonNegativeFloat = 0.0


class TrainConfig(Strict):
    # steps before epochs: epochs' validator sees it (one of the two says how long to train)
    steps: pydantic.PositiveInt | None = pydantic.Field(
        None,
        description="the optimizer steps to train for, in place of epochs: ceil(steps / steps "
        "per epoch) epochs (run.json's schedule records both); a layer that sets one of "
        "epochs and steps clears the other",
    )
    epochs: pydantic.PositiveInt | None = pydantic.Field(
        10,
        description="passes over the training data (or say train.steps instead)",
        validate_default=True,
    )
    batch_size: pydantic.PositiveInt = 32
    validation_split: float = pydantic.Field(0.2, ge=0, lt=1)
    shuffle: bool = True
    steps_per_execution: pydantic.PositiveInt | Literal["auto"] = pydantic.Field(
        "auto",
        description="training steps per compiled call; auto: 32 on tensorflow and jax, 1 on "
        "torch (which supports only 1); run.json records the value used",
    )
    jit_compile: bool | Literal["auto"] = pydantic.Field(
        "auto", description="XLA compilation; auto: Keras decides per backend and model"
    )
    trainer: Literal["auto", "fit", "compiled"] = pydantic.Field(
        "auto",
        description="compiled: whole epochs as one jitted program (JAX backend only); fit: "
        "Keras' model.fit; auto: compiled on JAX, else fit",
    )
    checkpoint: bool = pydantic.Field(
        True,
        description="back up the training state after every epoch, so `python -m recipes "
        "resume <run folder>` continues an interrupted run (deleted when training ends)",
    )
    checkpoint_every_s: pydantic.NonNegativeFloat = pydantic.Field(
        5.0,
        description="at most one backup per this many seconds, at an epoch's end (0: every "
        "epoch); a backup costs tens of milliseconds on TensorFlow",
    )
    early_stopping: EarlyStoppingConfig | None = None
    tensorboard: bool = pydantic.Field(
        False,
        description="write TensorBoard logs into the run folder (scalars per epoch, the config, "
        "--set values as hparams); `make tensorboard` shows them",
    )

    @pydantic.field_validator("epochs")
    @classmethod
    def _epochs_or_steps(cls, value: int | None, info: pydantic.ValidationInfo) -> int | None:
        """How long to train, said once: epochs or steps (layering clears the one an
        earlier layer set, :data:`recipes.config.layering.EXCLUSIVE_KEYS`)."""
        if "steps" not in info.data:  # steps itself was invalid: that is the message
            return value
        if (info.data["steps"] is None) == (value is None):
            said = "epochs and steps both given" if value is not None else "neither given"
            raise ValueError(
                f"say how long to train once, with epochs or steps ({said}); e.g. "
                "epochs: 10, or steps: 3000 (optimizer steps)"
            )
        return value

    @pydantic.field_validator("steps_per_execution", "jit_compile", mode="wrap")
    @classmethod
    def _auto_or_value(cls, value: Any, handler: Any, info: pydantic.ValidationInfo) -> Any:
        """One message for a bad value of an ``auto``-or-value field, not one per type."""
        try:
            return handler(value)
        except pydantic.ValidationError:
            expected = (
                "a positive integer"
                if info.field_name == "steps_per_execution"
                else ("true or false")
            )
            raise ValueError(f"expected auto or {expected}, got {describe(value)}") from None


class PlotsConfig(Strict):
    decision_boundary: bool = True
    loss: bool = True
    predictions: bool = False
    dpi: int = pydantic.Field(120, ge=50, le=400, description="resolution of every figure")
    # --- Margins and training as it happens (recipes/report/regions.py,
    # recipes/report/evolution.py, recipes/training/recording.py); two-feature data only.
    margins: bool = pydantic.Field(
        True,
        description="score contours at the threshold and margins; ring the points that "
        "still cost loss (inside the margin or misclassified)",
    )
    margin_band: tuple[float, float] = pydantic.Field(
        (0.1, 0.9),
        description="logit and probability models: the probabilities drawn "
        "either side of the 0.5 threshold",
    )
    hinge_margin: float = pydantic.Field(
        0.99,
        gt=0,
        le=1,
        description="-1/+1 models: margins drawn at score -m and +m; the "
        "hinge margin is 1, which a tanh output only approaches",
    )
    evolution: bool = pydantic.Field(
        True,
        description="record the epochs before the end too (the end is always recorded): "
        "boundary_epochs.png and the training animation",
    )
    evolution_epochs: list[pydantic.PositiveInt] | None = pydantic.Field(
        None,
        description="epochs (1-based) to record; null: every epoch up to 12, else 10 "
        "log-spaced ones ending with the last",
    )
    evolution_grid: int = pydantic.Field(
        60,
        ge=10,
        le=300,
        description="grid points per axis of the recording's scores, "
        "which every boundary figure is drawn from",
    )
    forces: bool = pydantic.Field(
        True,
        description="forces.png: each test point by the magnitude of the loss's gradient "
        "with respect to the model's output, at the end and at the recorded epochs",
    )
    animation: Literal["auto", "gif", "mp4", "none"] = pydantic.Field(
        "auto", description="training animation format; auto: mp4 when ffmpeg exists, else gif"
    )
    draw: Literal["auto", "in_run", "deferred"] = pydantic.Field(
        "auto",
        description="when a run's figures are drawn (recipes/training/drawing.py): auto: by a "
        "run alone, not by a sweep's runs (run.json: figures pending, with the command that "
        "draws them); in_run: by every run; deferred: by none, until python -m recipes plot",
    )

    @pydantic.field_validator("margin_band")
    @classmethod
    def _band_around_half(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not 0 < low < 0.5 < high < 1:
            raise ValueError(f"needs 0 < low < 0.5 < high < 1, e.g. [0.1, 0.9]; got {list(value)}")
        return value


class RaySettings(Strict):
    """Where the ``ray`` executor runs a sweep's points, and what each one asks Ray for
    (:mod:`recipes.sweeps.ray_executor`; ``--address``, ``--cpus-per-run``, ``--gpus-per-run``)."""

    address: str | None = pydantic.Field(
        None,
        description="a running Ray cluster: auto (the one on this machine) or HOST:PORT; "
        "none starts a Ray instance on this machine for the sweep",
    )
    cpus_per_run: pydantic.PositiveFloat = pydantic.Field(1.0, description="what each asks Ray for")
    gpus_per_run: pydantic.NonNegativeFloat = pydantic.Field(
        0.0, description="fractions below 1 share a GPU (0.5: two runs per GPU)"
    )
    max_retries: pydantic.NonNegativeInt = pydantic.Field(
        1, description="reruns of a point whose worker or node died (a failed run is not rerun)"
    )

    @pydantic.field_validator("address")
    @classmethod
    def _auto_or_host_port(cls, value: str | None) -> str | None:
        host, _, port = (value or "").rpartition(":")
        if value is None or value == "auto" or (host and port.isdigit()):
            return value
        raise ValueError(f"expected auto or HOST:PORT (e.g. 10.0.0.5:6379), got {value!r}")

    @pydantic.field_validator("gpus_per_run")
    @classmethod
    def _whole_above_one(cls, value: float) -> float:
        if value > 1 and not float(value).is_integer():
            raise ValueError("above 1 it must be a whole number of GPUs (Ray shares only below 1)")
        return value


class SweepConfig(Strict):
    """How ``python -m recipes sweep`` runs the grid's points."""

    executor: Annotated[str, pydantic.AfterValidator(EXECUTORS.canonical)] = pydantic.Field(
        "processes",
        description="where the points run (python -m recipes list: executors); processes: "
        "each its own python -m recipes run, --jobs at a time",
    )
    jobs: pydantic.PositiveInt = pydantic.Field(1, description="runs at once (--jobs overrides)")
    ray: RaySettings = RaySettings()


class GalleryConfig(Strict):
    losses: list[Component] = pydantic.Field(
        default_factory=list,
        description="the losses loss_gallery draws, value and derivative against the score: "
        "names or loss blocks, a user's file.py:function (with labels:) too",
    )


class RecipeConfig(Strict):
    """The whole validated config of one run."""

    description: str = ""
    task: Annotated[str, pydantic.AfterValidator(TASKS.canonical)] = pydantic.Field(
        "train", description="what a run does (recipes.plugins.TASKS)"
    )
    seed: pydantic.NonNegativeInt = 0
    backend: Literal[BACKENDS] | None = pydantic.Field(
        None, description="null: --backend, else $KERAS_BACKEND, else jax"
    )
    data: Component | None = None
    model: Component | None = None
    loss: Component | None = None
    metrics: list[Component] = []
    optimizer: OptimizerConfig = OptimizerConfig()
    train: TrainConfig = TrainConfig()
    plots: PlotsConfig = PlotsConfig()
    grid: dict[str, list[Any]] = pydantic.Field(
        default_factory=dict,
        description="values per key for `python -m recipes sweep`; integers may be a range: "
        "seed: 0..49",
    )
    report: Annotated[str, pydantic.AfterValidator(REPORTS.canonical)] = pydantic.Field(
        "table", description="what a sweep writes after its runs (recipes.plugins.REPORTS)"
    )
    sweep: SweepConfig = SweepConfig()
    gallery: GalleryConfig = GalleryConfig()

    @pydantic.field_validator("grid", mode="before")
    @classmethod
    def _expand_grid_ranges(cls, value: Any) -> Any:
        """Ranges expanded, once the grid is counted and found small enough to sweep."""
        if not isinstance(value, dict):
            return value
        problem = grid_size_problem([count_values(values) for values in value.values()])
        if problem:
            raise ValueError(problem)
        return {key: expand_ranges(values) for key, values in value.items()}

    def as_mapping(self) -> dict[str, Any]:
        """The resolved config as plain data (what config.yaml holds)."""
        return self.model_dump(mode="json")


class ResolvedRecipe(pydantic.BaseModel):
    """A validated config plus where it came from."""

    name: str
    config: RecipeConfig
    sources: list[str]
    overrides: list[str] = []
