"""From sweeps' results and tutorial JSON lines to numbers: the samples (one per seed and source),
each published number's distribution per source, and a verdict against the original code."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recipes.status import RunStatus
from recipes.studies.fidelity.execute import JobResult
from recipes.studies.fidelity.plan import KERAS, ORIGINAL, SEMANTICS, SOURCES
from recipes.studies.fidelity.published import Published
from recipes.sweeps.records import load_sweep


@dataclass
class Sample:
    """One seed's metrics from one source (a sweep's run, or a tutorial script's JSON line)."""

    tutorial: str
    source: str
    seed: int
    labels: dict[str, str]
    metrics: dict[str, Any]
    origin: str  # the run folder or the script's title: where the number can be audited


def collect_samples(results: Sequence[JobResult]) -> list[Sample]:
    """Every sweep's completed runs (their grid labels and metrics) and every script's lines."""
    samples: list[Sample] = []
    for result in results:
        job, folder = result.job, result.sweep_folder
        runs = load_sweep(folder).runs if folder is not None else []
        samples += [
            Sample(
                job.tutorial,
                job.source,
                int(run.values["seed"]),
                run.labels,
                run.metrics,
                run.run_folder,
            )
            for run in runs
            if run.status == RunStatus.COMPLETED
        ]
        samples += [
            Sample(
                record["tutorial"],
                job.source,
                int(record["seed"]),
                {"loss": str(record["loss"])} if "loss" in record else {},
                record,
                job.title,
            )
            for record in result.records
        ]
    return samples


def values_for(row: Published, source: str, samples: Sequence[Sample]) -> list[float]:
    """The row's metric over the seeds of ``source``, in seed order."""
    metric = row.tutorial_metric if source == ORIGINAL else row.recipe_metric
    point = row.tutorial_point if source == ORIGINAL else row.point
    chosen = [
        s
        for s in samples
        if s.tutorial == row.tutorial
        and s.source == source
        and all(s.labels.get(key) == value for key, value in point.items())
        and isinstance(s.metrics.get(metric), (int, float))
    ]
    return [float(s.metrics[metric]) for s in sorted(chosen, key=lambda s: s.seed)]


@dataclass
class Distribution:
    n: int
    median: float = math.nan
    q1: float = math.nan
    q3: float = math.nan
    low: float = math.nan
    high: float = math.nan
    reach: int = 0
    stuck: int = 0
    near: int | None = None
    values: list[float] = field(default_factory=list)


def distribution(row: Published, values: Sequence[float]) -> Distribution:
    if not values:
        return Distribution(0)
    array = np.asarray(values, dtype=float)
    q1, median, q3 = np.percentile(array, [25, 50, 75])
    near = None
    if row.near is not None:
        near = int(np.sum(array >= row.near))
    return Distribution(
        n=len(array),
        median=float(median),
        q1=float(q1),
        q3=float(q3),
        low=float(array.min()),
        high=float(array.max()),
        reach=sum(row.reaches(v) for v in values),
        stuck=sum(row.is_stuck(v) for v in values),
        near=near,
        values=[float(v) for v in values],
    )


def mann_whitney(first: Sequence[float], second: Sequence[float]) -> float | None:
    """Two-sided Mann-Whitney U p-value; None with fewer than 2 seeds a side or all equal."""
    if len(first) < 2 or len(second) < 2 or len(set(first) | set(second)) < 2:
        return None
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(first, second, alternative="two-sided").pvalue)


def _against_original(name: str, mine: Distribution, original: Distribution) -> tuple[str, bool]:
    if mine.n == 0:
        return f"{name}: not run", False
    inside = original.low <= mine.median <= original.high
    p = mann_whitney(mine.values, original.values)
    test = "" if p is None else f"; Mann-Whitney p = {p:.2g}"
    where = "within" if inside else "outside"
    return f"{name}: median {where} the original's range{test}", inside


def verdict(row: Published, by_source: dict[str, Distribution]) -> dict[str, Any]:
    """Whether each recipe source sits within the original code's spread, and whether the
    published number does, with the row's known reasons."""
    original = by_source[ORIGINAL]
    if original.n == 0:
        return {"verdict": "original code not run", "details": [], "why": row.why}
    published_inside = original.low <= row.value <= original.high or (
        original.reach > 0 and row.higher_is_better and row.value >= original.high
    )
    details = [
        f"published {'within' if published_inside else 'outside'} the original's range "
        f"({original.reach}/{original.n} original seeds reach it)"
    ]
    insides = []
    for source, name in ((KERAS, "Keras-correct"), (SEMANTICS, "tutorial semantics")):
        text, inside = _against_original(name, by_source[source], original)
        details.append(text)
        if by_source[source].n:
            insides.append(inside)
    word = "within the original's spread" if insides and all(insides) else "not within"
    return {"verdict": word, "details": details, "why": row.why}


def summarize(rows: Sequence[Published], samples: Sequence[Sample]) -> dict[str, Any]:
    """Every row's distribution per source and its verdict."""
    table: dict[str, Any] = {}
    for row in rows:
        by_source = {
            source: distribution(row, values_for(row, source, samples)) for source in SOURCES
        }
        table[row.name] = {"row": row, "by_source": by_source, "verdict": verdict(row, by_source)}
    return table
