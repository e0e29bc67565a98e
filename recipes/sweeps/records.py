"""What a sweep produced: one :class:`RunResult` per point, the :class:`SweepResults` holding
them, and the files that record it: ``summary.csv`` / ``summary.md`` (one row per run) and
``sweep.json`` (the grid, the commands and every run's outcome:
:class:`recipes.records.SweepRecord`). :func:`load_sweep` reads a sweep folder back, e.g. to
redraw its report after changing a plot.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import recipes.records as records
from recipes.config.resolve import resolve_recipe
from recipes.config.schema import ResolvedRecipe
from recipes.files import atomic_write_text, markdown_table, read_csv_columns, read_json, write_csv
from recipes.outcome import RunOutcome
from recipes.status import RunStatus
from recipes.sweeps.grid import GridAxis, SweepPoint


@dataclass
class RunResult:
    """What one run of a sweep produced (read back from its run folder)."""

    point: SweepPoint
    status: RunStatus = RunStatus.NOT_STARTED
    run_folder: Path | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    command: list[str] = field(default_factory=list)  # the same point by hand (for audits)
    log: Path | None = None
    exit_status: int | None = None
    wall_s: float | None = None
    resume_from: Path | None = None  # a stopped run folder whose backup this point continues

    def apply(self, outcome: RunOutcome) -> None:
        """Take the point's outcome (from whichever executor ran it)."""
        self.status = outcome.status
        self.run_folder = outcome.run_folder or self.run_folder
        self.metrics = dict(outcome.metrics)
        self.durations = dict(outcome.durations)
        self.reason = outcome.reason
        self.exit_status = outcome.exit_status

    def history(self) -> dict[str, list[float]]:
        """The run's history.csv as {column: values per epoch} (empty when absent)."""
        if self.run_folder is None:
            return {}
        return read_csv_columns(self.run_folder / "history.csv")

    def reset(self) -> None:
        """Back to ``not started`` for a resumed sweep: a run stopped with a backup of its
        training state (``train.checkpoint``) continues in its folder, any other starts anew."""
        previous = self.run_folder
        self.__dict__.update(vars(RunResult(point=self.point)))
        if previous is not None and (previous / "backup").is_dir():
            self.resume_from = previous
            self.run_folder = previous


@dataclass
class SweepResults:
    """A sweep, finished or not: what was asked and what each run produced."""

    recipe: str
    folder: Path
    base: ResolvedRecipe
    axes: list[GridAxis]
    results: list[RunResult]
    overrides: list[str] = field(default_factory=list)
    backend: str | None = None
    jobs: int = 1
    recipe_argument: str = ""  # the recipe as the user gave it: a name or a YAML path
    output_root: Path = Path("outputs")
    executor: str = "processes"
    grid_spec: dict[str, list[Any]] = field(default_factory=dict)  # the grid as given (labels)
    resumes: list[dict[str, Any]] = field(default_factory=list)
    started_at: str = ""
    ended_at: str = ""
    wall_s: float = 0.0
    force: bool = False  # resume points whose inputs changed (sweep --resume --force)
    inputs: dict[str, Any] = field(default_factory=dict)  # the pinned config and data files
    report_error: str = ""  # why the report failed ('' when it did not)
    status: RunStatus = RunStatus.NOT_STARTED  # as sweep.json last recorded it
    stop_signal: int | None = None  # the signal that stopped the sweep, if one did

    @property
    def keys(self) -> list[str]:
        return [axis.key for axis in self.axes]

    def recipe_of(self, result: RunResult) -> ResolvedRecipe:
        """A point's validated config: the one its plan made, else resolved again."""
        if result.point.recipe is None:
            result.point.recipe = resolve_recipe(
                self.recipe_argument, result.point.overrides, self.backend
            )
        return result.point.recipe


def metric_columns(results: Sequence[RunResult]) -> list[str]:
    """Metric names found in the runs, test metrics first, then final (last-epoch) ones, each
    kind in the order found (sorted is stable)."""
    found = [k for r in results for k, v in r.metrics.items() if isinstance(v, int | float)]
    return sorted(
        dict.fromkeys(found),
        key=lambda key: 0 if key.startswith("test_") else 1 if key.startswith("final_") else 2,
    )


def summary_rows(sweep: SweepResults) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of summary.csv: one row per run."""
    metrics = metric_columns(sweep.results)
    header = [
        "run",
        *sweep.keys,
        "status",
        *metrics,
        "fit_s",
        "total_s",
        "wall_s",
        "run_folder",
        "reason",
    ]
    rows = [
        [
            result.point.index,
            *(result.point.labels[key] for key in sweep.keys),
            result.status,
            *(result.metrics.get(key, "") for key in metrics),
            _rounded(result.durations.get("fit")),
            _rounded(result.durations.get("total")),
            _rounded(result.wall_s),
            str(result.run_folder or ""),
            result.reason,
        ]
        for result in sweep.results
    ]
    return header, rows


def _rounded(value: float | None, digits: int = 2) -> Any:
    return "" if value is None else round(float(value), digits)


def write_summary(sweep: SweepResults) -> None:
    """summary.csv (every metric, full precision) and summary.md (links to the run folders)."""
    header, rows = summary_rows(sweep)
    write_csv(sweep.folder / "summary.csv", header, rows)
    folder_column = header.index("run_folder")
    seconds = [i for i, name in enumerate(header) if name.endswith("_s")]
    md_rows = []
    for row in rows:
        row = list(row)
        for i in seconds:
            row[i] = f"{row[i]:.1f}" if isinstance(row[i], float) else row[i]
        if row[folder_column]:
            relative = os.path.relpath(row[folder_column], sweep.folder)
            row[folder_column] = f"[{Path(relative).name}]({relative})"
        md_rows.append(row)
    completed = sum(result.status == RunStatus.COMPLETED for result in sweep.results)
    grid = "; ".join(f"{a.key} = {', '.join(a.labels)} ({a.source})" for a in sweep.axes)
    text = (
        f"# Sweep {sweep.recipe}: {completed}/{len(sweep.results)} runs completed\n\n"
        f"Grid: {grid}"
        f"\n\nOverrides for every run: {' '.join(sweep.overrides) or 'none'}. "
        f"Wall time {sweep.wall_s:.1f} s with {sweep.jobs} job(s). Durations in seconds; "
        "test_* are metrics of the final model on the test split, final_* are the last epoch's "
        "training-time values.\n\n" + markdown_table(header, md_rows)
    )
    atomic_write_text(sweep.folder / "summary.md", text)


# What SweepResults and sweep.json both hold, under the same names and defaults; status,
# wall_s (rounded) and inputs (None when empty) are written their own way.
RECORDED = [
    declared.name
    for declared in fields(SweepResults)
    if declared.name in records.SweepRecord.model_fields
    and declared.name not in ("status", "wall_s", "inputs")
]


def write_sweep_record(
    sweep: SweepResults, status: RunStatus, comparison: Sequence[str] = ()
) -> None:
    """sweep.json: what was asked, when, and what each run produced (with a heartbeat, so a
    sweep whose driver is gone shows as stopped wherever it ran)."""
    records.write(
        sweep.folder / records.SWEEP_FILE,
        records.SweepRecord,
        {
            **{name: getattr(sweep, name) for name in RECORDED},
            "status": status,
            "description": sweep.base.config.description,
            "seed": sweep.base.config.seed,
            "sources": sweep.base.sources,
            "inputs": sweep.inputs or None,
            "pid": os.getpid(),
            "host": {"name": socket.gethostname()},
            "heartbeat_at": time.time(),
            "grid": [vars(axis) for axis in sweep.axes],
            "wall_s": round(sweep.wall_s, 3),
            "comparison": list(comparison),
            "runs": [
                {
                    "run": r.point.index,
                    "values": r.point.values,
                    "labels": r.point.labels,
                    "status": r.status,
                    "reason": r.reason,
                    "run_folder": str(r.run_folder or ""),
                    "exit_status": r.exit_status,
                    "wall_s": r.wall_s,
                    "command": r.command,
                    "log": os.path.relpath(r.log, sweep.folder) if r.log else "",
                }
                for r in sweep.results
            ],
        },
    )
    sweep.status = status


def load_sweep(folder: Path | str) -> SweepResults:
    """A sweep read back from its folder (sweep.json and the run folders), e.g. to redraw its
    report after changing a plot: ``write_report(load_sweep(folder))``. RecipeError (one
    line) for a folder without a readable sweep.json."""
    folder = Path(folder)
    record = records.read_sweep(folder)
    sources = record.sources
    recipe = sources[-1] if sources and Path(sources[-1]).is_file() else record.recipe
    recorded = record.model_dump(include=set(RECORDED), exclude_unset=True)
    return SweepResults(
        **{**recorded, "recipe_argument": record.recipe_argument or recipe},
        folder=folder,
        base=resolve_recipe(recipe, record.overrides, record.backend),
        axes=[GridAxis(**axis.model_dump()) for axis in record.grid],
        results=[_result_from_record(run, folder) for run in record.runs],
        output_root=folder.parent.parent,
        wall_s=record.wall_s,
        inputs=record.inputs.model_dump(exclude_unset=True) if record.inputs else {},
        status=record.status,
    )


def _result_from_record(run: records.SweepRun, folder: Path) -> RunResult:
    """One run of sweep.json, with its metrics and durations read from its run folder."""
    run_folder = Path(run.run_folder) if run.run_folder else None
    record = records.run_or_none(run_folder) if run_folder else None
    completed = run_folder is not None and run.status == RunStatus.COMPLETED
    return RunResult(
        point=SweepPoint(run.run, run.values, run.labels, []),
        status=run.status,
        run_folder=run_folder,
        metrics=read_json(run_folder / "metrics.json") if completed else {},
        durations=dict(record.durations_s) if record else {},
        reason=run.reason,
        command=run.command,
        log=folder / run.log if run.log else None,
        exit_status=run.exit_status,
        wall_s=run.wall_s,
    )
