"""What a run did and what a sweep did: ``run.json`` and ``sweep.json``, each one typed model
(:class:`RunRecord`, :class:`SweepRecord`), written and read only here.

Each record carries a ``schema_version``. A record of another version, or one that does not
validate (damaged, hand-edited, not a record), is refused with one line naming the file and
what to do (:class:`RecordError`), never guessed at; a record written before the version was
kept (no ``schema_version``) is read as version 1 when it validates. Writing validates too:
a field the model does not declare is an error, so a new field is declared here first (a
field with a default, or ``None``, keeps older records readable).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import pydantic
import yaml

from recipes.errors import RecipeError
from recipes.files import atomic_write_text, jsonable

SCHEMA_VERSION = 1
RUN_FILE, SWEEP_FILE = "run.json", "sweep.json"
RECORDING_FILE = "recording.npz"  # what training looked like (recipes.recording)
CONFIG_FILE = "config.yaml"  # the config a run ran with, resolved
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where built with it


class RecordError(RecipeError):
    """A run.json or sweep.json that cannot be read: ``message`` says why, ``source`` names
    the file, ``hint`` what to do."""


class RunStatus(str, enum.Enum):
    """Where a run, a sweep point or a sweep stands: a ``str``, so records stay plain JSON
    (``"status": "completed"``)."""

    NOT_STARTED = "not started"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    STOPPED = "stopped (process gone)"  # shown for a running record whose process is gone
    UNKNOWN = "unknown"  # a record without a status we know

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, value: Any) -> RunStatus:
        """The status a record's ``status`` field names; UNKNOWN for anything else."""
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN

    @property
    def finished(self) -> bool:
        """No process works on it any more (resume may continue it unless completed)."""
        return self not in (RunStatus.RUNNING, RunStatus.NOT_STARTED)


class Model(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")


class Host(Model):
    name: str | None = None
    platform: str | None = None
    processor: str | None = None


class Inputs(Model):
    """What a run or sweep pins (:func:`recipes.config.inputs.fingerprint`); a sweep adds its
    base config, to name what changed."""

    config_sha256: str
    data_files: dict[str, str] = {}
    config: dict[str, Any] | None = None


class Living(Model):
    """What tells whether the process that writes a record is alive (:mod:`recipes.status`
    reads it)."""

    schema_version: int = SCHEMA_VERSION
    status: RunStatus
    pid: int | None = None
    host: Host | None = None
    heartbeat_at: float | None = None  # seconds since the epoch


class FiguresDrawn(Model):
    status: Literal["drawn"] = "drawn"
    where: str  # run, plot
    files: list[str]
    seconds: float
    drawn_at: str


class FiguresPending(Model):
    status: Literal["pending"] = "pending"
    reason: str
    command: list[str]  # what draws them: python -m recipes plot <folder>


class FiguresFailed(Model):
    status: Literal["failed"] = "failed"
    where: str
    reason: str


Figures = Annotated[
    FiguresDrawn | FiguresPending | FiguresFailed, pydantic.Field(discriminator="status")
]


class Schedule(Model):
    set_by: str
    epochs: int
    steps_per_epoch: int
    steps: int
    requested_steps: int | None = None


class SpeedSettings(Model):
    steps_per_execution: int | str  # "one epoch" for the compiled trainer
    jit_compile: bool | str


class ClassForceShare(Model):
    """One class's share of the test points and of the force on them, at the end."""

    label: int
    points: float
    force: float


class Forces(Model):
    """What forces.png measured: the hardest 10% of test points' share of the force, and
    each class's share of it against its share of the points."""

    hardest_10pct_share: float | None
    epochs: list[int]
    hardest_10pct_share_by_epoch: list[float | None]
    seconds: float | None = None  # written before the forces came from the recording
    class_shares: list[ClassForceShare] | None = None  # runs before it was recorded: none


class TrainedTogether(Model):
    runs: int
    fit_s: float


class RunResume(Model):
    at: str
    previous_status: RunStatus | None = None
    forced: str | None = None  # what changed, let through by --force
    from_epoch: int | None = None


class RunRecord(Living):
    """``run.json``: written as the run starts (status ``running``) and at each change."""

    recipe: str | None = None
    task: str | None = None
    run_id: str | None = None
    description: str | None = None
    sources: list[str] = []
    overrides: list[str] = []
    backend: str | None = None
    seed: int | None = None
    started_at: str | None = None
    ended_at: str | None = None
    command: str | None = None
    versions: dict[str, str] = {}
    inputs: Inputs | None = None
    reason: str = ""
    durations_s: dict[str, float] = {}
    resumes: list[RunResume] = []
    resumed_from_epoch: int | None = None
    # a training run (recipes.training.train)
    data: dict[str, Any] | None = None  # sizes, label kind, class names (datasets.base.Split)
    trainer: Literal["compiled", "fit"] | None = None
    schedule: Schedule | None = None
    initialization: dict[str, str] | None = None
    loss_source: dict[str, str] | None = None  # a user's loss: its file and the run's copy
    speed_settings: SpeedSettings | None = None
    recording_s: float | None = None
    recording_scoring_s: float | None = None  # older records: now durations_s.recording
    trained_together: TrainedTogether | None = None
    figures: Figures | None = None
    forces: Forces | None = None
    metrics: dict[str, int | float] | None = None  # metrics.json's, ints kept (epochs_run)
    output_kind: str | None = None
    # a sweep's run: each grid key and how the sweep labels this run's value, in grid order
    # ({"loss.gamma": "2"}); written as the run starts (PointRequest.varies, train_together)
    varies: dict[str, str] | None = None
    # the loss_gallery task (recipes.studies.loss_gallery.task)
    gallery: dict[str, Any] | None = None
    outputs: list[str] | None = None


def varies_text(varies: Mapping[str, str] | None) -> str:
    """``loss.gamma = 2, seed = 0``: what a sweep's run varies, as titles, legends and tables
    name it ('' for a run outside any sweep)."""
    return ", ".join(f"{key} = {label}" for key, label in (varies or {}).items())


class GridAxis(Model):
    """One varied config key of a sweep: its values (labels removed) and how each is shown."""

    key: str
    values: list[Any]
    labels: list[str]
    source: str = ""  # "--grid" or "configs/<recipe>.yaml: grid"


class SweepRun(Model):
    run: int
    values: dict[str, Any]
    labels: dict[str, str]
    status: RunStatus = RunStatus.NOT_STARTED
    reason: str = ""
    run_folder: str = ""
    exit_status: int | None = None
    wall_s: float | None = None
    command: list[str] = []  # the same point by hand
    log: str = ""  # relative to the sweep folder


class SweepResume(Model):
    at: str
    points: int
    forced: str | None = None


class SweepRecord(Living):
    """``sweep.json``: what was asked, when, and what each run produced."""

    recipe: str
    grid: list[GridAxis]
    runs: list[SweepRun]
    description: str | None = None
    seed: int | None = None
    sources: list[str] = []
    overrides: list[str] = []
    backend: str | None = None
    jobs: int = 1
    executor: str = "processes"
    recipe_argument: str = ""
    grid_spec: dict[str, list[Any]] = {}
    inputs: Inputs | None = None
    resumes: list[SweepResume] = []
    started_at: str = ""
    ended_at: str = ""
    wall_s: float = 0.0
    comparison: list[str] = []
    report_error: str = ""


Record = TypeVar("Record", RunRecord, SweepRecord)
# what each record is, a folder that has one, and what to do when it is damaged
WHAT = {RunRecord: ("run", "outputs/hinge/<run-id>", "move the run folder away or delete it"),
        SweepRecord: ("sweep", "outputs/sweeps/<recipe>-<id>", "start a new sweep")}  # fmt: skip
NOT_MAPPINGS = {type(None): "null", list: "a list", str: "a text", bool: "true or false"}


def read(path: Path | str, model: type[Record]) -> Record:
    """The record in ``path`` (a run.json or sweep.json), validated; RecordError (one line)
    when it is missing, damaged, not a record or of another schema version."""
    path = Path(path)
    what, example, hint = WHAT[model]
    try:
        text = path.read_bytes()
        data = json.loads(text)
    except FileNotFoundError:
        problem = f"no {path.name}: not a {what} folder"
        hint = f"give a folder such as {example}"
    except OSError as error:
        problem = f"cannot be read ({error.strerror or type(error).__name__})"
    except ValueError:
        problem = "not valid JSON"
    else:
        if not isinstance(data, dict):
            problem = f"not a record ({NOT_MAPPINGS.get(type(data), 'a number')})"
        elif data.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
            problem = (
                f"a record of schema_version {data['schema_version']!r} (this "
                f"keras-loss-recipes reads {SCHEMA_VERSION})"
            )
            hint = "open it with the version of keras-loss-recipes that wrote it"
        else:
            try:
                return model.model_validate_json(text, strict=True)
            except pydantic.ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                problem = f"damaged {what} record ({where}: {first['msg']})"
    raise RecordError(problem, source=str(path), hint=hint)


def read_run(folder: Path | str) -> RunRecord:
    return read(Path(folder) / RUN_FILE, RunRecord)


def read_sweep(folder: Path | str) -> SweepRecord:
    return read(Path(folder) / SWEEP_FILE, SweepRecord)


def run_or_none(folder: Path | str) -> RunRecord | None:
    """A run folder's record, or None when it has none that can be read (for code that looks
    over many folders, where one damaged record must not stop the others)."""
    try:
        return read_run(folder)
    except RecordError:
        return None


def read_config(folder: Path | str) -> dict[str, Any]:
    """A run folder's config.yaml as written: {} when it has none that reads as a mapping."""
    try:
        text = (Path(folder) / CONFIG_FILE).read_text(encoding="utf-8")
        config = yaml.load(text, Loader=SAFE_LOADER)
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def write(path: Path | str, model: type[Record], data: Mapping[str, Any]) -> Record:
    """Validate ``data`` (fields as the project holds them: enums, numpy numbers, paths) as
    ``model`` reads it back, then write it atomically; a field the model does not declare is
    an error. Returns the typed record."""
    text = json.dumps({"schema_version": SCHEMA_VERSION, **data}, default=jsonable)
    record = model.model_validate_json(text, strict=True)
    shown = record.model_dump(mode="json", exclude_unset=True)  # the fields given, in order
    atomic_write_text(Path(path), json.dumps(shown, indent=2) + "\n")
    return record


def update_run(folder: Path | str, **fields: Any) -> RunRecord:
    """Change some fields of a run's record in place (a finished run's figures, drawn later)."""
    data = {**read_run(folder).model_dump(exclude_unset=True), **fields}
    return write(Path(folder) / RUN_FILE, RunRecord, data)
