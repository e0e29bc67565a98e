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
from recipes.studies.fidelity.plan import Job


@dataclass
class JobResult:
    job: Job
    wall_s: float
    exit_status: int
    sweep_folder: Path | None = None  # kind "sweep": the folder the sweep printed last
    records: list[dict[str, Any]] = field(default_factory=list)  # kind "script": JSON lines


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def run_job(job: Job, number: str, output_root: Path, logs: Path, stream: TextIO) -> JobResult:
    """One job, its output echoed to ``stream`` as it comes; a failed job is reported, not
    raised (the report says which numbers are missing)."""
    command = list(job.command)
    if job.kind == "sweep":
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
    log_path = logs / f"{number.replace('/', '-of-')}-{_slug(job.title)}.log"
    with (
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment
        ) as process,
        open(log_path, "w", encoding="utf-8") as log,
    ):
        log.write(" ".join(command) + "\n")
        for line in process.stdout:
            log.write(line)
            lines.append(line.rstrip("\n"))
            if not line.startswith("{"):
                print(f"  [{number}] {line.rstrip()}", file=stream, flush=True)
    wall = time.perf_counter() - clock
    result = JobResult(job, wall, process.returncode)
    if job.kind == "sweep" and process.returncode == 0 and lines:
        result.sweep_folder = Path(lines[-1].strip())
    for line in lines:
        if line.startswith("{"):
            record = json.loads(line)
            print(f"  [{number}] seed {record.get('seed')}: done", file=stream, flush=True)
            result.records.append(record)
    return result


def run_jobs(jobs: list[Job], folder: Path, stream: TextIO = sys.stderr) -> list[JobResult]:
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    results, start = [], time.perf_counter()
    for index, job in enumerate(jobs, start=1):
        number = f"{index}/{len(jobs)}"
        print(f"[fidelity {number}] {job.tutorial}: {job.title} ({job.source})", file=stream)
        result = run_job(job, number, folder / "runs", logs, stream)
        results.append(result)
        state = "done" if result.exit_status == 0 else f"FAILED (exit {result.exit_status})"
        elapsed = time.perf_counter() - start
        print(
            f"[fidelity {number}] {state} in {result.wall_s:.0f} s ({elapsed / 60:.1f} min so far)",
            file=stream,
            flush=True,
        )
    return results
