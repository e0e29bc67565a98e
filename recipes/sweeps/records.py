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
from pathlib import Path
from typing import Any

import pydantic

import recipes.records as records
from recipes.config.resolve import resolve_recipe
from recipes.config.schema import ResolvedRecipe
from recipes.files import (
    MarkdownLink,
    atomic_write_text,
    markdown_table,
    markdown_text,
    read_csv_columns,
    write_csv,
)
from recipes.outcome import RunOutcome, outcome_from_folder
from recipes.status import RunStatus
from recipes.sweeps.grid import SweepPoint


class RunResult(records.SweepRun):
    """One run of a sweep: its entry in sweep.json, with what lives only in memory (the grid
    point and its config; the metrics and durations its run folder records)."""

    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)
    point: SweepPoint = pydantic.Field(exclude=True)
    metrics: dict[str, Any] = pydantic.Field({}, exclude=True)
    durations: dict[str, float] = pydantic.Field({}, exclude=True)
    # a stopped run folder whose backup this point continues
    resume_from: Path | None = pydantic.Field(None, exclude=True)

    @property
    def folder(self) -> Path | None:
        return Path(self.run_folder) if self.run_folder else None

    def apply(self, outcome: RunOutcome, started: float) -> None:
        """Take the point's outcome (from whichever executor ran it), and its wall time since
        ``started`` (``time.perf_counter()``)."""
        self.status = outcome.status
        self.run_folder = str(outcome.run_folder or self.run_folder)
        self.metrics = dict(outcome.metrics)
        self.durations = dict(outcome.durations)
        self.reason = outcome.reason
        self.exit_status = outcome.exit_status
        self.wall_s = time.perf_counter() - started

    def history(self) -> dict[str, list[float]]:
        """The run's history.csv as {column: values per epoch} (empty when absent)."""
        return read_csv_columns(self.folder / "history.csv") if self.folder else {}

    def reset(self) -> None:
        """Back to ``not started`` for a resumed sweep: a run stopped with a backup of its
        training state (``train.checkpoint``) continues in its folder, any other starts anew."""
        previous, fresh = self.folder, point_result(self.point)
        for name in type(self).model_fields:
            setattr(self, name, getattr(fresh, name))
        if previous is not None and (previous / "backup").is_dir():
            self.resume_from = previous
            self.run_folder = str(previous)


def point_result(point: SweepPoint) -> RunResult:
    """A point's run, not started."""
    return RunResult(run=point.index, values=point.values, labels=point.labels, point=point)


class SweepResults(records.SweepRecord):
    """A sweep, finished or not: its sweep.json, with what lives only in memory (its folder,
    the resolved base recipe, how this process runs it)."""

    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)
    runs: list[RunResult]
    folder: Path = pydantic.Field(exclude=True)
    base: ResolvedRecipe = pydantic.Field(exclude=True)
    output_root: Path = pydantic.Field(Path("outputs"), exclude=True)
    force: bool = pydantic.Field(False, exclude=True)  # sweep --resume --force
    stop_signal: int | None = pydantic.Field(None, exclude=True)  # what stopped the sweep

    @property
    def keys(self) -> list[str]:
        return [axis.key for axis in self.grid]


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
    metrics = metric_columns(sweep.runs)
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
            result.run_folder,
            result.reason,
        ]
        for result in sweep.runs
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
        if row[folder_column]:  # a link, built from its parts (the cell escapes any other text)
            relative = Path(os.path.relpath(row[folder_column], sweep.folder))
            row[folder_column] = MarkdownLink(relative.name, relative.as_posix())
        md_rows.append(row)
    completed = sum(result.status == RunStatus.COMPLETED for result in sweep.runs)
    grid = "; ".join(f"{a.key} = {', '.join(a.labels)} ({a.source})" for a in sweep.grid)
    overrides = " ".join(sweep.overrides) or "none"
    text = (
        f"# Sweep {markdown_text(sweep.recipe)}: {completed}/{len(sweep.runs)} runs completed"
        f"\n\nGrid: {markdown_text(grid)}"
        f"\n\nOverrides for every run: {markdown_text(overrides)}. "
        f"Wall time {sweep.wall_s:.1f} s with {sweep.jobs} job(s). Durations in seconds; "
        "test_* are metrics of the final model on the test split, final_* are the last epoch's "
        "training-time values.\n\n" + markdown_table(header, md_rows)
    )
    atomic_write_text(sweep.folder / "summary.md", text)


def write_sweep_record(
    sweep: SweepResults, status: RunStatus, comparison: Sequence[str] = ()
) -> None:
    """sweep.json: what was asked, when, and what each run produced (with a heartbeat, so a
    sweep whose driver is gone shows as stopped wherever it ran)."""
    records.write(
        sweep.folder / records.SWEEP_FILE,
        records.SweepRecord,
        {
            **sweep.model_dump(),
            "status": status,
            "description": sweep.base.config.description,
            "seed": sweep.base.config.seed,
            "sources": sweep.base.sources,
            # the fields given: a resume's "forced" and the pinned "config" only where set
            "inputs": sweep.inputs and sweep.inputs.model_dump(exclude_unset=True),
            "resumes": [resume.model_dump(exclude_unset=True) for resume in sweep.resumes],
            "pid": os.getpid(),
            "host": {"name": socket.gethostname()},
            "heartbeat_at": time.time(),
            "wall_s": round(sweep.wall_s, 3),
            "comparison": list(comparison),
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
    return SweepResults(
        **{
            **dict(record),
            "recipe_argument": record.recipe_argument or recipe,
            "runs": [_result_from_record(run) for run in record.runs],
        },
        folder=folder,
        base=resolve_recipe(recipe, record.overrides, record.backend),
        output_root=folder.parent.parent,
    )


def _result_from_record(run: records.SweepRun) -> RunResult:
    """One run of sweep.json, with its metrics and durations read from its run folder."""
    result = RunResult(**dict(run), point=SweepPoint(run.run, run.values, run.labels, []))
    if result.folder is not None:
        outcome = outcome_from_folder(result.folder)
        result.metrics, result.durations = outcome.metrics, outcome.durations
    return result
