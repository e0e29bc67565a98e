"""The fidelity report: report.md (a table per tutorial, a verdict per published number, the
rings' Bayes limit, the timings), numbers.csv (every distribution), samples.csv (every seed's
number and the run folder or script it came from), report.json, and one figure per tutorial."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from recipes.files import markdown_table, markdown_text, write_csv
from recipes.studies.fidelity.figures import tutorial_figure
from recipes.studies.fidelity.plan import ORIGINAL, SOURCES
from recipes.studies.fidelity.published import Published
from recipes.studies.fidelity.summary import Distribution, Sample

TUTORIAL_TITLES = {
    "hinge": "Hinge and squared hinge (Keras)",
    "focal_rings": "Focal loss + L1/L2 on the rings (PyTorch)",
    "mnist": "MNIST under seven losses (PyTorch)",
}


def _number(row: Published, value: float) -> str:
    if value != value:  # NaN: no seeds
        return ""
    return f"{value:.3g}" if not row.higher_is_better else f"{value:.4f}"


def _table_rows(row: Published, by_source: dict[str, Distribution], judged: dict) -> list[list]:
    lines = []
    for source in SOURCES:
        d = by_source[source]
        reach = f"{d.reach}/{d.n}" + (
            f" ({d.near}/{d.n} >= {row.near})" if d.near is not None else ""
        )
        lines.append(
            [
                row.name if source == SOURCES[0] else "",
                _number(row, row.value) if source == SOURCES[0] else "",
                source,
                d.n,
                _number(row, d.median),
                f"{_number(row, d.q1)} to {_number(row, d.q3)}" if d.n else "",
                f"{_number(row, d.low)} to {_number(row, d.high)}" if d.n else "",
                reach if d.n else "",
                f"{d.stuck}/{d.n}" if d.n else "",
                judged["verdict"] if source == ORIGINAL else "",
            ]
        )
    return lines


HEADER = [
    "published number",
    "published",
    "source",
    "seeds",
    "median",
    "IQR",
    "min to max",
    "reach",
    "stuck",
    "verdict",
]


# numbers.csv names these Distribution fields otherwise; it has every field but the values
RENAMED = {"n": "seeds", "low": "min", "high": "max"}


def write_numbers(folder: Path, table: dict[str, Any], samples: Sequence[Sample]) -> None:
    """numbers.csv (each distribution) and samples.csv (each seed's numbers, with its origin)."""
    fields = [field.name for field in dataclasses.fields(Distribution) if field.name != "values"]
    header = ["tutorial", "published_number", "published", "source"]
    header += [RENAMED.get(name, name) for name in fields]
    lines = [
        [entry["row"].tutorial, name, entry["row"].value, source]
        + [getattr(d, field) for field in fields]
        + [entry["verdict"]["verdict"]]
        for name, entry in table.items()
        for source, d in entry["by_source"].items()
    ]
    write_csv(folder / "numbers.csv", [*header, "verdict"], lines)
    header = ["tutorial", "source", "seed", "loss", "metric", "value", "origin"]
    lines = [
        [s.tutorial, s.source, s.seed, s.labels.get("loss", ""), metric, value, s.origin]
        for s in samples
        for metric, value in s.metrics.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    write_csv(folder / "samples.csv", header, lines)


def tutorial_section(
    folder: Path, tutorial: str, table: dict[str, Any], bayes: dict[str, Any]
) -> list[str]:
    """The tutorial's figure (the Bayes rule and limit beside the rings' number), its table and
    its verdicts."""
    entries = [e for e in table.values() if e["row"].tutorial == tutorial]
    marks = {}
    if tutorial == "focal_rings":
        marks["extra"] = {"Bayes rule\n(-radius)": bayes["per_seed"]}
        marks["lines"] = {"Bayes limit": bayes["limit"]["closed_form"]}
    figure = tutorial_figure(tutorial, entries, folder / f"{tutorial}.png", **marks).name
    lines = [f"## {TUTORIAL_TITLES[tutorial]}", "", f"![{tutorial}]({figure})", ""]
    body = [line for e in entries for line in _table_rows(e["row"], e["by_source"], e["verdict"])]
    lines += [markdown_table(HEADER, body), ""]
    for entry in entries:
        judged = entry["verdict"]
        lines.append(
            f"- **{markdown_text(entry['row'].name)}**: {judged['verdict']}. "
            + "; ".join(judged["details"])
            + "."
        )
    return [*lines, "", f"Why: {entries[0]['verdict']['why']}.", ""]
