"""The executor interface: a sweep hands its points to the executor its config names, and the
grid, the records and the report do not change with it."""

from __future__ import annotations

import io
import json

from recipes.plugins import EXECUTORS
from recipes.registry import Entry
from recipes.status import RunStatus
from recipes.sweeps.driver import run_sweep


class InlineExecutor:
    """A stand-in executor: fills each result in this process, without Keras."""

    runs: list[str] = []

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def run(self, sweep, progress) -> None:
        for result in sweep.runs:
            progress.started(result)
            folder = sweep.output_root / sweep.recipe / f"point-{result.point.index}"
            folder.mkdir(parents=True)
            seed = result.point.values["seed"]
            history = f"epoch,loss,val_sign_accuracy\n1,{1 + seed},{0.4 + seed / 10}\n"
            (folder / "history.csv").write_text(history)
            result.run_folder = str(folder)
            result.metrics = {"test_sign_accuracy": 0.5 + seed / 10, "final_loss": 1.0 + seed}
            result.durations = {"fit": 0.1}
            result.wall_s = 0.2
            result.status = RunStatus.COMPLETED
            InlineExecutor.runs.append(result.point.label)
            progress.done(result)


def test_a_sweep_runs_on_the_executor_its_config_names(monkeypatch, tmp_path):
    monkeypatch.setitem(EXECUTORS._entries, "inline", Entry("inline", InlineExecutor))
    InlineExecutor.runs = []
    progress = io.StringIO()
    sweep = run_sweep(
        "hinge",
        {"seed": [0, 1, 2]},
        ["sweep.executor=inline", "sweep.jobs=3"],
        output_root=tmp_path,
        progress=progress,
    )
    assert InlineExecutor.runs == ["seed=0", "seed=1", "seed=2"]
    assert "3 runs over seed (3), 3 at a time (inline)" in progress.getvalue()
    assert "[3/3] seed=2: completed in 0.2 s (fit 0.1 s), test_sign_accuracy 0.7000" in (
        progress.getvalue()
    )
    record = json.loads((sweep.folder / "sweep.json").read_text(encoding="utf-8"))
    assert record["executor"] == "inline" and record["status"] == "completed"
    assert record["comparison"] == ["comparison.csv", "comparison.md", "accuracy.png", "curves.png"]
    summary = (sweep.folder / "summary.md").read_text(encoding="utf-8")
    assert "3/3 runs completed" in summary
