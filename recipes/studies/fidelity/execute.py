"""Runs the plan's jobs one after another, showing progress (every line a job prints, prefixed
with its number) and timing each; keeps every job's full output in ``logs/``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from recipes.paths import PROJECT_ROOT
from recipes.progress import Progress
from recipes.studies.fidelity.plan import Job


@dataclass
class JobResult:
    job: Job
    wall_s: float
    exit_status: int
    sweep_folder: Path | None = None  # a sweep: the folder the sweep printed last
    records: list[dict[str, Any]] = field(default_factory=list)  # a script: its JSON lines


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


TRAILER = "# fidelity: exit"


def parse_output(job: Job, lines: list[str], exit_status: int, wall_s: float) -> JobResult:
    """A job's result from what it printed: a sweep's folder (its last line), a script's JSON
    lines."""
    result = JobResult(job, wall_s, exit_status)
    if not job.is_sweep:
        result.records = [json.loads(line) for line in lines if line.startswith("{")]
    elif exit_status == 0 and lines:
        result.sweep_folder = Path(lines[-1].strip())
    return result


def results_from_logs(folder: Path, jobs: list[Job]) -> list[JobResult]:
    """The jobs' results read back from ``folder/logs`` (to redraw a report without rerunning):
    the first log line is the command, the last its exit status and time."""
    results = []
    for index, job in enumerate(jobs, start=1):
        found = sorted((folder / "logs").glob(f"{index}-of-{len(jobs)}-*.log"))
        if not found:
            continue
        lines = found[0].read_text(encoding="utf-8").splitlines()[1:]
        exit_status, wall = 0, float("nan")
        if lines and lines[-1].startswith(TRAILER):
            words = lines.pop().split()
            exit_status, wall = int(words[3]), float(words[5])
        results.append(parse_output(job, lines, exit_status, wall))
    return results


def run_job(job: Job, number: int, output_root: Path, logs: Path, progress: Progress) -> JobResult:
    """One job, its output echoed to ``progress`` as it comes; a failed job is reported, not
    raised (the report says which numbers are missing)."""
    command = list(job.command)
    if job.is_sweep:
        command += ["--output-root", str(output_root)]
    # this checkout's package for `python -m recipes` and the scripts' `import recipes`
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    environment = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": path,
    }
    clock = time.perf_counter()
    lines: list[str] = []
    log_path = logs / f"{number}-of-{progress.total}-{_slug(job.title)}.log"
    with (
        subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            cwd=PROJECT_ROOT,
        ) as process,
        open(log_path, "w", encoding="utf-8") as log,
    ):
        log.write(" ".join(command) + "\n")
        for line in process.stdout:
            log.write(line)
            lines.append(line.rstrip("\n"))
            if not line.startswith("{"):
                progress.line(line.rstrip(), number, indent="  ")
        process.wait()
        wall = time.perf_counter() - clock
        log.write(f"{TRAILER} {process.returncode} after {wall:.1f} s\n")
    result = parse_output(job, lines, process.returncode, wall)
    for record in result.records:
        progress.line(
            f"{record.get('loss', '')} seed {record.get('seed')}: done", number, indent="  "
        )
    return result


def run_jobs(jobs: list[Job], folder: Path, stream: TextIO = sys.stderr) -> list[JobResult]:
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    results, start = [], time.perf_counter()
    progress = Progress(len(jobs), stream, prefix="fidelity ")
    for number, job in enumerate(jobs, start=1):
        progress.line(f"{job.tutorial}: {job.title} ({job.source})", number)
        result = run_job(job, number, folder / "runs", logs, progress)
        results.append(result)
        state = "done" if result.exit_status == 0 else f"FAILED (exit {result.exit_status})"
        elapsed = time.perf_counter() - start
        progress.line(f"{state} in {result.wall_s:.0f} s ({elapsed / 60:.1f} min so far)", number)
    return results
