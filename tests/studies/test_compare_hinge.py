"""The hinge vs squared hinge comparison (a sweep over loss and seed), shrunken."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import shrink_grid


@pytest.fixture(scope="module")
def sweep_folder(shrunk_run) -> Path:
    """The shrunk sweep (seeds 0 and 1, 2 jobs) that tests/test_recipes.py also checks."""
    result, _ = shrunk_run("compare_hinge")
    assert "seed=0,1" in shrink_grid("compare_hinge")
    assert result.returncode in (0, 1), result.stderr[-3000:]
    return Path(result.stdout.strip().splitlines()[-1])


def test_comparison_outputs_exist(sweep_folder):
    for name in (
        "decision_boundaries.png",
        "loss_curves.png",
        "tightness_per_seed.png",
        "training_evolution.png",
        "report.md",
        "seed_summary.csv",
        "comparison.csv",
        "summary.csv",
        "sweep.json",
    ):
        assert (sweep_folder / name).stat().st_size > 0, name


def test_seed_summary_is_mean_and_spread_of_the_runs(sweep_folder):
    with open(sweep_folder / "seed_summary.csv", newline="") as stream:
        summary = {row["loss"]: row for row in csv.DictReader(stream)}
    assert set(summary) == {"hinge", "squared_hinge"}
    sweep = json.loads((sweep_folder / "sweep.json").read_text())
    runs = [run for run in sweep["runs"] if run["status"] == "completed"]
    for loss, row in summary.items():
        accuracies = [
            json.loads((Path(run["run_folder"]) / "metrics.json").read_text())["test_accuracy"]
            for run in runs
            if run["values"]["loss"] == loss
        ]
        assert int(row["runs"]) == len(accuracies) == 2
        assert float(row["test_accuracy_mean"]) == pytest.approx(sum(accuracies) / 2)


def test_report_states_what_the_numbers_show(sweep_folder):
    report = (sweep_folder / "report.md").read_text()
    assert "## What the numbers show" in report
    assert "area classified +1" in report.lower()
    assert "squared hinge" in report and "±" in report
    assert "(tightness_per_seed.png)" in report and "(training_evolution.png)" in report
