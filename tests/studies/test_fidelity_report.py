"""The fidelity report's machinery on fabricated sweep folders and tutorial JSON lines: every
number in its table comes from the runs (medians, ranges, reach and stuck counts, verdicts),
and it writes its figures. No training: a few seconds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from recipes.studies.fidelity.execute import JobResult
from recipes.studies.fidelity.plan import KERAS, ORIGINAL, SEMANTICS, Job, Settings
from recipes.studies.fidelity.published import MNIST_LOSSES
from recipes.studies.fidelity.report import write_report

SEEDS = [0, 1, 2]
# hinge test accuracy per seed: seed 1 collapses in the recipe, none in the tutorial's code
HINGE_RECIPE = [1.0, 0.484, 1.0]
HINGE_ORIGINAL = [1.0, 1.0, 0.996]
FOCAL = {KERAS: [0.976, 0.77, 0.9819], SEMANTICS: [0.95, 0.975, 0.97]}
FOCAL_ORIGINAL = [0.9754, 0.7628, 0.98]


def fabricate_sweep(folder: Path, runs: list[tuple[dict, dict]]) -> Path:
    """A sweep folder as `recipes sweep` leaves it: sweep.json + one run folder per point."""
    folder.mkdir(parents=True)
    records = []
    for index, (labels, metrics) in enumerate(runs, start=1):
        run_folder = folder / f"run-{index}"
        run_folder.mkdir()
        (run_folder / "metrics.json").write_text(json.dumps(metrics))
        record = {"status": "completed", "metrics": metrics}  # run.json holds them too
        (run_folder / "run.json").write_text(json.dumps(record))
        values = {k: (int(v) if k == "seed" else v) for k, v in labels.items()}
        records.append(
            {
                "run": index,
                "values": values,
                "labels": labels,
                "status": "completed",
                "run_folder": str(run_folder),
            }
        )
    records.append(
        {
            "run": 99,
            "values": {"seed": 7},
            "labels": {"seed": "7"},
            "status": "failed",
            "run_folder": "",
        }
    )  # a failed run counts for nothing
    record = {"status": "completed", "recipe": "hinge", "grid": [], "runs": records}
    (folder / "sweep.json").write_text(json.dumps(record))
    return folder


def job(tutorial: str, source: str) -> Job:
    return Job(tutorial, source, f"{tutorial} {source}", ["true"])


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fidelity")
    hinge_runs = [
        ({"loss": loss, "seed": str(s)}, {"test_accuracy": a, "test_loss": 0.5 - a / 2})
        for loss in ("hinge", "squared_hinge")
        for s, a in zip(SEEDS, HINGE_RECIPE, strict=True)
    ]
    results = [JobResult(job("hinge", KERAS), 1.0, 0, fabricate_sweep(root / "hinge", hinge_runs))]
    results.append(
        JobResult(
            job("hinge", ORIGINAL),
            1.0,
            0,
            records=[
                {
                    "tutorial": "hinge",
                    "loss": "hinge",
                    "seed": s,
                    "test_accuracy": a,
                    "test_loss": 1e-4,
                }
                for s, a in zip(SEEDS, HINGE_ORIGINAL, strict=True)
            ],
        )
    )
    for source, values in FOCAL.items():
        runs = [
            ({"seed": str(s)}, {"final_val_auc": v}) for s, v in zip(SEEDS, values, strict=True)
        ]
        folder = fabricate_sweep(root / f"focal-{source[-5:]}", runs)
        results.append(JobResult(job("focal_rings", source), 1.0, 0, folder))
    results.append(
        JobResult(
            job("focal_rings", ORIGINAL),
            1.0,
            0,
            records=[
                {"tutorial": "focal_rings", "seed": s, "val_auc": v}
                for s, v in zip(SEEDS, FOCAL_ORIGINAL, strict=True)
            ],
        )
    )
    mnist_runs = [
        ({"loss": label, "seed": str(s)}, {"final_categorical_accuracy": 0.5 + 0.1 * s})
        for label in MNIST_LOSSES
        for s in SEEDS[:2]
    ]
    results.append(
        JobResult(job("mnist", KERAS), 1.0, 0, fabricate_sweep(root / "mnist", mnist_runs))
    )
    folder = root / "report"
    folder.mkdir()
    settings = Settings(seeds=3, mnist_seeds=2, quick=True)
    write_report(folder, settings, results, 12.0, "make fidelity (fabricated)")
    return folder


def numbers(report: Path) -> dict[tuple[str, str], dict[str, str]]:
    with open(report / "numbers.csv", encoding="utf-8") as handle:
        return {(r["published_number"], r["source"]): r for r in csv.DictReader(handle)}


def test_distributions_come_from_the_runs(report):
    table = numbers(report)
    hinge = table[("hinge: test accuracy", KERAS)]
    assert int(hinge["seeds"]) == 3  # the failed run is not a seed
    assert float(hinge["median"]) == pytest.approx(np.median(HINGE_RECIPE))
    assert float(hinge["min"]) == pytest.approx(0.484)
    assert (int(hinge["reach"]), int(hinge["stuck"])) == (2, 1)
    original = table[("hinge: test accuracy", ORIGINAL)]
    assert float(original["median"]) == pytest.approx(np.median(HINGE_ORIGINAL))
    assert (int(original["reach"]), int(original["stuck"])) == (2, 0)  # 0.996 rounds below 1.000
    focal = table[("focal + L1/L2: validation AUC (last epoch)", KERAS)]
    assert float(focal["q1"]) == pytest.approx(np.percentile(FOCAL[KERAS], 25))
    assert (int(focal["reach"]), int(focal["near"]), int(focal["stuck"])) == (1, 2, 1)
    mnist = table[("KL divergence: train accuracy", KERAS)]
    assert (int(mnist["seeds"]), float(mnist["median"])) == (2, pytest.approx(0.55))
    assert int(table[("KL divergence: train accuracy", ORIGINAL)]["seeds"]) == 0  # not run


def test_verdicts_compare_with_the_original_code(report):
    table = numbers(report)
    assert table[("focal + L1/L2: validation AUC (last epoch)", ORIGINAL)]["verdict"] == (
        "within the original's spread"
    )
    # the recipe's hinge median (1.0) lies within the original's 0.996..1.0
    assert table[("hinge: test accuracy", ORIGINAL)]["verdict"] == "within the original's spread"
    # the test loss: recipe 0.0 / 0.258 against an original of exactly 1e-4: outside
    assert table[("hinge: test loss", ORIGINAL)]["verdict"] == "not within"
    assert table[("MSE: train accuracy", ORIGINAL)]["verdict"] == "original code not run"


def test_every_seed_is_auditable_and_the_report_is_written(report):
    with open(report / "samples.csv", encoding="utf-8") as handle:
        samples = list(csv.DictReader(handle))
    focal = [s for s in samples if s["tutorial"] == "focal_rings" and s["source"] == KERAS]
    assert sorted(float(s["value"]) for s in focal) == sorted(FOCAL[KERAS])
    assert all(Path(s["origin"], "metrics.json").is_file() for s in focal)
    text = (report / "report.md").read_text(encoding="utf-8")
    assert "| hinge: test accuracy | 1.0000 | recipe, Keras-correct | 3 | 1.0000 |" in text
    assert "Phi(3/sqrt(2))" in text and "not reproducible offline" in text
    for figure in ("hinge.png", "focal_rings.png", "mnist.png"):
        assert (report / figure).stat().st_size > 10_000
    data = json.loads((report / "report.json").read_text())
    assert data["bayes"]["limit"]["closed_form"] == pytest.approx(0.98305, abs=1e-5)


def test_a_report_is_redrawn_from_the_jobs_it_kept(tmp_path):
    from recipes.studies.fidelity.execute import JOB_RESULTS, results_from_record

    records = [{"tutorial": "focal_rings", "seed": s, "val_auc": 0.9} for s in (0, 1)]
    kept = [
        JobResult(job("focal_rings", ORIGINAL), 3.5, 0, records=records),
        JobResult(job("focal_rings", KERAS), 2.0, 1, Path("/some/sweep")),
    ]
    (tmp_path / "jobs.json").write_bytes(JOB_RESULTS.dump_json(kept))
    script, sweep = results_from_record(tmp_path)
    assert [r["seed"] for r in script.records] == [0, 1] and script.wall_s == 3.5
    assert script.job == kept[0].job and script.job.command == ["true"]
    assert sweep.sweep_folder == Path("/some/sweep") and sweep.records == []
    assert sweep.exit_status == 1
