"""The lab's speed, as a learner meets it: a warm lab (started once), driven through its HTTP
API, on the hinge recipe (30 epochs of batch 5, the compiled trainer).

1. Warm-up: hinge and squared_hinge trained once each, so their programs are cached (on disk
   and in the lab's process), as they are after a learner's first clicks.
2. A changed setting: hinge, then ``loss: squared_hinge``, timed from the POST that starts it
   to its first epoch's event and to its last (goals <= 0.5 s and <= 1.5 s); the median of
   ``--repeats`` alternations.
3. A change of the model's shape (``model.hidden_units: [8, 4]``, not trained before: new
   programs traced and compiled), to its first and last epoch's events.

Prints ``key=value`` fields (seconds), read by benchmarks/fast_path.py (``make benchmark``).

    .venv/bin/python -m benchmarks.lab_speed [--repeats 5]   # from the project's folder
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.live.lab_client import LabClient, start_lab


def timed_run(lab: LabClient, overrides: dict[str, Any]) -> tuple[float, float]:
    """Seconds from the POST to the run's first epoch event and to its last (a run that does
    not complete ends the benchmark)."""
    started = time.perf_counter()
    run = lab.post("/api/runs", {"recipe": "hinge", "overrides": overrides})
    first = last = float("nan")
    for name, data in lab.events(run["id"]):
        if name == "epoch":
            last = time.perf_counter() - started
            first = last if data["epoch"] == 1 else first
        elif name == "end" and data["status"] != "completed":
            raise SystemExit(f"lab_speed: the run ended {data['status']}: {data.get('reason')}")
    return first, last


def measure(repeats: int, output_root: Path) -> dict[str, float]:
    with start_lab(["hinge"], output_root) as lab:
        for loss in ("hinge", "squared_hinge"):  # their programs cached
            timed_run(lab, {"loss": loss})
        firsts, lasts = [], []
        for _ in range(repeats):
            timed_run(lab, {"loss": "hinge"})
            first, last = timed_run(lab, {"loss": "squared_hinge"})
            firsts.append(first)
            lasts.append(last)
        shape_first, shape_last = timed_run(lab, {"model.hidden_units": [8, 4]})
    return {
        "change_first_s": statistics.median(firsts),
        "change_last_s": statistics.median(lasts),
        "shape_first_s": shape_first,
        "shape_last_s": shape_last,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lab-speed-") as scratch:
        fields = measure(arguments.repeats, Path(scratch))
    print(" ".join(f"{key}={value:.3f}" for key, value in fields.items()))


if __name__ == "__main__":
    main()
