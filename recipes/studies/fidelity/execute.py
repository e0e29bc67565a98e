"""Runs the plan's jobs one after another, showing progress and timing each: a sweep in this
process through :func:`recipes.sweep` (its typed results are the samples), a tutorial script as
the program it is (its JSON lines are its results; every line it prints is shown, prefixed with
the job's number, and kept in ``logs/``). ``jobs.json``, rewritten after every job, is what a
report is redrawn from."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import field
from pathlib import Path
from typing import Any, TextIO

from pydantic import TypeAdapter
from pydantic.dataclasses import dataclass

import recipes
from recipes.errors import RecipeError
from recipes.paths import PROJECT_ROOT
from recipes.progress import Progress
from recipes.status import RunStatus
from recipes.studies.fidelity.plan import Job


@dataclass
class JobResult:
    job: Job
    wall_s: float
    exit_status: int
    sweep_folder: Path | None = None  # a sweep: its folder (what each point produced)
    records: list[dict[str, Any]] = field(default_factory=list)  # a script: its JSON lines


JOB_RESULTS = TypeAdapter(list[JobResult])  # jobs.json and report.json's "jobs"


def results_from_record(folder: Path) -> list[JobResult]:
    """The jobs' results read back from ``folder/jobs.json`` (to redraw a report without
    rerunning)."""
    if not (folder / "jobs.json").is_file():
        raise RecipeError(f"{folder}: no jobs.json; give a folder made by make fidelity")
    return JOB_RESULTS.validate_json((folder / "jobs.json").read_bytes())


def run_sweep_job(job: Job, output_root: Path, backend: str) -> tuple[int, Path | None]:
    """A sweep's exit status as the command line's (1: a run failed) and its results; a config
    error is reported, not raised (the report says which numbers are missing)."""
    try:
        sweep = recipes.sweep(
            job.recipe,
            job.grid,
            job.overrides,
            executor="vectorized",
            output_root=output_root,
            backend=backend,
        )
    except RecipeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2, None
    failed = any(run.status != RunStatus.COMPLETED for run in sweep.results.runs)
    return int(failed or bool(sweep.results.report_error)), sweep.folder


def run_script(job: Job, log_path: Path, number: int, progress: Progress) -> JobResult:
    """A tutorial script, its output echoed to ``progress`` as it comes and kept in the log;
    a failed script is reported, not raised."""
    # this checkout's package for the scripts' `import recipes`
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    records: list[dict[str, Any]] = []
    clock = time.perf_counter()
    with (
        subprocess.Popen(
            job.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**environment, "PYTHONPATH": path},
            cwd=PROJECT_ROOT,
        ) as process,
        open(log_path, "w", encoding="utf-8") as log,
    ):
        log.write(" ".join(job.command) + "\n")
        for line in process.stdout:
            log.write(line)
            if line.startswith("{"):
                records.append(json.loads(line))
                text = f"{records[-1].get('loss', '')} seed {records[-1].get('seed')}: done"
                progress.line(text, number, indent="  ")
            else:
                progress.line(line.rstrip(), number, indent="  ")
        process.wait()
    return JobResult(job, time.perf_counter() - clock, process.returncode, records=records)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def run_jobs(
    jobs: list[Job], folder: Path, backend: str, stream: TextIO = sys.stderr
) -> list[JobResult]:
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    results, start = [], time.perf_counter()
    progress = Progress(len(jobs), stream, prefix="fidelity ")
    for number, job in enumerate(jobs, start=1):
        progress.line(f"{job.tutorial}: {job.title} ({job.source})", number)
        clock = time.perf_counter()
        if job.recipe:  # a sweep
            exit_status, sweep = run_sweep_job(job, folder / "runs", backend)
            result = JobResult(job, time.perf_counter() - clock, exit_status, sweep)
        else:
            log_path = logs / f"{number}-of-{len(jobs)}-{_slug(job.title)}.log"
            result = run_script(job, log_path, number, progress)
        results.append(result)
        (folder / "jobs.json").write_bytes(JOB_RESULTS.dump_json(results, indent=2))
        state = "done" if result.exit_status == 0 else f"FAILED (exit {result.exit_status})"
        elapsed = time.perf_counter() - start
        progress.line(f"{state} in {result.wall_s:.0f} s ({elapsed / 60:.1f} min so far)", number)
    return results
