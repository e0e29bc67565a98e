"""Losses side by side (``report: compare_losses``): the generic comparison table with the
hardest 10%'s share of the force, each loss's decision boundary beside its forces.png, and
report.md saying which loss leans most on its hardest points."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image

from recipes.files import atomic_write_text, markdown_table
from recipes.report import plots
from recipes.report.comparison import ComparisonSpec, write_comparison
from recipes.report.forces import SHARE_METRIC
from recipes.status import RunStatus
from recipes.sweeps.records import RunResult, SweepResults

FIGURE = "boundaries_and_forces.png"
COLUMNS = ("test_auc", "test_accuracy", SHARE_METRIC)


def compare_losses(sweep: SweepResults) -> list[Path]:
    spec = ComparisonSpec(metric=None, extra_columns=COLUMNS)
    written = write_comparison(sweep, spec)
    completed = [r for r in sweep.results if r.status == RunStatus.COMPLETED and r.run_folder]
    if not completed:
        return written
    written.append(_side_by_side(sweep, completed))
    written.append(_report(sweep, completed))
    return written


def _label(result: RunResult) -> str:
    return ", ".join(str(value) for value in result.point.labels.values())


def _side_by_side(sweep: SweepResults, results: list[RunResult]) -> Path:
    """One row per loss: its decision_boundary.png, then its forces.png."""
    figure, grid = plots.subplots(len(results), 2, figsize=(16, 5.2 * len(results)), dpi=100,
                                squeeze=False, width_ratios=[1, 2.2])  # fmt: skip
    for row, result in zip(grid, results, strict=True):
        for ax, name in zip(row, ("decision_boundary.png", "forces.png"), strict=True):
            path = Path(result.run_folder) / name
            if path.is_file():
                ax.imshow(matplotlib.image.imread(path))
            ax.set_axis_off()
        row[0].set_title(plots.legend_label(_label(result)), fontsize=12, loc="left")
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
            f"**{most}** leans most on its hardest points ({known[most]:.0%} of the force on "
            f"the hardest 10%), **{least}** least ({known[least]:.0%}).",
        ]
    path = sweep.folder / "report.md"
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path


def _shown(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else "—"
