"""What a sweep produced: one :class:`RunResult` per point, the :class:`Sweep` holding them,
and the files that record it: ``summary.csv`` / ``summary.md`` (one row per run) and
``sweep.json`` (the grid, the commands and every run's outcome). :func:`load_sweep` reads a
sweep folder back, e.g. to redraw its report after changing a plot.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recipes.config.resolve import resolve_recipe
from recipes.config.schema import ResolvedRecipe
from recipes.errors import RecipeError
from recipes.files import (
    atomic_write_text,
    markdown_table,
    read_csv_columns,
    write_csv,
    write_json,
)
from recipes.outcome import RunOutcome
from recipes.status import RunStatus, read_record
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
        fresh = RunResult(point=self.point)
        self.__dict__.update({k: v for k, v in fresh.__dict__.items() if k != "point"})
        if previous is not None and (previous / "backup").is_dir():
            self.resume_from = previous
            self.run_folder = previous


@dataclass
class Sweep:
    """A finished (or interrupted) sweep: what was asked and what each run produced."""

    recipe: str
    folder: Path
    base: ResolvedRecipe
    axes: list[GridAxis]
    results: list[RunResult]
    overrides: list[str]
    backend: str | None
    jobs: int
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
    """Metric names found in the runs, test metrics first, then final (last-epoch) ones."""
    seen: list[str] = []
    for result in results:
        for key, value in result.metrics.items():
            if key not in seen and isinstance(value, (int, float)):
                seen.append(key)

    def rank(key: str) -> tuple[int, int]:
        order = 0 if key.startswith("test_") else 1 if key.startswith("final_") else 2
        return order, seen.index(key)

    return sorted(seen, key=rank)


def _relative(path: Path | None, start: Path) -> str:
    if path is None:
        return ""
    return os.path.relpath(path, start)


def summary_rows(sweep: Sweep) -> tuple[list[str], list[list[Any]]]:
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
    rows = []
    for result in sweep.results:
        rows.append(
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
        )
    return header, rows


def _rounded(value: float | None, digits: int = 2) -> Any:
    return "" if value is None else round(float(value), digits)


def write_summary(sweep: Sweep) -> tuple[Path, Path]:
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
            relative = _relative(Path(row[folder_column]), sweep.folder)
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
    return sweep.folder / "summary.csv", sweep.folder / "summary.md"


def write_sweep_record(sweep: Sweep, status: RunStatus, comparison: Sequence[str] = ()) -> Path:
    """sweep.json: what was asked, when, and what each run produced (with a heartbeat, so a
    sweep whose driver is gone shows as stopped wherever it ran)."""
    data = {
        "status": status,
        "recipe": sweep.recipe,
        "description": sweep.base.config.description,
        "seed": sweep.base.config.seed,
        "sources": sweep.base.sources,
        "overrides": sweep.overrides,
        "backend": sweep.backend,
        "jobs": sweep.jobs,
        "executor": sweep.executor,
        "recipe_argument": sweep.recipe_argument,
        "grid_spec": sweep.grid_spec,
        "inputs": sweep.inputs,
        "resumes": sweep.resumes,
        "pid": os.getpid(),
        "host": {"name": socket.gethostname()},
        "heartbeat_at": time.time(),
        "grid": [
            {"key": a.key, "values": a.values, "labels": a.labels, "source": a.source}
            for a in sweep.axes
        ],
        "started_at": sweep.started_at,
        "ended_at": sweep.ended_at,
        "wall_s": round(sweep.wall_s, 3),
        "comparison": list(comparison),
        "report_error": sweep.report_error,
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
                "log": _relative(r.log, sweep.folder),
            }
            for r in sweep.results
        ],
    }
    path = sweep.folder / "sweep.json"
    write_json(path, data)
    sweep.status = status
    return path


def read_sweep_record(folder: Path) -> dict[str, Any]:
    """sweep.json checked for the fields a sweep is read back from; RecipeError (one line)
    naming what is missing or damaged."""
    record = read_record(folder / "sweep.json")
    if record is None:
        raise RecipeError(f"{folder}: no readable sweep.json (is this a sweep folder?)")
    problems = []
    if not isinstance(record.get("recipe"), str):
        problems.append("'recipe' is not a name")
    grid, runs = record.get("grid"), record.get("runs")
    if not isinstance(grid, list) or not all(
        isinstance(a, dict) and isinstance(a.get("key"), str) and isinstance(a.get("values"), list)
        and isinstance(a.get("labels"), list) for a in grid
    ):  # fmt: skip
        problems.append("'grid' is not a list of axes")
    if not isinstance(runs, list) or not all(
        isinstance(r, dict) and isinstance(r.get("run"), int) and isinstance(r.get("values"), dict)
        and isinstance(r.get("labels"), dict) for r in runs
    ):  # fmt: skip
        problems.append("'runs' is not a list of runs")
    if problems:
        raise RecipeError(
            f"{folder}/sweep.json: damaged record ({'; '.join(problems)}); start a new sweep"
        )
    return record


def load_sweep(folder: Path | str) -> Sweep:
    """A sweep read back from its folder (sweep.json and the run folders), e.g. to redraw its
    report after changing a plot: ``write_report(load_sweep(folder))``."""
    folder = Path(folder)
    record = read_sweep_record(folder)
    sources = record.get("sources") if isinstance(record.get("sources"), list) else []
    recipe = sources[-1] if sources and Path(str(sources[-1])).is_file() else record["recipe"]
    overrides = _list_of_text(record.get("overrides"))
    base = resolve_recipe(str(recipe), overrides, record.get("backend"))
    axes = [
        GridAxis(
            a["key"], a["values"], [str(label) for label in a["labels"]], str(a.get("source", ""))
        )
        for a in record["grid"]
    ]
    results = [_result_from_record(run, folder) for run in record["runs"]]
    return Sweep(
        recipe=record["recipe"],
        folder=folder,
        base=base,
        axes=axes,
        results=results,
        overrides=overrides,
        backend=record.get("backend") if isinstance(record.get("backend"), str) else None,
        jobs=record.get("jobs") if isinstance(record.get("jobs"), int) else 1,
        recipe_argument=str(record.get("recipe_argument") or recipe),
        output_root=folder.parent.parent,
        grid_spec=record.get("grid_spec") if isinstance(record.get("grid_spec"), dict) else {},
        resumes=record.get("resumes") if isinstance(record.get("resumes"), list) else [],
        executor=str(record.get("executor") or "processes"),
        started_at=str(record.get("started_at", "")),
        ended_at=str(record.get("ended_at", "")),
        wall_s=float(record.get("wall_s") or 0.0),
        inputs=record.get("inputs") if isinstance(record.get("inputs"), dict) else {},
        report_error=str(record.get("report_error") or ""),
        status=RunStatus.of(record.get("status")),
    )


def _list_of_text(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _result_from_record(run: dict[str, Any], folder: Path) -> RunResult:
    """One run of sweep.json, with its metrics and durations read from its run folder."""
    point = SweepPoint(run["run"], run["values"], run["labels"], [])
    run_folder = (
        Path(run["run_folder"])
        if isinstance(run.get("run_folder"), str) and run["run_folder"]
        else None
    )
    record = (read_record(run_folder / "run.json") or {}) if run_folder else {}
    durations = record.get("durations_s")
    status = RunStatus.of(run.get("status"))
    return RunResult(
        point=point,
        status=status,
        run_folder=run_folder,
        metrics=(read_record(run_folder / "metrics.json") or {})
        if run_folder and status == RunStatus.COMPLETED
        else {},
        durations=durations if isinstance(durations, dict) else {},
        reason=str(run.get("reason") or ""),
        command=_list_of_text(run.get("command")),
        log=folder / run["log"] if isinstance(run.get("log"), str) and run["log"] else None,
        exit_status=run.get("exit_status") if isinstance(run.get("exit_status"), int) else None,
        wall_s=run.get("wall_s") if isinstance(run.get("wall_s"), (int, float)) else None,
    )
