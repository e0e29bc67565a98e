"""The hinge vs squared hinge comparison (a sweep over loss and seed), shrunken."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
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
        "boundaries_and_forces.png",
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
    assert "(boundaries_and_forces.png)" in report  # the sweep's side by side, first seed


def test_vectorized_points_have_the_records_of_a_run_alone(sweep_folder, shrunk_run):
    """compare_hinge trains its seeds as one program (sweep.executor: vectorized); its
    hinge seed-0 run folder must match the shrunk hinge recipe run on its own (same JAX
    backend, same shrunk config): the same records and recording, its figures pending."""
    sweep = json.loads((sweep_folder / "sweep.json").read_text())
    [point] = [r for r in sweep["runs"] if r["values"] == {"loss": "hinge", "seed": 0}]
    together = Path(point["run_folder"])
    assert json.loads((together / "run.json").read_text())["trained_together"]["runs"] == 2
    result, root = shrunk_run("hinge")
    assert result.returncode == 0, result.stderr[-3000:]
    [alone] = (root / "hinge").iterdir()
    drawn = set(json.loads((alone / "run.json").read_text())["figures"]["files"])
    assert {p.name for p in together.iterdir()} == {p.name for p in alone.iterdir()} - drawn
    figures = json.loads((together / "run.json").read_text())["figures"]
    assert figures["status"] == "pending" and figures["command"][-1] == str(together)
    metrics_together = json.loads((together / "metrics.json").read_text())
    metrics_alone = json.loads((alone / "metrics.json").read_text())
    assert metrics_together.keys() == metrics_alone.keys()
    for key, value in metrics_alone.items():
        assert metrics_together[key] == pytest.approx(value, rel=1e-5, abs=1e-7), key
    from recipes.recording import Recording
    from recipes.records import RECORDING_FILE

    recorded = Recording.load(together / RECORDING_FILE), Recording.load(alone / RECORDING_FILE)
    np.testing.assert_array_equal(recorded[0].epochs, recorded[1].epochs)
    for name in ("grid_scores", "point_scores", "point_forces"):
        np.testing.assert_allclose(
            getattr(recorded[0], name), getattr(recorded[1], name), rtol=1e-4, atol=1e-6
        )


@pytest.mark.parametrize(
    ("squared_area", "expected"),
    [(0.40, "the squared hinge boundary is tighter"), (0.66, "no evidence")],
)
def test_the_verdict_tests_the_difference_of_the_mean_areas(squared_area, expected):
    from recipes.studies.hinge_report import verdict_lines

    def statistics(loss, area):
        """A row of seed_summary.csv: 45 of 50 runs converged, areas ``area`` ± 0.15."""
        return {
            "loss": loss,
            "runs": 50,
            "converged_runs": 45,
            "test_accuracy_mean": 1.0,
            "test_accuracy_std": 0.0,
            "positive_area_mean": area,
            "positive_area_std": 0.15,
        }

    text = verdict_lines(
        {
            "hinge": statistics("hinge", 0.65),
            "squared_hinge": statistics("squared_hinge", squared_area),
        }
    )[0]
    assert expected in text and "Welch's t-test p = " in text
