"""A sweep's comparison (recipes.report.comparison) keeps its grid labels as the user wrote
them: drawn as written in its figures, literal text in comparison.md, no formula in the CSV."""

from __future__ import annotations

import csv
import io

from recipes.report.comparison import ComparisonSpec, write_comparison
from recipes.sweeps.driver import run_sweep
from recipes.sweeps.records import load_sweep

LABELS = {"hinge": "=cost $x_$ | *a*", "squared_hinge": "_squared $US$\nhinge"}


def test_a_sweep_report_with_hostile_grid_labels(stand_in_runs, tmp_path):
    sweep = run_sweep(
        "hinge",
        {"loss": ["hinge", "squared_hinge"], "seed": [0]},
        output_root=tmp_path,
        progress=io.StringIO(),
    )
    reloaded = load_sweep(sweep.folder)
    for result in reloaded.runs:  # labels as a user's grid could give them
        result.point.labels["loss"] = LABELS[result.point.labels["loss"]]
    spec = ComparisonSpec(metric="sign_accuracy", title="my $recipe_$")
    written = write_comparison(reloaded, spec)
    assert {path.name for path in written} == {
        "comparison.csv",
        "comparison.md",
        "accuracy.png",
        "curves.png",
    }
    table = (sweep.folder / "comparison.md").read_text(encoding="utf-8")
    assert table.startswith("# my \\$recipe\\_\\$: comparison over loss, seed\n")
    assert "| =cost \\$x\\_\\$ \\| \\*a\\* | 0 |" in table
    assert "| \\_squared \\$US\\$ hinge | 0 |" in table
    with open(sweep.folder / "comparison.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["loss"] for row in rows] == ["'=cost $x_$ | *a*", "_squared $US$\nhinge"]
    assert float(rows[0]["test_accuracy"]) > 0  # numbers stay numbers
