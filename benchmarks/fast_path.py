"""``make benchmark``: the speed goals as ratios, each against a baseline measured in this run.

1. ``make hinge`` wall / the tutorial's script wall (benchmarks/tutorials/hinge.py, TensorFlow);
   ``make hinge`` runs twice: cold (empty caches) and warm (the measure with the goal).
2. The warm hinge run's ``durations_s.plots`` / its ``durations_s.total`` (run.json).
3. ``make compare_hinge`` wall (100 runs) / the warm ``make hinge`` wall: the sweep's first run
   (it compiles its two groups' programs), then its second (programs from the caches).
4. Hinge fit seconds (run.json; cold: tracing and compiling, cached: programs from the program
   and compilation caches) / the compiled floor (compile + run of the same 3,600 steps as one
   bare scan, benchmarks/compiled_floor.py, in its own process with no cache).
5. MNIST fit throughput over every epoch, the first included / numpy matmul ceiling of the
   same shapes (benchmarks/mnist_throughput.py; its caches warm from an earlier run in this
   benchmark, as a user's second run has them).
6. The lab (benchmarks/lab_speed.py): in a warm lab, through its HTTP API, a changed loss on
   the hinge recipe from its POST to its first and its last epoch's event, and a new model
   shape (a new compile); seconds, so each is given against 1 s.

Every command runs as a user would run it, in its own process, on the default backend, with
the JAX compilation cache and the program cache in a scratch folder. It asserts nothing: the
machines are shared and noisy, so read the ratios (and rerun). ``--write-docs`` writes the
measured table into docs/speed.md (between its benchmark markers), the one place the project's
measured speed is written; ``--suite`` also times the fast test suite as ``make test`` runs it
(two pytest-xdist workers, minutes) and counts its tests.

    .venv/bin/python benchmarks/fast_path.py [--skip-sweep] [--suite] [--write-docs]
    make benchmark [SKIP_SWEEP=1] [SUITE=1] [WRITE_DOCS=1]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "speed.md"
TABLE_START, TABLE_END = "<!-- benchmark table -->", "<!-- end benchmark table -->"


@dataclass
class Row:
    """One measure: value / baseline, with its goal (``<= x`` or ``>= x``; None: no goal)."""

    name: str
    value: float
    baseline: float
    goal: tuple[str, float] | None = None
    unit: str = "s"

    @property
    def ratio(self) -> float:
        return self.value / self.baseline

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""
        sign, target = self.goal
        met = self.ratio <= target if sign == "<=" else self.ratio >= target
        return "met" if met else "missed"

    @property
    def goal_text(self) -> str:
        return "" if self.goal is None else f"{self.goal[0]} {self.goal[1]}"


def timed(command: list[str], environment: dict[str, str]) -> tuple[float, str]:
    """Wall seconds and standard output of ``command`` (which must succeed)."""
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **environment}
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"benchmark: {' '.join(command)} failed:\n{completed.stderr[-2000:]}")
    return wall, completed.stdout


def run_record(output: str) -> dict:
    """The run.json of the run whose folder is the last line of ``output``."""
    return json.loads((Path(output.strip().splitlines()[-1]) / "run.json").read_text())


def measure(skip_sweep: bool, suite: bool) -> tuple[list[Row], Path]:
    python = sys.executable
    scratch = Path(tempfile.mkdtemp(prefix="benchmark-"))
    environment = {
        "JAX_COMPILATION_CACHE_DIR": str(scratch / "jax-cache"),
        "RECIPES_PROGRAM_CACHE_DIR": str(scratch / "programs"),
    }
    os.environ.pop("KERAS_BACKEND", None)
    run_hinge = [python, "-m", "recipes", "run", "hinge", "--output-root", str(scratch)]
    tutorial_s, _ = timed([python, "benchmarks/tutorials/hinge.py"], environment)
    cold_s, cold_output = timed(run_hinge, environment)
    hinge_s, output = timed(run_hinge, environment)
    cold, warm = run_record(cold_output), run_record(output)
    durations = warm["durations_s"]
    rows = [
        Row("`make hinge`, caches empty / the tutorial's script (TensorFlow)", cold_s, tutorial_s),
        Row("`make hinge` / the tutorial's script", hinge_s, tutorial_s, ("<=", 0.20)),
        Row(
            "warm hinge run: `durations_s.plots` / `durations_s.total`",
            durations["plots"],
            durations["total"],
            ("<=", 0.15),
        ),
    ]
    if not skip_sweep:
        command = [python, "-m", "recipes", "sweep", "compare_hinge", "--output-root"]
        sweep_s, _ = timed([*command, str(scratch)], environment)
        warm_sweep_s, _ = timed([*command, str(scratch)], environment)
        rows += [
            Row("`make compare_hinge` (100 runs) / `make hinge`", sweep_s, hinge_s, ("<=", 4)),
            # its second run, with its two groups' programs in the caches, as the hinge's is
            Row(
                "`make compare_hinge` again, programs cached / `make hinge`", warm_sweep_s, hinge_s
            ),
        ]
    # the floor compiles: no persistent cache in its process
    _, floor_output = timed(
        [python, "benchmarks/compiled_floor.py"], {"JAX_COMPILATION_CACHE_DIR": ""}
    )
    floor_s = float(re.search(r"floor_s=([\d.]+)", floor_output)[1])
    rows.append(
        Row(
            "hinge fit, compiling / compiled floor (compile + run)",
            cold["durations_s"]["fit"],
            floor_s,
        )
    )
    cached_fit = durations["fit"]
    rows.append(
        Row(
            "hinge fit, programs from the caches / compiled floor", cached_fit, floor_s, ("<=", 0.6)
        )
    )
    mnist = [python, "benchmarks/mnist_throughput.py"]
    timed(mnist, environment)  # the first: fills the caches, as a user's first run would
    _, mnist_output = timed(mnist, environment)
    fields = dict(re.findall(r"(\w+)=([\w./]+)", mnist_output))
    rows.append(
        Row(
            "MNIST fit throughput, first epoch included / numpy matmul ceiling",
            float(fields["fit_gflops"]),
            float(fields["ceiling_gflops"]),
            (">=", 0.9),
            unit="GFLOP/s",
        )
    )
    rows += lab_rows(python, environment)
    if suite:  # make test's command
        command = [python, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile"]
        suite_s, suite_output = timed(command, {})
        passed = re.search(r"(\d+) passed", suite_output)
        name = f"fast test suite (`make test`, {passed[1] if passed else '?'} tests), minutes"
        rows.append(Row(name, suite_s / 60, 1.0, unit="min"))
    return rows, scratch


def lab_rows(python: str, environment: dict[str, str]) -> list[Row]:
    """The lab's measures (benchmarks/lab_speed.py): seconds, against 1 s, with the goals."""
    _, output = timed([python, "-m", "benchmarks.lab_speed"], environment)
    fields = {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", output)}
    second = 1.0
    change = "lab: hinge -> squared_hinge, POST to"
    shape = "lab: a new model shape (compiles), POST to"
    return [
        Row(f"{change} first epoch event / 1 s", fields["change_first_s"], second, ("<=", 0.5)),
        Row(f"{change} last epoch event / 1 s", fields["change_last_s"], second, ("<=", 1.5)),
        Row(f"{shape} first epoch event / 1 s", fields["shape_first_s"], second),
        Row(f"{shape} last epoch event / 1 s", fields["shape_last_s"], second),
    ]


def table(rows: list[Row]) -> str:
    """The measured table as Markdown."""
    lines = ["| measure | value | baseline | ratio | goal | |", "|---|---|---|---|---|---|"]
    for row in rows:
        value, baseline = (f"{row.value:.2f} {row.unit}", f"{row.baseline:.2f} {row.unit}")
        ratio = f"**{row.ratio:.3f}**" if row.goal else f"{row.ratio:.3f}"
        lines.append(
            f"| {row.name} | {value} | {baseline} | {ratio} | {row.goal_text} | {row.verdict} |"
        )
    return "\n".join(lines)


def write_docs(rows: list[Row], path: Path = DOCS) -> None:
    """Replace the table between the benchmark markers of docs/speed.md (the prose stays)."""
    text = path.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        sys.exit(f"benchmark: {path} has no {TABLE_START} ... {TABLE_END} markers")
    before, rest = text.split(TABLE_START, 1)
    after = rest.split(TABLE_END, 1)[1]
    stamp = f"Measured by `make benchmark` on {datetime.date.today().isoformat()}:"
    path.write_text(f"{before}{TABLE_START}\n{stamp}\n\n{table(rows)}\n{TABLE_END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-sweep", action="store_true", help="leave out compare_hinge")
    parser.add_argument("--suite", action="store_true", help="also time the fast test suite")
    parser.add_argument(
        "--write-docs", action="store_true", help="write the table into docs/speed.md"
    )
    arguments = parser.parse_args()
    rows, scratch = measure(arguments.skip_sweep, arguments.suite)
    print(f"{'measure':68} {'value':>9} {'baseline':>9} {'ratio':>7} {'goal':>7}")
    for row in rows:
        print(
            f"{row.name:68} {row.value:9.2f} {row.baseline:9.2f} {row.ratio:7.3f} "
            f"{row.goal_text:>7} {row.verdict}"
        )
    print(f"(seconds, except MNIST in GFLOP/s; outputs in {scratch})")
    if arguments.write_docs:
        write_docs(rows)
        print(f"wrote the table into {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
