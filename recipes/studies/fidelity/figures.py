"""One figure per tutorial: for each published number, the seeds of every source side by side
(a box of the quartiles and one dot per seed), the published value as a dashed line."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recipes.report.plots import PlainLogFormatter, save_figure, subplots
from recipes.studies.fidelity.plan import SOURCES
from recipes.studies.fidelity.published import Published
from recipes.studies.fidelity.summary import Distribution

COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple")
SHORT = {
    "recipe, Keras-correct": "recipe\nKeras",
    "recipe, tutorial semantics": "recipe\ntutorial",
    "tutorial's own code": "tutorial's\ncode",
}


def plot_distributions(
    ax: Any,
    row: Published,
    by_source: Mapping[str, Distribution],
    extra: Mapping[str, Sequence[float]] | None = None,
    lines: Mapping[str, float] | None = None,
) -> Any:
    """One published number: a box and the seeds of each source; ``extra`` more strips (e.g.
    the Bayes rule's AUC per seed), ``lines`` more horizontal marks (e.g. the Bayes limit)."""
    strips = [(SHORT[s], by_source[s].values) for s in SOURCES if by_source[s].values]
    strips += list((extra or {}).items())
    generator = np.random.default_rng(0)  # the same jitter every time the report is drawn
    for position, (_, values) in enumerate(strips):
        colour = COLOURS[position % len(COLOURS)]
        if len(values) >= 2:
            ax.boxplot(
                [values],
                positions=[position],
                widths=0.5,
                showfliers=False,
                medianprops={"color": colour},
            )
        jitter = generator.uniform(-0.15, 0.15, len(values))
        ax.scatter(position + jitter, values, s=14, color=colour, alpha=0.7, zorder=3)
        ax.annotate(
            f"n={len(values)}",
            (position, 0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    ax.axhline(
        row.value, color="black", linestyle="--", linewidth=1, label=f"published {row.value:.4g}"
    )
    for name, value in (lines or {}).items():
        ax.axhline(value, color="grey", linestyle=":", linewidth=1, label=f"{name} {value:.4f}")
    ax.set_xticks(range(len(strips)), [label for label, _ in strips], fontsize=7)
    if not row.higher_is_better:
        ax.set_yscale("log")  # its ticks in plain text, as every log axis of the project
        ax.yaxis.set_major_formatter(PlainLogFormatter())
    ax.set_title(row.name, fontsize=9)
    ax.legend(fontsize=7, loc="best")
    return ax


def tutorial_figure(
    tutorial: str,
    entries: Sequence[Mapping[str, Any]],
    path: Path,
    extra: Mapping[str, Sequence[float]] | None = None,
    lines: Mapping[str, float] | None = None,
) -> Path:
    """One panel per published number (``entries``: the report's rows, each with its
    distribution per source); ``extra`` and ``lines`` go to the first panel."""
    columns = min(len(entries), 4)
    lines_of_panels = math.ceil(len(entries) / columns)
    figure, axes = subplots(
        lines_of_panels,
        columns,
        figsize=(3.4 * columns + 1, 3.2 * lines_of_panels + 0.6),
        squeeze=False,
        dpi=110,
    )
    for index, (ax, entry) in enumerate(zip(axes.flat, entries, strict=False)):
        marks = (extra, lines) if index == 0 else (None, None)
        plot_distributions(ax, entry["row"], entry["by_source"], *marks)
    for ax in list(axes.flat)[len(entries) :]:
        ax.set_visible(False)
    figure.suptitle(f"{tutorial}: published numbers vs seeds", fontsize=11)
    return save_figure(figure, path)
