"""Any grid side by side (``report: compare_losses``): made for losses
(configs/compare_losses.yaml), it compares whatever the sweep varies (``loss.gamma``, a
model's size, the data) and names it in its headings and columns. It writes the generic
comparison table with the test AUC, accuracy and the hardest 10%'s share of the force, and
report.md with each setting's decision boundary beside its forces at the end of training
(boundaries_and_forces.png, which every two-feature sweep gets:
:mod:`recipes.studies.side_by_side`) and which setting leans most on its hardest points."""

from __future__ import annotations

from pathlib import Path

from recipes.files import (
    MarkdownCode,
    atomic_write_text,
    markdown_table,
    markdown_text,
)
from recipes.records import varies_text
from recipes.report.comparison import ComparisonSpec, write_comparison
from recipes.report.forces import HARDEST_FRACTION, SHARE_METRIC
from recipes.status import RunStatus
from recipes.studies.side_by_side import FIGURE
from recipes.sweeps.records import RunResult, SweepResults

COLUMNS = ("test_auc", "test_accuracy", SHARE_METRIC)


def compare_losses(sweep: SweepResults) -> list[Path]:
    spec = ComparisonSpec(metric=None, extra_columns=COLUMNS)
    written = write_comparison(sweep, spec)
    completed = [r for r in sweep.runs if r.status == RunStatus.COMPLETED and r.run_folder]
    if not completed:
        return written
    written.append(_report(sweep, completed))
    return written


def _report(sweep: SweepResults, results: list[RunResult]) -> Path:
    varied = ", ".join(sweep.keys)
    rows = [
        [*(r.point.labels[key] for key in sweep.keys), *(_shown(r.metrics.get(c)) for c in COLUMNS)]
        for r in results
    ]
    # ``loss.gamma = 2``: each run's setting, by the keys the sweep varies (its grid labels)
    shares = {varies_text(r.point.labels): r.metrics.get(SHARE_METRIC) for r in results}
    known = {label: share for label, share in shares.items() if share is not None}
    share_note = (  # the project's own prose: written as Markdown, not escaped as text
        f"{MarkdownCode(SHARE_METRIC).render()}: the share of the total force |d loss / d "
        "score| on the test points that the hardest 10% of them carry (0.1: every point pushed "
        "alike)."
    )
    lines = [f"# {markdown_text(sweep.recipe)}: {markdown_text(varied)} side by side", ""]
    if (sweep.folder / FIGURE).is_file():
        lines += [
            f"Each column of the figure is one setting of {markdown_text(varied)}: its decision "
            "boundary above its forces at the end of training.",
            "",
            f"![boundaries and forces]({FIGURE})",
            "",
        ]
    lines += [
        markdown_table([*sweep.keys, *COLUMNS], rows),
        "",
        share_note,
    ]
    if known:
        most, least = max(known, key=known.get), min(known, key=known.get)
        most_text, least_text = markdown_text(most), markdown_text(least)
        lines += [
            "",
            f"At the end of training, **{most_text}**'s hardest 10% carry the largest share of "
            f"its force ({known[most]:.0%}, {known[most] / HARDEST_FRACTION:.1f}× an even spread), "
            f"**{least_text}**'s the smallest ({known[least]:.0%}).",
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
