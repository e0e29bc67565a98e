"""The ``workers`` executor: one process runs several points, each as a fresh run."""

from __future__ import annotations

import io
import json
from pathlib import Path

from conftest import run_cli, shrink_overrides

from recipes.sweep.driver import run_sweep


def test_a_reused_worker_gives_the_metrics_of_a_fresh_process(tmp_path):
    overrides = [*shrink_overrides("hinge"), "sweep.executor=workers"]
    sweep = run_sweep(
        "hinge", {"seed": [0, 1]}, overrides, "tensorflow", tmp_path / "sweep", jobs=1,
        progress=io.StringIO(),
    )  # fmt: skip
    assert [result.status for result in sweep.results] == ["completed", "completed"]
    records = [json.loads((r.run_folder / "run.json").read_text()) for r in sweep.results]
    assert records[0]["pid"] == records[1]["pid"]  # both points ran in the same process
    assert (
        (sweep.folder / "logs" / "run-1.log")
        .read_text()
        .strip()
        .endswith(str(sweep.results[0].run_folder))
    )

    fresh = run_cli(
        "run", "hinge", "--backend", "tensorflow", "--set", "seed=1",
        *(f"--set={text}" for text in shrink_overrides("hinge")),
        "--output-root", str(tmp_path / "fresh"),
    )  # fmt: skip
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    alone = Path(fresh.stdout.strip().splitlines()[-1])
    reused = sweep.results[1].run_folder
    assert json.loads((reused / "metrics.json").read_text()) == json.loads(
        (alone / "metrics.json").read_text()
    )
    assert (reused / "history.csv").read_text() == (alone / "history.csv").read_text()
