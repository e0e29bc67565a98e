"""seed_summary.csv and report.md of the hinge vs squared hinge study: mean and spread over
seeds per loss, and what the numbers say about "squared hinge draws a tighter boundary"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from recipes.files import atomic_write_text, markdown_table, markdown_text, write_csv
from recipes.report.comparison import mean_std
from recipes.sweeps.records import RunResult, SweepResults

CONVERGED_ACCURACY = 0.99  # test accuracy of a run that separates the circles
# the measures of a loss's runs, each a (mean, std) pair in seed_summary.csv
MEASURES = {
    "accuracy": "test_accuracy",
    "test_loss": "test_loss",
    "val_loss": "final_val_loss",
    "area": "positive_area",
}
SUMMARY_HEADER = ["loss", "runs", "converged_runs"]
SUMMARY_HEADER += [f"{column}_{part}" for column in MEASURES.values() for part in ("mean", "std")]
TABLE_HEADER = [
    "loss",
    "runs",
    "converged (test acc >= 99%)",
    "test accuracy",
    "test loss",
    "final validation loss",
    "area classified +1 (converged runs)",
]
MeanStd = tuple[float, float]


def converged(results: Sequence[RunResult]) -> list[RunResult]:
    """The runs that separate the circles (test accuracy >= CONVERGED_ACCURACY)."""
    return [r for r in results if r.metrics.get("test_accuracy", 0.0) >= CONVERGED_ACCURACY]


@dataclass
class LossStatistics:
    """One loss's runs over seeds: counts, and (mean, std) of each measure."""

    loss: str
    runs: int
    converged: int
    accuracy: MeanStd
    test_loss: MeanStd
    val_loss: MeanStd
    area: MeanStd  # over the converged runs only

    def csv_row(self) -> list[object]:
        pairs = [value for measure in MEASURES for value in getattr(self, measure)]
        return [self.loss, self.runs, self.converged, *pairs]

    def table_row(self) -> list[object]:
        return [
            self.loss,
            self.runs,
            self.converged,
            _cell(self.accuracy, percent=True),
            _cell(self.test_loss),
            _cell(self.val_loss),
            _cell(self.area, 3),
        ]


def loss_statistics(
    by_loss: Mapping[str, Sequence[RunResult]], areas: Mapping[str, Sequence[float]]
) -> dict[str, LossStatistics]:
    """Each loss's statistics; ``areas`` holds one area classified +1 per run, in order."""
    stats = {}
    for loss, results in by_loss.items():
        # A collapsed model (one class everywhere) has no boundary to be tight or loose: the
        # area compares only runs that separate the circles.
        separating = converged(results)
        converged_areas = [
            area
            for area, result in zip(areas.get(loss, []), results, strict=True)
            if result in separating
        ]
        stats[loss] = LossStatistics(
            loss=loss,
            runs=len(results),
            converged=len(converged_areas),
            accuracy=mean_std([r.metrics.get("test_accuracy") for r in results]),
            test_loss=mean_std([r.metrics.get("test_loss") for r in results]),
            val_loss=mean_std([r.metrics.get("final_val_loss") for r in results]),
            area=mean_std(converged_areas),
        )
    return stats


def _cell(pair: MeanStd, digits: int = 4, percent: bool = False) -> str:
    """``mean ± std`` for a table cell."""
    mean, std = pair
    if percent:
        return f"{mean:.1%} ± {std:.1%}"
    return f"{mean:.{digits}g} ± {std:.{digits}g}"


def verdict_lines(stats: Mapping[str, LossStatistics]) -> list[str]:
    """The "What the numbers show" paragraphs: is the squared hinge boundary tighter?"""
    if not {"hinge", "squared_hinge"} <= set(stats):
        return ["Both losses need completed runs for a comparison."]
    hinge, squared = stats["hinge"], stats["squared_hinge"]
    (ha, hs), (sa, ss) = hinge.accuracy, squared.accuracy
    return [
        _area_verdict(hinge, squared),
        "",
        f"Runs that did not separate the circles (test accuracy below 99%, typically the "
        f"4-2-1 network collapsing to one class): hinge {hinge.runs - hinge.converged} of "
        f"{hinge.runs}, squared hinge {squared.runs - squared.converged} of {squared.runs}; "
        "they are left out of the area and included in the accuracy.",
        "",
        f"Test accuracy: hinge {ha:.1%} ± {hs:.1%}, squared hinge {sa:.1%} ± {ss:.1%} (the "
        "tutorial reports 100% for both).",
    ]


def _area_verdict(hinge: LossStatistics, squared: LossStatistics) -> str:
    """Whether the mean areas differ (Welch's t-test over the converged seeds, 5% level),
    and which way."""
    from scipy import stats

    (h_mean, h_std), (s_mean, s_std) = hinge.area, squared.area
    difference = s_mean - h_mean
    seeds = f"{hinge.converged} + {squared.converged} converged runs"
    if min(hinge.converged, squared.converged) < 2:
        return f"Too few converged runs ({seeds}) to compare the areas; add seeds."
    p_value = float(
        stats.ttest_ind_from_stats(
            s_mean, s_std, squared.converged, h_mean, h_std, hinge.converged, equal_var=False
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
    sweep: SweepResults, stats: Mapping[str, LossStatistics], with_evolution: bool = False
) -> str:
    """report.md: the table, the area per seed, how to read them, the verdict and the
    figures (the boundaries as they train when ``with_evolution``)."""
    completed = sum(s.runs for s in stats.values())
    table = markdown_table(TABLE_HEADER, [s.table_row() for s in stats.values()])
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
        "![decision boundaries](decision_boundaries.png)",
        "",
        "![loss curves](loss_curves.png)",
        "",
    ]
    if with_evolution:
        lines += [
            "## How each boundary forms",
            "",
            "Same seed, same epochs, one row per loss: the class regions, the score contours "
            "at 0 and at the margins, a red ring around every misclassified test point and a "
            "grey one around every point still inside the margin. Squared hinge squares each "
            "margin violation, so a point just inside the margin (score 0.98) costs 0.0004 "
            "instead of hinge's 0.02: watch how long its grey rings stay while the loss is "
            "already tiny, and how hinge keeps pushing each point until it clears the margin.",
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
    write_csv(
        sweep.folder / "seed_summary.csv", SUMMARY_HEADER, [s.csv_row() for s in stats.values()]
    )
    path = sweep.folder / "report.md"
    atomic_write_text(path, report_text(sweep, stats, with_evolution))
    return path
