"""Losses side by side (``report: compare_losses``): the generic comparison table with the
hardest 10%'s share of the force, each loss's decision boundary beside its forces at the end of
training (drawn from each run's recording as the run's own decision_boundary.png and
forces.png draw them), and report.md saying which loss leans most on its hardest points."""

from __future__ import annotations

from pathlib import Path

from recipes.files import atomic_write_text, markdown_table
from recipes.recording import RECORDING_FILE, Recording
from recipes.report import plots
from recipes.report.comparison import ComparisonSpec, write_comparison
from recipes.report.forces import (
    SHARE_METRIC,
    draw_colour_bar,
    force_norm,
    hardest_share,
    plot_point_forces,
    share_text,
)
from recipes.report.regions import draw_boundary
from recipes.status import RunStatus
from recipes.sweeps.records import RunResult, SweepResults
from recipes.training.figures import label_feature_axes

FIGURE = "boundaries_and_forces.png"
COLUMNS = ("test_auc", "test_accuracy", SHARE_METRIC)


def compare_losses(sweep: SweepResults) -> list[Path]:
    spec = ComparisonSpec(metric=None, extra_columns=COLUMNS)
    written = write_comparison(sweep, spec)
    completed = [r for r in sweep.runs if r.status == RunStatus.COMPLETED and r.run_folder]
    if not completed:
        return written
    written.append(_side_by_side(sweep, completed))
    written.append(_report(sweep, completed))
    return written


def _label(result: RunResult) -> str:
    return ", ".join(str(value) for value in result.point.labels.values())


def _side_by_side(sweep: SweepResults, results: list[RunResult]) -> Path:
    """One row per loss: its decision boundary, then its forces at the end of training (one
    colour scale for every row)."""
    recordings = [Recording.load(r.folder / RECORDING_FILE) for r in results]
    norm = force_norm(*(recording.point_forces[-1] for recording in recordings))
    margins = sweep.base.config.plots.margins
    figure, grid = plots.subplots(len(results), 2, figsize=(12, 5.6 * len(results)), dpi=100,
                                  squeeze=False)  # fmt: skip
    for (boundary, pushed), result, recording in zip(grid, results, recordings, strict=True):
        draw_boundary(boundary, recording, margins=margins, class_names=recording.class_names)
        boundary.set_title(plots.legend_label(_label(result)), fontsize=12, loc="left")
        draw_boundary(pushed, recording, margins=margins, points=False, rings=False, legend=False)
        forces = recording.point_forces[-1]
        plot_point_forces(pushed, recording.points, recording.labels, forces, norm)
        pushed.set_title(share_text(hardest_share(forces)))
        draw_colour_bar(pushed.inset_axes((1.04, 0.0, 0.05, 1.0)), norm)
        label_feature_axes([boundary, pushed], recording)
    return plots.save_figure(figure, sweep.folder / FIGURE, dpi=100)


def _report(sweep: SweepResults, results: list[RunResult]) -> Path:
    rows = [[_label(r), *(_shown(r.metrics.get(c)) for c in COLUMNS)] for r in results]
    shares = {_label(r): r.metrics.get(SHARE_METRIC) for r in results}
    known = {label: share for label, share in shares.items() if share is not None}
    lines = [
        f"# {sweep.recipe}: losses side by side",
        "",
        f"![boundaries and forces]({FIGURE})",
        "",
        markdown_table(["loss", *COLUMNS], rows),
        "",
        f"`{SHARE_METRIC}`: the share of the total force |d loss / d score| on the test "
        "points that the hardest 10% of them carry (0.1: every point pushed alike).",
    ]
    if known:
        most, least = max(known, key=known.get), min(known, key=known.get)
        lines += [
            "",
            f"At the end of training, **{most}**'s hardest 10% carry the largest share of its "
            f"force ({known[most]:.0%}, {known[most] / 0.1:.1f}× an even spread), **{least}**'s "
            f"the smallest ({known[least]:.0%}).",
            "",
            "What it can and cannot show: each share is measured on its own model, trained "
            "with its own loss and at its own stage at the end. A model that already "
            "separates most points leaves its force on the few it still gets wrong, so the "
            "share mixes how a loss weights hard points with how far its model got; it does "
            "not say which loss attends more to hard points on the same model. For that, "
            "compare the losses' pushes at the same scores: loss_gallery's "
            "loss_derivatives.png (`python -m recipes run loss_gallery`). Each run's "
            "forces.png shows where its own force goes, class by class, against each "
            "class's share of the points.",
        ]
    path = sweep.folder / "report.md"
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path


def _shown(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else "—"
