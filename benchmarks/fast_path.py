"""``make benchmark``: the speed goals as ratios, each against a baseline measured in this run.

1. ``make hinge`` wall / the tutorial's script wall (benchmarks/tutorials/hinge.py, TensorFlow);
   ``make hinge`` is timed twice: cold (empty JAX compilation cache) and warm.
2. hinge fit seconds (run.json; cold: compiling, warm: programs from the cache) / the compiled
   floor (compile + run of the same 3,600 steps as one bare scan, benchmarks/compiled_floor.py).
3. ``make compare_hinge`` wall (100 runs) / the warm ``make hinge`` wall.
4. MNIST fit throughput / numpy matmul ceiling of the same shapes (benchmarks/mnist_throughput.py).

Every command runs as a user would run it, in its own process, on the default backend. The
script asserts nothing: the machines are shared and noisy, so read the ratios (and rerun).

    .venv/bin/python benchmarks/fast_path.py [--skip-sweep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"hinge_vs_tutorial": 0.25, "fit_vs_floor": 1.2, "sweep_vs_hinge": 2.0, "mnist": 0.60}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-sweep", action="store_true", help="leave out compare_hinge")
    arguments = parser.parse_args()
    python = sys.executable
    scratch = Path(tempfile.mkdtemp(prefix="benchmark-"))
    environment = {"JAX_COMPILATION_CACHE_DIR": str(scratch / "jax-cache")}
    environment.pop("KERAS_BACKEND", None)
    os.environ.pop("KERAS_BACKEND", None)
    run_hinge = [python, "-m", "recipes", "run", "hinge", "--output-root", str(scratch)]
    rows = []

    tutorial_s, _ = timed([python, "benchmarks/tutorials/hinge.py"], environment)
    cold_s, cold_output = timed(run_hinge, environment)
    hinge_s, output = timed(run_hinge, environment)
    cold = json.loads((Path(cold_output.strip().splitlines()[-1]) / "run.json").read_text())
    record = json.loads((Path(output.strip().splitlines()[-1]) / "run.json").read_text())
    rows.append(("make hinge (cold cache) / tutorial script", cold_s, tutorial_s, None))
    rows.append(("make hinge / tutorial script", hinge_s, tutorial_s, "hinge_vs_tutorial"))

    _, floor_output = timed([python, "benchmarks/compiled_floor.py"], {})
    floor_s = float(re.search(r"floor_s=([\d.]+)", floor_output)[1])
    for label, run in (("compiling", cold), ("cached", record)):
        name = f"hinge fit ({run['backend']}, {label}) / compiled floor"
        rows.append((name, run["durations_s"]["fit"], floor_s, "fit_vs_floor"))

    if not arguments.skip_sweep:
        sweep_s, _ = timed(
            [python, "-m", "recipes", "sweep", "compare_hinge", "--output-root", str(scratch)],
            environment,
        )
        rows.append(
            ("make compare_hinge (100 runs) / make hinge", sweep_s, hinge_s, "sweep_vs_hinge")
        )

    _, mnist_output = timed([python, "benchmarks/mnist_throughput.py"], environment)
    fields = dict(re.findall(r"(\w+)=([\w./]+)", mnist_output))
    rows.append(
        (
            f"MNIST fit GFLOP/s ({fields['trainer']}) / matmul ceiling",
            float(fields["fit_gflops"]),
            float(fields["ceiling_gflops"]),
            "mnist",
        )
    )
    print(f"{'measure':52} {'value':>9} {'baseline':>9} {'ratio':>7} {'goal':>7}")
    for name, value, baseline, goal in rows:
        target = "" if goal is None else ("<= " if goal != "mnist" else ">= ") + str(GOALS[goal])
        print(f"{name:52} {value:9.2f} {baseline:9.2f} {value / baseline:7.3f} {target:>7}")
    print(f"(seconds, except MNIST in GFLOP/s; outputs in {scratch})")


if __name__ == "__main__":
    main()
