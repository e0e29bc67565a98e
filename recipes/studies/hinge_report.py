"""seed_summary.csv and report.md of the hinge vs squared hinge study: mean and spread over
seeds per loss, and what the numbers say about "squared hinge draws a tighter boundary"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from recipes.files import atomic_write_text, markdown_table, markdown_text, write_csv
from recipes.report.comparison import group_rows
from recipes.status import RunStatus
from recipes.studies.side_by_side import FIGURE as SIDE_BY_SIDE_FIGURE
from recipes.sweeps.records import RunResult, SweepResults

CONVERGED_ACCURACY = 0.99  # test accuracy of a run that separates the circles
# the measures of a loss's runs (metrics.json keys, and the area), each a mean and a std
MEASURES = ["test_accuracy", "test_loss", "final_val_loss", "positive_area"]
SUMMARY_HEADER = ["loss", "runs", "converged_runs"]
SUMMARY_HEADER += [f"{measure}_{part}" for measure in MEASURES for part in ("mean", "std")]
TABLE_HEADER = [
    "loss",
    "runs",
    "converged (test acc >= 99%)",
    "test accuracy",
    "test loss",
    "final validation loss",
    "area classified +1 (converged runs)",
]


def separates(result: RunResult) -> bool:
    """Whether a run separates the circles (test accuracy >= CONVERGED_ACCURACY)."""
    return result.metrics.get("test_accuracy", 0.0) >= CONVERGED_ACCURACY


def converged(results: Sequence[RunResult]) -> list[RunResult]:
    """The runs that separate the circles."""
    return [result for result in results if separates(result)]


def loss_statistics(
    by_loss: Mapping[str, Sequence[RunResult]], areas: Mapping[str, Sequence[float]]
) -> dict[str, dict[str, Any]]:
    """Each loss's row of seed_summary.csv (SUMMARY_HEADER): its runs, converged runs and the
    mean and std of each measure, grouped as a sweep's comparison groups its runs
    (:func:`recipes.report.comparison.group_rows`); ``areas`` holds one area classified +1 per
    run, in order."""
    rows = []
    for loss, results in by_loss.items():
        for area, result in zip(areas.get(loss, []), results, strict=True):
            row = {key: result.metrics.get(key) for key in MEASURES[:-1]}
            # A collapsed model (one class everywhere) has no boundary to be tight or loose:
            # the area compares only runs that separate the circles.
            row["positive_area"] = area if separates(result) else None
            rows.append({"loss": loss, "status": RunStatus.COMPLETED, **row})
    _, groups = group_rows(rows, ["loss"], MEASURES)
    for group in groups:
        group["converged_runs"] = len(converged(by_loss[group["loss"]]))
    return {group["loss"]: group for group in groups}


def _cell(stats: Mapping[str, Any], measure: str, digits: int = 4, percent: bool = False) -> str:
    """``mean ± std`` of a measure for a table cell."""
    mean, std = stats[f"{measure}_mean"], stats[f"{measure}_std"]
    if percent:
        return f"{mean:.1%} ± {std:.1%}"
    return f"{mean:.{digits}g} ± {std:.{digits}g}"


def _table_row(stats: Mapping[str, Any]) -> list[object]:
    return [
        stats["loss"],
        stats["runs"],
        stats["converged_runs"],
        _cell(stats, "test_accuracy", percent=True),
        _cell(stats, "test_loss"),
        _cell(stats, "final_val_loss"),
        _cell(stats, "positive_area", 3),
    ]


def verdict_lines(stats: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The "What the numbers show" paragraphs: is the squared hinge boundary tighter?"""
    if not {"hinge", "squared_hinge"} <= set(stats):
        return ["Both losses need completed runs for a comparison."]
    hinge, squared = stats["hinge"], stats["squared_hinge"]
    ha, hs = hinge["test_accuracy_mean"], hinge["test_accuracy_std"]
    sa, ss = squared["test_accuracy_mean"], squared["test_accuracy_std"]
    return [
        _area_verdict(hinge, squared),
        "",
        f"Runs that did not separate the circles (test accuracy below 99%, typically the "
        f"4-2-1 network collapsing to one class): hinge {_failed(hinge)} of {hinge['runs']}, "
        f"squared hinge {_failed(squared)} of {squared['runs']}; "
        "they are left out of the area and included in the accuracy.",
        "",
        f"Test accuracy: hinge {ha:.1%} ± {hs:.1%}, squared hinge {sa:.1%} ± {ss:.1%} (the "
        "tutorial reports 100% for both).",
    ]


def _failed(stats: Mapping[str, Any]) -> int:
    return stats["runs"] - stats["converged_runs"]


def _area_verdict(hinge: Mapping[str, Any], squared: Mapping[str, Any]) -> str:
    """Whether the mean areas differ (Welch's t-test over the converged seeds, 5% level),
    and which way."""
    from scipy import stats

    h_mean, h_std = hinge["positive_area_mean"], hinge["positive_area_std"]
    s_mean, s_std = squared["positive_area_mean"], squared["positive_area_std"]
    h_runs, s_runs = hinge["converged_runs"], squared["converged_runs"]
    difference = s_mean - h_mean
    seeds = f"{h_runs} + {s_runs} converged runs"
    if min(h_runs, s_runs) < 2:
        return f"Too few converged runs ({seeds}) to compare the areas; add seeds."
    p_value = float(
        stats.ttest_ind_from_stats(
            s_mean, s_std, s_runs, h_mean, h_std, h_runs, equal_var=False
        ).pvalue
    )
    measured = (
        f"The area classified +1 is {s_mean:.3f} ± {s_std:.3f} with squared hinge and "
        f"{h_mean:.3f} ± {h_std:.3f} with hinge over {seeds} (difference {difference:+.3f}, "
        f"Welch's t-test p = {p_value:.2g})"
    )
    if p_value < 0.05:
        return measured + (
            ": the squared hinge boundary is tighter, as the tutorial says it looks."
            if difference < 0
            else ": the squared hinge boundary is looser, not tighter, in this measure."
        )
    return measured + (
        ": these runs give no evidence that one boundary is tighter than the other "
        "(more seeds would detect a smaller difference)."
    )


def report_text(
    sweep: SweepResults, stats: Mapping[str, Mapping[str, Any]], with_evolution: bool = False
) -> str:
    """report.md: the table, the area per seed, how to read them, the verdict and the
    figures (the boundaries as they train when ``with_evolution``)."""
    completed = sum(s["runs"] for s in stats.values())
    table = markdown_table(TABLE_HEADER, [_table_row(s) for s in stats.values()])
    lines = [
        f"# Hinge vs squared hinge ({markdown_text(sweep.recipe)})",
        "",
        f"Sweep folder: `{sweep.folder.name}`; {completed} completed "
        f"runs out of {len(sweep.runs)}. Same data, model and schedule as the hinge tutorial; "
        "mean ± standard deviation over seeds.",
        "",
        table.rstrip("\n"),
        "",
        "![area classified +1, one point per seed](tightness_per_seed.png)",
        "",
        "The two losses' values are on different scales (squared hinge squares each margin "
        "violation below 1), so compare their loss curves by shape, not height.",
        "",
        "*Area classified +1*: the area of the plotted square (the test points' and a tenth more "
        "on each side) the model assigns to the inner circle "
        "(radius 0.1). A boundary hugging the inner circle encloses about 0.03; a "
        "maximum-margin circle halfway to the outer ring (radius 0.55) about 0.95.",
        "",
        "## What the numbers show",
        "",
        *verdict_lines(stats),
        "",
        f"![decision boundaries above, forces below]({SIDE_BY_SIDE_FIGURE})",
        "",
        "![loss curves](loss_curves.png)",
        "",
    ]
    if with_evolution:
        lines += [
            "## How each boundary forms",
            "",
            "Same seed, same epochs, one row per loss: the class regions, the score contours "
            "at 0 and at the margins, a red ring around every misclassified test point and the "
            "band between the margins hatched: a point in it still costs loss. Squared hinge "
            "squares each margin violation, so a point just inside the margin (score 0.98) costs "
            "0.0004 instead of hinge's 0.02: watch how long its points stay in the band while "
            "the loss is already tiny, and how hinge keeps pushing each point until it clears "
            "the margin.",
            "",
            "![boundaries as they train](training_evolution.png)",
            "",
        ]
    return "\n".join(lines)


def write_hinge_report(
    sweep: SweepResults,
    by_loss: Mapping[str, Sequence[RunResult]],
    areas: Mapping[str, Sequence[float]],
    with_evolution: bool = False,
) -> Path:
    """Write seed_summary.csv and report.md into the sweep folder; returns report.md's path."""
    stats = loss_statistics(by_loss, areas)
    rows = [[s[column] for column in SUMMARY_HEADER] for s in stats.values()]
    write_csv(sweep.folder / "seed_summary.csv", SUMMARY_HEADER, rows)
    path = sweep.folder / "report.md"
    atomic_write_text(path, report_text(sweep, stats, with_evolution))
    return path
