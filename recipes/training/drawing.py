"""When and where a training run's figures are drawn (:mod:`recipes.training.figures` draws them),
as ``plots.draw`` says:

- ``in_run``: by the run, after its records (metrics, predictions, model, recording);
- ``pool``: in a sweep whose points train together (the ``vectorized`` executor), by a pool of
  ``sweep.jobs`` processes (:mod:`recipes.training.figure_pool`) while the group's other runs
  finish; each worker draws from what the run folder holds, as ``python -m recipes plot`` does,
  and the run is ``completed`` only once its figures are (a run alone draws in the run);
- ``auto`` (default): ``pool`` for a group large enough to pay the workers' start-up, else
  ``in_run``;
- ``deferred``: not drawn; run.json says ``figures: {status: pending}`` and
  ``python -m recipes plot <run folder>`` draws them later.

run.json's ``figures`` records the outcome (:class:`Drawn`): ``status`` (``drawn``,
``pending``, ``failed``), where they were drawn, the files written and the seconds.

Drawing from a folder needs nothing the run did not keep: the config (config.yaml), the data
(rebuilt from the config and seed; the run's ``inputs`` pin its data files), the model
(model.keras), the history (history.csv) and the scored recording (boundary_recording.npz,
written with the records, since the weights of the recorded epochs are not kept).
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import Any

from recipes.config.schema import RecipeConfig
from recipes.files import now_iso, read_csv_columns, read_json, write_json
from recipes.records import RunRecord, run_or_none, update_run

FIGURES = "figures"  # run.json's key
DRAWN, PENDING, FAILED = "drawn", "pending", "failed"
# Files a drawing step rewrites but that are records, not figures.
NOT_FIGURES = frozenset({"run.json", "metrics.json", ".lock"})
# ``auto`` pools a group of at least this many runs per worker: a worker's start-up (a Keras
# import, its first compilations) costs about as much as drawing a few runs' figures.
RUNS_PER_WORKER = 6


class FiguresFailed(RuntimeError):
    """A run's records are written but its figures could not be drawn (the run fails)."""


@dataclasses.dataclass
class Drawn:
    """What drawing a run's figures did: the files written, the seconds it took, where
    (``run``, ``pool``, ``plot``) and what forces.png measured (:func:`write_forces`)."""

    files: list[str]
    seconds: float
    where: str
    forces: dict[str, Any] = dataclasses.field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """run.json's ``figures`` entry."""
        return {
            "status": DRAWN,
            "where": self.where,
            "files": self.files,
            "seconds": round(self.seconds, 4),
            "drawn_at": now_iso(),
        }


def pending_record(folder: Path) -> dict[str, Any]:
    """run.json's ``figures`` entry for a run whose config defers them."""
    return {
        "status": PENDING,
        "reason": "plots.draw: deferred",
        "command": ["python", "-m", "recipes", "plot", str(folder)],
    }


def failed_record(error: BaseException, where: str) -> dict[str, Any]:
    first_line = (str(error).splitlines() or [""])[0]
    return {"status": FAILED, "where": where, "reason": f"{type(error).__name__}: {first_line}"}


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity, else the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def pool_workers(config: RecipeConfig, runs: int, jobs: int) -> int:
    """How many processes draw the figures of a group of ``runs`` trained together: at most
    ``jobs`` (the sweep's) and the CPUs; 0: each run draws its own (``in_run``, ``deferred``,
    a group of one). ``auto`` pools only a large group, and only with a CPU to spare for this
    process: on 2 shared cores, 2 workers drew each run's figures 2.8x slower than the run
    (median 21.4 s vs 7.8 s, compare_hinge over 12 seeds) and the sweep took 1.7x as long."""
    draw = config.plots.draw
    if draw in ("in_run", "deferred") or runs < 2:
        return 0
    if draw == "pool":
        return min(jobs, available_cpus(), runs)
    workers = min(jobs, available_cpus() - 1, runs // RUNS_PER_WORKER)
    return workers if workers >= 2 else 0


def draw(
    folder: Path,
    config: RecipeConfig,
    model: Any,
    history: dict[str, list[float]],
    evaluation: Any,
    recording: Any,
    where: str,
) -> Drawn:
    """The run's figures (:func:`recipes.training.figures.write_run_figures`), and which files
    that wrote (those whose name or modification time changed)."""
    from recipes.training.figures import write_run_figures

    before = _snapshot(folder)
    started = time.perf_counter()
    pushed = write_run_figures(folder, config, model, history, evaluation, recording)
    seconds = time.perf_counter() - started
    after = _snapshot(folder)
    files = sorted(name for name, stamp in after.items() if before.get(name) != stamp)
    return Drawn(files, seconds, where, pushed)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        entry.name: (entry.stat().st_ino, entry.stat().st_mtime_ns)
        for entry in os.scandir(folder)
        if entry.is_file() and entry.name not in NOT_FIGURES
    }


def apply_drawn(record: Any, folder: Path, metrics: dict[str, Any], drawn: Drawn) -> None:
    """Record ``drawn`` in run.json (``record``: the run's OpenRecord), with forces.png's
    measures, and the hardest 10%'s share of the force in ``metrics`` (and metrics.json)."""
    from recipes.report.forces import SHARE_METRIC

    fields: dict[str, Any] = {FIGURES: drawn.record()}
    if drawn.forces:  # forces.png: the hardest 10%'s share of the force, at the end and by epoch
        fields["forces"] = drawn.forces
        if drawn.forces["hardest_10pct_share"] is not None:
            metrics[SHARE_METRIC] = drawn.forces["hardest_10pct_share"]
            write_json(folder / "metrics.json", metrics)
    record.update(**fields)


def save_recording(
    folder: Path, config: RecipeConfig, evaluation: Any, recording: Any, model: Any
) -> None:
    """Score the boundary recording with the recorded epochs' weights and write it
    (boundary_recording.npz) when the figures will use it, so that figures drawn from the
    folder (another process, later) find it: the weights themselves are not kept.
    :func:`recipes.training.figures.write_run_figures` then finds it scored and writes it again,
    unchanged."""
    from recipes.report.margins import margin_spec
    from recipes.training.recording import RECORDING_FILE

    if recording is None or not recording.epochs:
        return
    spec = margin_spec(config.plots, evaluation.split.label_kind, evaluation.output_kind)
    if spec is not None:  # what write_run_figures asks before drawing the recording
        recording.score(model)
        recording.save(folder / RECORDING_FILE)


@dataclasses.dataclass
class FolderInputs:
    """What drawing a run's figures takes, rebuilt from its folder."""

    config: RecipeConfig
    model: Any
    history: dict[str, list[float]]
    evaluation: Any
    recording: Any


def load_inputs(folder: Path, compiled: dict[str, Any] | None = None) -> FolderInputs:
    """A run folder's config, data (rebuilt from the config and seed), model, history,
    evaluation and recording. ``compiled``: a cache of compiled evaluate and predict
    functions by config (seed aside), shared by the models of one config as a group's are
    (:func:`recipes.training.evaluation.share_compiled_functions`)."""
    from recipes.config.resolve import resolve_run_folder_config
    from recipes.training.backend import select_backend

    config = resolve_run_folder_config(folder)
    select_backend(config.backend or "jax")
    # Keras is imported only now, with the run's backend.
    from recipes.components.keras_objects import load_model
    from recipes.components.losses import loss_label_encoding
    from recipes.components.models import model_output_kind
    from recipes.datasets import build_dataset
    from recipes.training.evaluation import Evaluation
    from recipes.training.recording import RECORDING_FILE, BoundaryRecording

    labels = loss_label_encoding(config.loss.name, config.loss.params)
    split = build_dataset(config.data.name, config.data.params, config.seed, labels)
    model = load_model(str(folder / "model.keras"))
    if compiled is not None:
        _share_with_earlier(model, config, compiled)
    evaluation = Evaluation(model, split, model_output_kind(config.model.name, config.model.params))
    recording_file = folder / RECORDING_FILE
    recording = BoundaryRecording.load(recording_file) if recording_file.is_file() else None
    history = read_csv_columns(folder / "history.csv")
    return FolderInputs(config, model, history, evaluation, recording)


def _share_with_earlier(model: Any, config: RecipeConfig, compiled: dict[str, Any]) -> None:
    """Give ``model`` the compiled functions of the first model loaded with the same config
    but the seed (each model's own would compile again, a few tenths of a second each)."""
    import json

    from recipes.training.evaluation import share_compiled_functions

    mapping = {key: value for key, value in config.as_mapping().items() if key != "seed"}
    key = json.dumps(mapping, sort_keys=True, default=str)
    leader = compiled.setdefault(key, model)
    share_compiled_functions([leader, model])


def draw_from_folder(folder: Path, where: str, compiled: dict[str, Any] | None = None) -> Drawn:
    """Draw a run folder's figures from what it holds (no record is changed: see
    :func:`apply_drawn`)."""
    inputs = load_inputs(Path(folder), compiled)
    return draw(
        Path(folder),
        inputs.config,
        inputs.model,
        inputs.history,
        inputs.evaluation,
        inputs.recording,
        where,
    )


def figures_status(folder: Path) -> str | None:
    """run.json's ``figures.status`` (None for a run recorded before it was kept)."""
    record = run_or_none(folder)
    return record.figures.status if record and record.figures else None


class FinishedRecord:
    """The run.json of a run that has ended, changed in place (an OpenRecord would mark it
    running again)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def update(self, **fields: Any) -> None:
        update_run(self.folder, **fields)


def plot_run_folder(folder: Path | str) -> Drawn:
    """``python -m recipes plot <run folder>``: draw the run's figures again from what its
    folder holds, holding its lock, and record them in run.json (``figures``; ``forces``, and
    the force share in metrics.json). RecipeError (one line) for a folder that is not a
    finished training run's, or whose data file changed; a drawing error is recorded
    (``figures.status: failed``) and raised."""
    from recipes.locks import lock_or_refuse

    folder = Path(folder).resolve()
    check_run_folder(folder)
    lock = lock_or_refuse(folder, "run")
    try:
        record = FinishedRecord(folder)
        try:
            drawn = draw_from_folder(folder, "plot")
        except Exception as error:
            record.update(**{FIGURES: failed_record(error, "plot")})
            raise
        apply_drawn(record, folder, read_json(folder / "metrics.json"), drawn)
        return drawn
    finally:
        lock.release()


def check_run_folder(folder: Path) -> None:
    """RecipeError unless ``folder`` holds a training run whose figures can be drawn: its
    config, a saved model, and the data files it was trained on, unchanged."""
    from recipes.config.inputs import changes_since, data_file_hashes
    from recipes.config.resolve import resolve_run_folder_config
    from recipes.errors import RecipeError
    from recipes.status import RunStatus, shown_status

    record: RunRecord | None = run_or_none(folder)
    if record is None or not (folder / "config.yaml").is_file():
        raise RecipeError(
            f"{folder}: not a run folder (no run.json and config.yaml); give a folder such as "
            "outputs/hinge/<run-id>"
        )
    if shown_status(record) == RunStatus.RUNNING:
        raise RecipeError(f"{folder}: this run is still running; its figures come at its end")
    config = resolve_run_folder_config(folder)
    if config.task != "train":
        raise RecipeError(f"{folder}: task '{config.task}' has no run figures to draw")
    if not (folder / "model.keras").is_file():
        raise RecipeError(
            f"{folder}: no model.keras (the run {record.status} before saving it); "
            "nothing to draw from"
        )
    pinned = record.inputs.data_files if record.inputs else None
    changed = changes_since({"data_files": pinned}, {"data_files": data_file_hashes(config)})
    if changed:
        raise RecipeError(f"{folder}: {changed} since the run; its figures would not be the run's")
