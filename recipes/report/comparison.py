"""A sweep's comparison: one table and two figures over its runs.

:func:`default_comparison` is the ``table`` report (``report: table``, the default): it
compares the recipe's first metric (``metrics:`` in its config). The building blocks take
explicit keys, so a study's own report (``recipes/studies/``) reuses them with its own metric,
grouping and reference numbers:

- :func:`comparison_rows` / :func:`write_comparison_table`: comparison.csv and comparison.md;
- :func:`write_comparison`: those, plus accuracy.png (train and test metric per run, or per
  group with mean and standard deviation over the other grid keys, e.g. over seeds) and
  curves.png (one line per run of a per-epoch history column), drawn by
  :mod:`recipes.report.comparison_figures`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from recipes.files import atomic_write_text, markdown_table, markdown_text, write_csv
from recipes.records import varies_text
from recipes.report.comparison_figures import plot_epoch_curves, plot_metric_bars
from recipes.report.plots import save_figure
from recipes.status import RunStatus
from recipes.sweeps.records import SweepResults


@dataclass
class ReferenceColumn:
    """Published numbers to print beside the measured ones, keyed by a grid key's labels."""

    column: str  # e.g. "tutorial_train_accuracy"
    key: str  # the grid key whose labels index ``values``, e.g. "loss"
    values: Mapping[str, float]  # label -> value, in the same unit as the metric (fractions)
    legend: str  # how the figure's legend names it
    note: str = ""  # one sentence under the table: where the numbers come from


@dataclass
class ComparisonSpec:
    """What to compare: a metric (``categorical_accuracy``, ``sign_accuracy``, ...) and how."""

    metric: str | None  # None: compare losses only
    metric_label: str = "accuracy"  # column names: train_<label>, test_<label>; in percent
    group_by: Sequence[str] = ()  # grid keys; runs differing only in the others are averaged
    curve_key: str | None = None  # history column for curves.png (default val_<metric>)
    reference: ReferenceColumn | None = None
    title: str | None = None  # figure title prefix (default: the recipe name)
    extra_columns: Sequence[str] = field(default_factory=tuple)  # more metrics.json keys
    chance: float | None = None  # accuracy of guessing, drawn on curves.png (e.g. 0.1)


def default_comparison(sweep: SweepResults) -> list[Path]:
    """comparison.csv/md, accuracy.png and curves.png for the recipe's first metric."""
    metrics = sweep.base.config.metrics
    metric = metrics[0].name if metrics else None
    label = "accuracy" if metric and "accuracy" in metric else (metric or "loss")
    return write_comparison(sweep, ComparisonSpec(metric=metric, metric_label=label))


# ------------------------------------------------------------------------------------- tables


def _metric(metrics: Mapping[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = metrics.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def comparison_rows(
    sweep: SweepResults, spec: ComparisonSpec
) -> tuple[list[str], list[dict[str, Any]]]:
    """One row per run: the grid labels, train/test metric, final loss, epochs, fit seconds,
    the reference value (if any), status and run folder. Missing values are None."""
    label = spec.metric_label
    columns = [*sweep.keys, "status"]
    if spec.metric:
        columns += [f"train_{label}", f"test_{label}"]
    columns += ["final_loss", "test_loss", *spec.extra_columns, "epochs", "fit_s"]
    if spec.reference:
        columns.append(spec.reference.column)
    columns.append("run_folder")
    rows = []
    for result in sweep.runs:
        m = result.metrics
        row: dict[str, Any] = {key: result.point.labels[key] for key in sweep.keys}
        row["status"] = result.status
        if spec.metric:
            row[f"train_{label}"] = _metric(m, f"final_{spec.metric}")
            row[f"test_{label}"] = _metric(m, f"test_{spec.metric}", "test_accuracy")
        row["final_loss"] = _metric(m, "final_loss")
        row["test_loss"] = _metric(m, "test_loss")
        for key in spec.extra_columns:
            row[key] = _metric(m, key)
        epochs = _metric(m, "epochs_run")
        row["epochs"] = int(epochs) if epochs is not None else None
        row["fit_s"] = _metric(result.durations, "fit")
        if spec.reference:
            reference_label = result.point.labels.get(spec.reference.key)
            row[spec.reference.column] = spec.reference.values.get(reference_label)
        row["run_folder"] = result.run_folder
        rows.append(row)
    return columns, rows


def group_rows(
    rows: Sequence[Mapping[str, Any]], group_by: Sequence[str], columns: Sequence[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Mean, standard deviation and count of numeric ``columns`` per group of completed runs."""
    groups: dict[tuple, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row.get("status") == RunStatus.COMPLETED:
            groups.setdefault(tuple(row[key] for key in group_by), []).append(row)
    header = [*group_by, "runs"]
    for column in columns:
        header += [f"{column}_mean", f"{column}_std"]
    result = []
    for key, members in groups.items():
        out: dict[str, Any] = dict(zip(group_by, key, strict=True))
        out["runs"] = len(members)
        for column in columns:
            out[f"{column}_mean"], out[f"{column}_std"] = mean_std([m.get(column) for m in members])
        result.append(out)
    return header, result


def mean_std(values: Sequence[float | None]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for one value, NaN for none); None is skipped."""
    array = np.asarray([v for v in values if v is not None], float)
    if not array.size:
        return math.nan, math.nan
    return float(array.mean()), float(array.std(ddof=1)) if array.size > 1 else 0.0


def _format(value: Any, column: str, spec: ComparisonSpec) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    percent_column = spec.metric and (
        spec.metric_label in column or (spec.reference and column == spec.reference.column)
    )
    if isinstance(value, float) and percent_column:
        return f"{100 * value:.2f}%"
    if isinstance(value, float) and column.endswith("_s"):
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def write_comparison_table(
    sweep: SweepResults, spec: ComparisonSpec, columns: list[str], rows: list[dict[str, Any]]
) -> list[Path]:
    """comparison.csv (fractions, full precision) and comparison.md (percentages, notes)."""
    csv_path = sweep.folder / "comparison.csv"
    write_csv(csv_path, columns, [[row.get(c) for c in columns] for row in rows])
    shown = [c for c in columns if c != "run_folder"]
    title, keys = markdown_text(spec.title or sweep.recipe), markdown_text(", ".join(sweep.keys))
    lines = [f"# {title}: comparison over {keys}", ""]
    lines.append(
        markdown_table(shown, [[_format(row.get(c), c, spec) for c in shown] for row in rows])
    )
    if spec.group_by:
        numeric = [c for c in shown if c not in (*sweep.keys, "status")]
        group_header, groups = group_rows(rows, spec.group_by, numeric)
        lines += [f"Mean and standard deviation per {markdown_text(', '.join(spec.group_by))}:", ""]
        lines.append(
            markdown_table(
                group_header,
                [
                    [_format(g.get(c), c.rsplit("_", 1)[0], spec) for c in group_header]
                    for g in groups
                ],
            )
        )
    notes = []
    if spec.metric:
        notes.append(
            markdown_text(
                f"train_{spec.metric_label}: the Keras training-time {spec.metric} of the last "
                f"epoch (mean over its batches); test_{spec.metric_label}: the final model on "
                "the test split."
            )
        )
    notes.append("fit_s: seconds in model.fit (all epochs, validation included).")
    if spec.reference and spec.reference.note:
        notes.append(markdown_text(f"{spec.reference.column}: {spec.reference.note}"))
    lines += [*(f"- {note}" for note in notes), ""]
    md_path = sweep.folder / "comparison.md"
    atomic_write_text(md_path, "\n".join(lines))
    return [csv_path, md_path]


def write_comparison(sweep: SweepResults, spec: ComparisonSpec) -> list[Path]:
    """comparison.csv/md, accuracy.png (train/test per run or group) and curves.png."""
    columns, rows = comparison_rows(sweep, spec)
    written = write_comparison_table(sweep, spec, columns, rows)
    if spec.metric:
        written.append(_write_metric_bars(sweep, spec, rows))
    curves = _write_curves(sweep, spec, rows)
    return written + ([curves] if curves else [])


def _write_metric_bars(
    sweep: SweepResults, spec: ComparisonSpec, rows: list[dict[str, Any]]
) -> Path:
    """accuracy.png: train and test per group (mean and std) or per run (with reference marks
    and the reason of each failed run)."""
    train, test = f"train_{spec.metric_label}", f"test_{spec.metric_label}"
    if spec.group_by:
        _, groups = group_rows(rows, spec.group_by, [train, test])
        series = {
            "labels": [", ".join(str(g[key]) for key in spec.group_by) for g in groups],
            "bars": {
                "train": [g[f"{train}_mean"] for g in groups],
                "test": [g[f"{test}_mean"] for g in groups],
            },
            "errors": {
                "train": [g[f"{train}_std"] for g in groups],
                "test": [g[f"{test}_std"] for g in groups],
            },
        }
        counts = "/".join(map(str, sorted({g["runs"] for g in groups})))
        subtitle = f"mean ± std over {counts} runs each"
    else:
        labels = [_run_label(sweep, row) for row in rows]
        series = {
            "labels": labels,
            "bars": {"train": [row[train] for row in rows], "test": [row[test] for row in rows]},
            "reference": [row.get(spec.reference.column) for row in rows]
            if spec.reference
            else None,
            "notes": {
                label: f"{row['status']}: {_short_reason(result.reason)}"
                for label, row, result in zip(labels, rows, sweep.runs, strict=True)
                if row["status"] != RunStatus.COMPLETED
            },
        }
        completed = sum(row["status"] == RunStatus.COMPLETED for row in rows)
        subtitle = f"{completed}/{len(rows)} runs completed"
    metric = spec.metric.replace("_", " ")
    ax = plot_metric_bars(
        **series,
        reference_legend=spec.reference.legend if spec.reference else "reference",
        xlabel=metric,
        title=f"{spec.title or sweep.recipe}\ntrain and test {metric} ({subtitle})",
    )
    ax.set_ylabel(", ".join(spec.group_by or sweep.keys))  # what the bars' labels are values of
    return save_figure(ax, sweep.folder / "accuracy.png", dpi=sweep.base.config.plots.dpi)


def _write_curves(
    sweep: SweepResults, spec: ComparisonSpec, rows: list[dict[str, Any]]
) -> Path | None:
    """curves.png: one line per run of the history column ``spec.curve_key`` (default
    ``val_<metric>``), one colour per group when runs are grouped."""
    curve_key = spec.curve_key or (f"val_{spec.metric}" if spec.metric else "val_loss")
    curves, colors, legend = {}, {}, {}
    group_colors: dict[str, str] = {}
    for row, result in zip(rows, sweep.runs, strict=True):
        history = result.history()
        if curve_key not in history:
            continue
        label = _run_label(sweep, row)
        curves[label] = history[curve_key]
        if spec.group_by:
            group = ", ".join(str(row[key]) for key in spec.group_by)
            colors[label] = group_colors.setdefault(group, f"C{len(group_colors) % 10}")
            legend[label] = group
    if not curves:
        return None
    percent = bool(spec.metric) and curve_key.endswith(spec.metric or "-")
    shown = curve_key.replace("val_", "validation ").replace("_", " ")
    ax = plot_epoch_curves(
        curves,
        ylabel=shown,
        percent=percent,
        log_scale=not percent,  # as each run's loss.png: the late small losses show
        title=f"{spec.title or sweep.recipe}: {shown} per epoch",
        colors=colors or None,
        legend_labels=legend or None,
        chance=spec.chance if percent else None,
    )
    legend = ax.get_legend()
    if legend is not None:  # entries are values (0, 1, 2): the title says of what
        legend.set_title(", ".join(spec.group_by or sweep.keys), prop={"size": 8})
    return save_figure(ax, sweep.folder / "curves.png", dpi=sweep.base.config.plots.dpi)


def _run_label(sweep: SweepResults, row: Mapping[str, Any]) -> str:
    """A run in a figure: its value when one key varies (the axis or legend title names the
    key), else ``loss = hinge, seed = 0``."""
    if len(sweep.keys) == 1:
        return str(row[sweep.keys[0]])
    return varies_text({key: str(row[key]) for key in sweep.keys})


def _short_reason(reason: str, limit: int = 60) -> str:
    reason = reason.splitlines()[0] if reason else "no result"
    return reason if len(reason) <= limit else reason[: limit - 3] + "..."
