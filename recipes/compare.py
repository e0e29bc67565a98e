"""Comparison outputs of a sweep: one table and two figures over its runs.

The step is pluggable: :data:`COMPARISONS` maps a recipe name to a function ``(sweep) -> list
of written paths``; a recipe without an entry gets :func:`default_comparison`, which compares
the recipe's first metric (``metrics:`` in its config). The building blocks take explicit keys,
so another recipe reuses them with its own metric, grouping and reference numbers:

- :func:`comparison_rows` / :func:`write_comparison_table`: comparison.csv and comparison.md;
- :func:`plot_metric_bars`: accuracy.png, train and test metric per run (or per group, mean and
  standard deviation over the other grid keys, e.g. over seeds), with optional reference marks;
- :func:`plot_epoch_curves`: curves.png, one line per run of a per-epoch history column.

Plot functions take an optional matplotlib ``ax`` and return it, like :mod:`recipes.plots`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recipes.registry import Registry

if TYPE_CHECKING:
    from recipes.sweep import Sweep

COMPARISONS: Registry = Registry("comparison")
BAR_COLORS = {"train": "tab:blue", "test": "tab:orange"}


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
    metric_label: str = "accuracy"  # column names: train_<label>, test_<label>
    percent: bool = True  # show the metric as a percentage
    group_by: Sequence[str] = ()  # grid keys; runs differing only in the others are averaged
    curve_key: str | None = None  # history column for curves.png (default val_<metric>)
    reference: ReferenceColumn | None = None
    title: str | None = None  # figure title prefix (default: the recipe name)
    extra_columns: Sequence[str] = field(default_factory=tuple)  # more metrics.json keys
    chance: float | None = None  # accuracy of guessing, drawn on curves.png (e.g. 0.1)


def compare_sweep(sweep: Sweep) -> list[Path]:
    """Write the sweep's comparison outputs with its recipe's registered step (or the default)."""
    if sweep.recipe in COMPARISONS:
        return COMPARISONS.get(sweep.recipe)(sweep)
    return default_comparison(sweep)


def default_comparison(sweep: Sweep) -> list[Path]:
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


def comparison_rows(sweep: Sweep, spec: ComparisonSpec) -> tuple[list[str], list[dict[str, Any]]]:
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
    for result in sweep.results:
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
        row["run_folder"] = str(result.run_folder or "")
        rows.append(row)
    return columns, rows


def group_rows(
    rows: Sequence[Mapping[str, Any]], group_by: Sequence[str], columns: Sequence[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Mean, standard deviation and count of numeric ``columns`` per group of completed runs."""
    groups: dict[tuple, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row.get("status") == "completed":
            groups.setdefault(tuple(row[key] for key in group_by), []).append(row)
    header = [*group_by, "runs"]
    for column in columns:
        header += [f"{column}_mean", f"{column}_std"]
    result = []
    for key, members in groups.items():
        out: dict[str, Any] = dict(zip(group_by, key, strict=True))
        out["runs"] = len(members)
        for column in columns:
            values = np.array([m[column] for m in members if m.get(column) is not None], float)
            out[f"{column}_mean"] = float(values.mean()) if values.size else None
            out[f"{column}_std"] = float(values.std(ddof=1)) if values.size > 1 else 0.0
        result.append(out)
    return header, result


def _format(value: Any, column: str, spec: ComparisonSpec) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    percent_column = (
        spec.percent
        and spec.metric
        and (spec.metric_label in column or (spec.reference and column == spec.reference.column))
    )
    if isinstance(value, float) and percent_column:
        return f"{100 * value:.2f}%"
    if isinstance(value, float) and column.endswith("_s"):
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def write_comparison_table(
    sweep: Sweep, spec: ComparisonSpec, columns: list[str], rows: list[dict[str, Any]]
) -> list[Path]:
    """comparison.csv (fractions, full precision) and comparison.md (percentages, notes)."""
    from recipes.run_folder import atomic_write_text, write_csv
    from recipes.sweep import markdown_table

    csv_path = sweep.folder / "comparison.csv"
    write_csv(csv_path, columns, [[_csv(row.get(c)) for c in columns] for row in rows])
    shown = [c for c in columns if c != "run_folder"]
    lines = [f"# {spec.title or sweep.recipe}: comparison over {', '.join(sweep.keys)}", ""]
    lines.append(
        markdown_table(shown, [[_format(row.get(c), c, spec) for c in shown] for row in rows])
    )
    if spec.group_by:
        numeric = [c for c in shown if c not in (*sweep.keys, "status")]
        group_header, groups = group_rows(rows, spec.group_by, numeric)
        lines += [f"Mean and standard deviation per {', '.join(spec.group_by)}:", ""]
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
            f"train_{spec.metric_label}: the Keras training-time {spec.metric} of the last epoch "
            "(mean over its batches); test_" + spec.metric_label + ": the final model on the "
            "test split."
        )
    notes.append("fit_s: seconds in model.fit (all epochs, validation included).")
    if spec.reference and spec.reference.note:
        notes.append(f"{spec.reference.column}: {spec.reference.note}")
    lines += [*(f"- {note}" for note in notes), ""]
    md_path = sweep.folder / "comparison.md"
    atomic_write_text(md_path, "\n".join(lines))
    return [csv_path, md_path]


def _csv(value: Any) -> Any:
    return "" if value is None else value


# ------------------------------------------------------------------------------------- figures


def plot_metric_bars(
    labels: Sequence[str],
    bars: Mapping[str, Sequence[float | None]],
    ax: Any = None,
    errors: Mapping[str, Sequence[float | None]] | None = None,
    reference: Sequence[float | None] | None = None,
    reference_legend: str = "reference",
    percent: bool = True,
    xlabel: str = "accuracy",
    title: str | None = None,
    notes: Mapping[str, str] | None = None,
) -> Any:
    """Horizontal grouped bars: one group per label (top to bottom), one bar per series in
    ``bars`` (e.g. train and test), each annotated with its value; ``errors`` draws error bars,
    ``reference`` adds a grey hatched bar per label (e.g. published numbers), ``notes`` writes a
    text over a label's bars (e.g. "failed: loss became nan")."""
    from recipes.plots import new_axes

    series = {name: list(values) for name, values in bars.items()}
    styles = {name: {"color": BAR_COLORS.get(name, f"C{i}")} for i, name in enumerate(series)}
    if reference is not None and any(v is not None for v in reference):
        series[reference_legend] = list(reference)
        styles[reference_legend] = {"color": "0.88", "edgecolor": "0.35", "hatch": "///"}
    count = len(labels)
    if ax is None:
        ax = new_axes((8.0, 1.3 + 0.3 * len(series) * max(count, 1)))
    scale = 100.0 if percent else 1.0
    height = 0.84 / max(len(series), 1)
    positions = np.arange(count)
    top = 0.0
    for index, (name, raw) in enumerate(series.items()):
        values = np.array([np.nan if v is None else v for v in raw], float) * scale
        offsets = positions - 0.42 + height * (index + 0.5)
        error = None
        if errors and name in errors:
            error = np.array([0 if e is None else e for e in errors[name]], float) * scale
        ax.barh(
            offsets,
            np.nan_to_num(values),
            height=height * 0.9,
            xerr=error,
            label=name,
            capsize=3,
            error_kw={"elinewidth": 1},
            linewidth=0.6,
            **styles[name],
        )
        for y, value in zip(offsets, values, strict=True):
            if np.isfinite(value):
                text = f"{value:.1f}%" if percent else f"{value:.3g}"
                ax.text(value + scale * 0.01, y, text, va="center", fontsize=7.5)
                top = max(top, value)
    for label, text in (notes or {}).items():
        if label in labels:
            ax.text(
                scale * 0.01, labels.index(label), text, va="center", fontsize=8, color="firebrick"
            )
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, (100.0 if percent else top) * 1.12 if top > 0 else 1)
    if percent:
        ax.set_xticks(np.arange(0, 101, 20))
        ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0f}%")
    ax.set_xlabel(xlabel)
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=len(series),
        fontsize=8,
        frameon=False,
    )
    if title:
        ax.set_title(title, pad=20)
    return ax


def coinciding_curves(
    curves: Mapping[str, Sequence[float]], tolerance: float = 1e-3
) -> dict[str, list[str]]:
    """Group labels whose curves agree within ``tolerance`` at every epoch (e.g. two losses
    with the same gradients): {first label: [it and the labels equal to it]}."""
    groups: dict[str, list[str]] = {}
    for label, values in curves.items():
        values = np.asarray(values, float)
        for first, members in groups.items():
            other = np.asarray(curves[first], float)
            if other.shape == values.shape and np.allclose(
                other, values, rtol=0, atol=tolerance, equal_nan=True
            ):
                members.append(label)
                break
        else:
            groups[label] = [label]
    return groups


def plot_epoch_curves(
    curves: Mapping[str, Sequence[float]],
    ax: Any = None,
    ylabel: str = "validation accuracy",
    percent: bool = True,
    title: str | None = None,
    colors: Mapping[str, str] | None = None,
    legend_labels: Mapping[str, str] | None = None,
    chance: float | None = None,
    merge_tolerance: float | None = 1e-3,
) -> Any:
    """One line per entry of ``curves`` (label -> value per epoch), epochs from 1; ``chance``
    draws a dotted line at the accuracy of guessing.

    Curves that agree within ``merge_tolerance`` at every epoch would hide each other, so they
    are drawn once with one legend entry naming them all ("cross-entropy = KL divergence").
    ``colors`` and ``legend_labels`` let several runs share a colour and one legend entry
    (e.g. the seeds of one loss); curves are not merged then.
    """
    from recipes.plots import new_axes

    ax = ax if ax is not None else new_axes((8.0, 5.0))
    scale = 100.0 if percent else 1.0
    markers = "osD^vP*Xh<>"
    styles = ("-", "--", "-.", ":")
    if merge_tolerance is None or colors or legend_labels:
        groups = {label: [label] for label in curves}
    else:
        groups = coinciding_curves(curves, merge_tolerance)
    legend_seen: set[str] = set()
    longest = 1
    for index, (label, members) in enumerate(groups.items()):
        values = np.asarray(curves[label], float) * scale
        epochs = np.arange(1, len(values) + 1)
        longest = max(longest, len(values))
        shown = (legend_labels or {}).get(label, " = ".join(members))
        ax.plot(
            epochs,
            values,
            color=(colors or {}).get(label, f"C{index % 10}"),
            marker=markers[index % len(markers)] if len(values) <= 30 else None,
            ls=styles[index % len(styles)] if not colors else "-",
            ms=4,
            lw=1.6,
            label=None if shown in legend_seen else shown,
        )
        legend_seen.add(shown)
    if any(len(members) > 1 for members in groups.values()):
        ax.text(
            0.99,
            0.01,
            "a = b: the runs' curves coincide (drawn once)",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7.5,
            color="dimgray",
        )
    if chance is not None:
        ax.axhline(chance * scale, color="gray", ls=":", lw=1, label="chance")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if longest <= 30:
        ax.set_xticks(np.arange(1, longest + 1))
    if percent:
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0f}%")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax


# ------------------------------------------------------------------------------------- writing


def write_comparison(sweep: Sweep, spec: ComparisonSpec) -> list[Path]:
    """comparison.csv/md, accuracy.png (train/test per run or group) and curves.png."""
    from recipes.plots import save_figure

    columns, rows = comparison_rows(sweep, spec)
    written = write_comparison_table(sweep, spec, columns, rows)
    title = spec.title or sweep.recipe
    dpi = sweep.base.config.plots.dpi
    if spec.metric:
        train, test = f"train_{spec.metric_label}", f"test_{spec.metric_label}"
        if spec.group_by:
            _, groups = group_rows(rows, spec.group_by, [train, test])
            labels = [", ".join(str(g[key]) for key in spec.group_by) for g in groups]
            bars = {
                "train": [g[f"{train}_mean"] for g in groups],
                "test": [g[f"{test}_mean"] for g in groups],
            }
            errors = {
                "train": [g[f"{train}_std"] for g in groups],
                "test": [g[f"{test}_std"] for g in groups],
            }
            counts = sorted({g["runs"] for g in groups})
            subtitle = f"mean ± std over {'/'.join(map(str, counts))} runs each"
            reference, notes = None, {}
        else:
            labels = [_run_label(sweep, row) for row in rows]
            bars = {"train": [row[train] for row in rows], "test": [row[test] for row in rows]}
            errors = None
            subtitle = f"{rows_completed(rows)}/{len(rows)} runs completed"
            reference = [row.get(spec.reference.column) for row in rows] if spec.reference else None
            notes = {
                label: f"{row['status']}: {_short_reason(result.reason)}"
                for label, row, result in zip(labels, rows, sweep.results, strict=True)
                if row["status"] != "completed"
            }
        ax = plot_metric_bars(
            labels,
            bars,
            errors=errors,
            reference=reference,
            reference_legend=spec.reference.legend if spec.reference else "reference",
            percent=spec.percent,
            xlabel=spec.metric.replace("_", " "),
            title=f"{title}\ntrain and test {spec.metric.replace('_', ' ')} ({subtitle})",
            notes=notes,
        )
        written.append(save_figure(ax, sweep.folder / "accuracy.png", dpi=dpi))
    curve_key = spec.curve_key or (f"val_{spec.metric}" if spec.metric else "val_loss")
    curves, colors, legend = {}, {}, {}
    group_colors: dict[str, str] = {}
    for row, result in zip(rows, sweep.results, strict=True):
        history = result.history()
        if curve_key not in history:
            continue
        label = _run_label(sweep, row)
        curves[label] = history[curve_key]
        if spec.group_by:
            group = ", ".join(str(row[key]) for key in spec.group_by)
            colors[label] = group_colors.setdefault(group, f"C{len(group_colors) % 10}")
            legend[label] = group
    if curves:
        percent = spec.percent and bool(spec.metric) and curve_key.endswith(spec.metric or "-")
        ax = plot_epoch_curves(
            curves,
            ylabel=curve_key.replace("val_", "validation ").replace("_", " "),
            percent=percent,
            title=f"{title}: {curve_key.replace('val_', 'validation ').replace('_', ' ')} "
            "per epoch",
            colors=colors or None,
            legend_labels=legend or None,
            chance=spec.chance if percent else None,
        )
        written.append(save_figure(ax, sweep.folder / "curves.png", dpi=dpi))
    return written


def rows_completed(rows: Sequence[Mapping[str, Any]]) -> int:
    return sum(row["status"] == "completed" for row in rows)


def _run_label(sweep: Sweep, row: Mapping[str, Any]) -> str:
    if len(sweep.keys) == 1:
        return str(row[sweep.keys[0]])
    return ", ".join(f"{key}={row[key]}" for key in sweep.keys)


def _short_reason(reason: str, limit: int = 60) -> str:
    reason = reason.splitlines()[0] if reason else "no result"
    return reason if len(reason) <= limit else reason[: limit - 3] + "..."


# ------------------------------------------------------------------------ per-recipe comparisons


def register_comparison(recipe: str) -> Callable[[Callable], Callable]:
    """Decorator: ``fn(sweep) -> list[Path]`` writes the comparison of ``recipe``'s sweeps."""
    return COMPARISONS.register(recipe)


# The MNIST tutorial's published train accuracy (PyTorch, 60,000 digits, 10 epochs), keyed by
# the labels of configs/mnist_losses.yaml's grid.
MNIST_TUTORIAL_TRAIN_ACCURACY = {
    "MSE": 0.8914,
    "cross-entropy": 0.9351,
    "BCE": 0.9323,
    "BCE from_logits": 0.6893,
    "KL divergence": 0.5666,
    "cosine similarity": 0.9610,
    "log-cosh": 0.5779,
}


@register_comparison("mnist_losses")
def compare_mnist_losses(sweep: Sweep) -> list[Path]:
    """The MNIST tutorial's table: train/test categorical accuracy per loss beside its
    published train accuracy."""
    reference = None
    if "loss" in sweep.keys:
        reference = ReferenceColumn(
            column="tutorial_train_accuracy",
            key="loss",
            values=MNIST_TUTORIAL_TRAIN_ACCURACY,
            legend="tutorial, train (PyTorch, 60k digits)",
            note="the tutorial's published train accuracy (PyTorch, 60,000 training digits, "
            "train accuracy evaluated after the last epoch); empty for a loss it did not run.",
        )
    spec = ComparisonSpec(
        metric="categorical_accuracy",
        group_by=[key for key in ("loss",) if key in sweep.keys and len(sweep.keys) > 1],
        reference=reference,
        title="MNIST, one model per loss",
        chance=0.1,
    )
    return write_comparison(sweep, spec)


# ------------------------------------------------------------------- hinge vs squared hinge

# The square in which the area classified +1 is measured (the circles lie within radius 1).
HINGE_AREA_EXTENT = 1.5
HINGE_AREA_POINTS = 301
CONVERGED_ACCURACY = 0.99  # test accuracy of a run that separates the circles


def positive_region_area(model: Any, extent: float = HINGE_AREA_EXTENT) -> float:
    """Area of the region a -1/+1 model classifies +1 inside [-extent, extent]^2.

    For the circles data (inner circle radius 0.1, outer 1) this measures how tightly the
    decision boundary wraps the inner class: a boundary hugging the inner circle encloses about
    pi * 0.1^2 = 0.03, a maximum-margin circle halfway (radius 0.55) about 0.95.
    """
    axis = np.linspace(-extent, extent, HINGE_AREA_POINTS, dtype="float32")
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    scores = np.asarray(model.predict(grid, batch_size=8192, verbose=0)).reshape(-1)
    return float(np.mean(scores >= 0) * (2 * extent) ** 2)


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    array = np.asarray([v for v in values if v is not None], float)
    if not array.size:
        return math.nan, math.nan
    return float(array.mean()), float(array.std(ddof=1)) if array.size > 1 else 0.0


@register_comparison("compare_hinge")
def compare_hinge(sweep: Sweep) -> list[Path]:
    """Hinge vs squared hinge: the generic table and figures (mean and spread over seeds), plus
    decision boundaries side by side (first seed), both losses' curves overlaid on one log
    axis (mean over seeds), the area each boundary encloses, and report.md saying what the
    numbers show."""
    from recipes import plots
    from recipes.runner import select_backend

    spec = ComparisonSpec(
        metric="sign_accuracy",
        group_by=[key for key in ("loss",) if key in sweep.keys and len(sweep.keys) > 1],
        curve_key="val_loss",
        title="hinge vs squared hinge",
        percent=True,
    )
    written = write_comparison(sweep, spec)
    completed = [r for r in sweep.results if r.status == "completed" and r.run_folder]
    if not completed:
        return written
    select_backend(sweep.base.config.backend)
    from recipes.custom_objects import load_model
    from recipes.metrics import predicted_labels

    by_loss: dict[str, list[Any]] = {}
    for result in completed:
        loss = str(result.point.labels.get("loss", sweep.base.config.loss.name))
        by_loss.setdefault(loss, []).append(result)
    losses = list(by_loss)
    models = {r.run_folder: load_model(str(r.run_folder / "model.keras")) for r in completed}
    dpi = sweep.base.config.plots.dpi

    # Side by side: each loss's first-seed run, same test points.
    import matplotlib.pyplot as plt

    from datasets import build_dataset

    figure, axes = plt.subplots(1, len(losses), figsize=(5.4 * len(losses), 6.0), dpi=dpi)
    axes = np.atleast_1d(axes)
    for ax, loss in zip(axes, losses, strict=True):
        first = by_loss[loss][0]
        config = resolve_recipe_from_folder(first.run_folder)
        split = build_dataset(config.data.name, config.data.params, config.seed)
        predictor = plots.LabelPredictor(
            models[first.run_folder],
            lambda scores, kind=split.label_kind: predicted_labels(scores, kind, "tanh"),
        )
        accuracy = first.metrics.get("test_accuracy", math.nan)
        plots.plot_decision_boundary(
            predictor,
            split.x_test,
            split.y_test,
            ax=ax,
            title=f"{loss.replace('_', ' ')} (seed {config.seed}), test acc {accuracy:.1%}",
            class_names=split.info.get("class_names"),
        )
    figure.suptitle("Decision boundaries: hinge vs squared hinge, same data and seed")
    written.append(plots.save_figure(figure, sweep.folder / "decision_boundaries.png", dpi=dpi))
    areas = {
        loss: [positive_region_area(models[r.run_folder]) for r in results]
        for loss, results in by_loss.items()
    }

    # Loss curves overlaid: mean over seeds of training and validation loss, log axis.
    history: dict[str, list[float]] = {}
    styles: dict[str, dict[str, str]] = {}
    for index, (loss, results) in enumerate(by_loss.items()):
        # A collapsed run's flat loss would dominate the mean: average the converged runs.
        converged = _converged(results)
        for key, name in (("loss", "training"), ("val_loss", "validation")):
            curves = [r.history().get(key) for r in (converged or results)]
            curves = [c for c in curves if c]
            if not curves:
                continue
            length = min(len(c) for c in curves)
            series = f"{loss}:{key}"
            history[series] = list(np.mean([c[:length] for c in curves], axis=0))
            which = "converged runs" if converged else "runs"
            styles[series] = {  # one colour per loss, dashed for validation
                "label": f"{loss.replace('_', ' ')}, {name} (mean of {len(curves)} {which})",
                "color": f"C{index}",
                "linestyle": "--" if key == "val_loss" else "-",
            }
    ax = plots.plot_loss_history(
        history,
        keys=list(history),
        styles=styles,
        title="Loss per epoch: hinge vs squared hinge (mean over converged seeds)",
    )
    written.append(plots.save_figure(ax, sweep.folder / "loss_curves.png", dpi=dpi))
    written.append(_write_hinge_report(sweep, by_loss, areas))
    return written


def _converged(results: Sequence[Any]) -> list[Any]:
    """The runs that separate the circles (test accuracy >= CONVERGED_ACCURACY)."""
    return [r for r in results if r.metrics.get("test_accuracy", 0.0) >= CONVERGED_ACCURACY]


def resolve_recipe_from_folder(run_folder: Path) -> Any:
    """The validated config a run folder was trained with (its config.yaml)."""
    from recipes.config import resolve_recipe

    return resolve_recipe(str(run_folder / "config.yaml")).config


def _write_hinge_report(
    sweep: Sweep, by_loss: Mapping[str, Sequence[Any]], areas: Mapping[str, Sequence[float]]
) -> Path:
    from recipes.run_folder import atomic_write_text, write_csv

    header = [
        "loss",
        "runs",
        "converged_runs",
        "test_accuracy_mean",
        "test_accuracy_std",
        "test_loss_mean",
        "test_loss_std",
        "final_val_loss_mean",
        "final_val_loss_std",
        "positive_area_mean",
        "positive_area_std",
    ]
    rows, stats = [], {}
    for loss, results in by_loss.items():
        accuracy = _mean_std([r.metrics.get("test_accuracy") for r in results])
        test_loss = _mean_std([r.metrics.get("test_loss") for r in results])
        val_loss = _mean_std([r.metrics.get("final_val_loss") for r in results])
        # A collapsed model (one class everywhere) has no boundary to be tight or loose: the
        # area compares only runs that separate the circles.
        converged = [
            area
            for area, result in zip(areas.get(loss, []), results, strict=True)
            if result in _converged(results)
        ]
        area = _mean_std(converged)
        stats[loss] = {
            "accuracy": accuracy,
            "area": area,
            "runs": len(results),
            "converged": len(converged),
        }
        rows.append([loss, len(results), len(converged), *accuracy, *test_loss, *val_loss, *area])
    write_csv(sweep.folder / "seed_summary.csv", header, rows)

    def cell(pair: tuple[float, float], digits: int = 4, percent: bool = False) -> str:
        mean, std = pair
        if percent:
            return f"{mean:.1%} ± {std:.1%}"
        return f"{mean:.{digits}g} ± {std:.{digits}g}"

    lines = [
        f"# Hinge vs squared hinge ({sweep.recipe})",
        "",
        f"Sweep folder: `{sweep.folder.name}`; {sum(len(r) for r in by_loss.values())} completed "
        f"runs out of {len(sweep.results)}. Same data, model and schedule as the hinge tutorial; "
        "mean ± standard deviation over seeds.",
        "",
        "| loss | runs | converged (test acc >= 99%) | test accuracy | test loss "
        "| final validation loss | area classified +1 (converged runs) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        loss = row[0]
        lines.append(
            f"| {loss} | {row[1]} | {row[2]} | {cell((row[3], row[4]), percent=True)} | "
            f"{cell((row[5], row[6]))} | {cell((row[7], row[8]))} | "
            f"{cell((row[9], row[10]), 3)} |"
        )
    lines += [
        "",
        "The two losses' values are on different scales (squared hinge squares each margin "
        "violation below 1), so compare their loss curves by shape, not height.",
        "",
        "*Area classified +1*: the area of [-1.5, 1.5]² the model assigns to the inner circle "
        "(radius 0.1). A boundary hugging the inner circle encloses about 0.03; a "
        "maximum-margin circle halfway to the outer ring (radius 0.55) about 0.95.",
        "",
        "## What the numbers show",
        "",
    ]
    if {"hinge", "squared_hinge"} <= set(stats):
        hinge, squared = stats["hinge"], stats["squared_hinge"]
        (h_mean, h_std), (s_mean, s_std) = hinge["area"], squared["area"]
        difference = s_mean - h_mean
        spread = max(h_std, s_std)
        tighter = "smaller" if difference < 0 else "larger"
        if abs(difference) > 2 * spread:
            verdict = (
                f"The squared hinge boundary encloses a {tighter} region than the hinge boundary "
                f"on average ({s_mean:.3f} vs {h_mean:.3f}), and the difference is more than "
                "twice the spread across seeds: "
                + (
                    "the tutorial's 'looks tighter' holds in this measure."
                    if difference < 0
                    else "in this measure it is looser, not tighter, than the hinge one."
                )
            )
        else:
            verdict = (
                f"The area classified +1 is {s_mean:.3f} ± {s_std:.3f} with squared hinge and "
                f"{h_mean:.3f} ± {h_std:.3f} with hinge: the difference ({difference:+.3f}) is "
                "within about two standard deviations of the seed-to-seed spread, so these "
                f"{hinge['converged']} + {squared['converged']} converged runs do not support a "
                "claim that one "
                "boundary is tighter than the other."
            )
        (ha, hs), (sa, ss) = hinge["accuracy"], squared["accuracy"]
        collapsed = {
            loss: stats[loss]["runs"] - stats[loss]["converged"]
            for loss in ("hinge", "squared_hinge")
        }
        lines += [
            verdict,
            "",
            f"Runs that did not separate the circles (test accuracy below 99%, typically the "
            f"4-2-1 network collapsing to one class): hinge {collapsed['hinge']} of "
            f"{hinge['runs']}, squared hinge {collapsed['squared_hinge']} of {squared['runs']}; "
            "they are left out of the area and included in the accuracy.",
            "",
            f"Test accuracy: hinge {ha:.1%} ± {hs:.1%}, squared hinge {sa:.1%} ± {ss:.1%} (the "
            "tutorial reports 100% for both).",
        ]
    else:
        lines.append("Both losses need completed runs for a comparison.")
    lines += [
        "",
        "![decision boundaries](decision_boundaries.png)",
        "",
        "![loss curves](loss_curves.png)",
        "",
    ]
    path = sweep.folder / "report.md"
    atomic_write_text(path, "\n".join(lines))
    return path
