"""Figures comparing the runs of a sweep: grouped metric bars and per-epoch curves.

Each takes an optional matplotlib ``ax`` and returns it, like :mod:`recipes.report.plots`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from recipes.report.plots import legend_label, loss_floor, new_axes, set_loss_scale

BAR_COLORS = {"train": "tab:blue", "test": "tab:orange"}
THIN_RUNS_UP_TO = 5  # a group of more runs is drawn as its median and bands
THIN_RUNS_SHOWN = 3  # the runs of such a group farthest from its median, drawn thin


def plot_metric_bars(
    labels: Sequence[str],
    bars: Mapping[str, Sequence[float | None]],
    ax: Any = None,
    errors: Mapping[str, Sequence[float | None]] | None = None,
    reference: Sequence[float | None] | None = None,
    reference_legend: str = "reference",
    xlabel: str = "accuracy",
    title: str | None = None,
    notes: Mapping[str, str] | None = None,
) -> Any:
    """Horizontal grouped bars of fractions shown as percentages: one group per label (top to
    bottom), one bar per series in ``bars`` (e.g. train and test), each annotated with its
    value beyond its whisker; ``errors`` draws error bars (value ± error, cut at 0% and 100%:
    an accuracy has no values beyond them),
    ``reference`` adds a grey hatched bar per label (e.g. published numbers), ``notes`` writes a
    text over a label's bars (e.g. "failed: loss became nan")."""
    series = {name: list(values) for name, values in bars.items()}
    styles = {name: {"color": BAR_COLORS.get(name, f"C{i}")} for i, name in enumerate(series)}
    if reference is not None and any(v is not None for v in reference):
        series[reference_legend] = list(reference)
        styles[reference_legend] = {"color": "0.88", "edgecolor": "0.35", "hatch": "///"}
    count = len(labels)
    if ax is None:
        ax = new_axes((8.0, 1.3 + 0.3 * len(series) * max(count, 1)))
    height = 0.84 / max(len(series), 1)
    positions = np.arange(count)
    for index, (name, raw) in enumerate(series.items()):
        values = np.array([np.nan if v is None else v for v in raw], float) * 100
        offsets = positions - 0.42 + height * (index + 0.5)
        error = None
        if errors and name in errors:
            spread = np.array([0 if e is None else e for e in errors[name]], float) * 100
            error = clipped_error(values, spread)
        ax.barh(
            offsets,
            np.nan_to_num(values),
            height=height * 0.9,
            xerr=error,
            label=legend_label(name),
            capsize=3,
            error_kw={"elinewidth": 1},
            linewidth=0.6,
            **styles[name],
        )
        # the value beyond the whisker's end (or the bar's), never on the whisker
        ends = values if error is None else np.nan_to_num(values) + error[1]
        for y, value, end in zip(offsets, values, ends, strict=True):
            if np.isfinite(value):
                ax.text(end + 1, y, f"{value:.1f}%", va="center", fontsize=7.5)
    for label, text in (notes or {}).items():
        if label in labels:
            ax.text(1, labels.index(label), text, va="center", fontsize=8, color="firebrick")
    _format_bar_axes(ax, labels, positions, xlabel, len(series))
    if title:
        ax.set_title(title, pad=20)
    return ax


def clipped_error(values: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """matplotlib's (2, n) ``xerr`` for value ± spread cut to [0, 100] (percent): a mean of
    93.9% with a std of 16 points draws its whisker from 77.9% to 100%, not to 109.9%."""
    finite = np.nan_to_num(values)
    return np.vstack([np.minimum(spread, finite), np.minimum(spread, 100 - finite)]).clip(0)


def _format_bar_axes(
    ax: Any,
    labels: Sequence[str],
    positions: np.ndarray,
    xlabel: str,
    series_count: int,
) -> None:
    """Ticks, limits, grid and legend of :func:`plot_metric_bars`."""
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks(np.arange(0, 101, 20))
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0f}%")
    ax.set_xlabel(xlabel)
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=series_count,
        fontsize=8,
        frameon=False,
    )


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
    log_scale: bool = False,
    title: str | None = None,
    colors: Mapping[str, str] | None = None,
    legend_labels: Mapping[str, str] | None = None,
    chance: float | None = None,
) -> Any:
    """One line per entry of ``curves`` (label -> value per epoch), epochs from 1; ``chance``
    draws a dotted line at the accuracy of guessing; ``log_scale`` puts the values on a log
    axis (losses).

    Curves that agree within 1e-3 at every epoch would hide each other, so they
    are drawn once with one legend entry naming them all ("cross-entropy = KL divergence").
    ``colors`` and ``legend_labels`` let several runs share a colour and one legend entry
    (e.g. the seeds of one loss); curves are not merged then. A group of more than
    THIN_RUNS_UP_TO runs is drawn as its median and bands (:func:`plot_group_bands`): a
    hundred overlapping lines hide each other.
    """
    ax = ax if ax is not None else new_axes((8.0, 5.0))
    scale = 100.0 if percent else 1.0
    members: dict[str, list[str]] = {}
    for label in curves:
        members.setdefault((legend_labels or {}).get(label, label), []).append(label)
    if legend_labels and max(len(runs) for runs in members.values()) > THIN_RUNS_UP_TO:
        longest = plot_group_bands(ax, curves, members, scale, colors)
    else:
        if colors or legend_labels:
            groups = {label: [label] for label in curves}
        else:
            groups = coinciding_curves(curves)
        longest = _draw_curves(ax, curves, groups, scale, colors, legend_labels)
    if chance is not None:
        ax.axhline(chance * scale, color="gray", ls=":", lw=1, label="chance")
    if log_scale and _loss_scale(ax, curves) == "log":
        ylabel += " (log scale)"
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    # whole epochs, at most about ten ticks: 30 ticks of two digits run together
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True, min_n_ticks=1))
    ax.set_xlim(0.5, longest + 0.5)
    if percent:
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0f}%")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax


def _loss_scale(ax: Any, curves: Mapping[str, Sequence[float]]) -> str:
    """The y scale each run's loss.png would use for these values (log; linear for negative
    losses); returns its name."""
    values = np.concatenate([np.asarray(v, float) for v in curves.values()])
    values = values[np.isfinite(values)]
    set_loss_scale(ax, values, loss_floor(values))
    return ax.get_yscale()


def _draw_curves(
    ax: Any,
    curves: Mapping[str, Sequence[float]],
    groups: Mapping[str, list[str]],
    scale: float,
    colors: Mapping[str, str] | None,
    legend_labels: Mapping[str, str] | None,
) -> int:
    """The lines of :func:`plot_epoch_curves`, one per group; returns the longest length."""
    markers = "osD^vP*Xh<>"
    styles = ("-", "--", "-.", ":")
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
            label=None if shown in legend_seen else legend_label(shown),
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
    return longest


def plot_group_bands(
    ax: Any,
    curves: Mapping[str, Sequence[float]],
    members: Mapping[str, Sequence[str]],
    scale: float = 1.0,
    colors: Mapping[str, str] | None = None,
) -> int:
    """Each group of runs (``members``: legend text -> its curves' labels) as its median per
    epoch, the band its middle half of runs span (25th to 75th percentile), and as thin lines
    the THIN_RUNS_SHOWN runs that end farthest from the median (a band alone would hide the
    runs that collapse). The median and quartiles, not a mean and std: runs
    that converge and runs that collapse make a bimodal spread, whose mean is a curve no run
    follows and whose std band crosses the axis' limits (a wider 10-90% band filled the whole
    plot at compare_hinge's 15% collapsed runs). Runs shorter than the longest (stopped
    early) count up to their last epoch. Returns the longest length."""
    longest = 1
    for index, (text, labels) in enumerate(members.items()):
        colour = (colors or {}).get(labels[0], f"C{index % 10}")
        length = max(len(curves[label]) for label in labels)
        longest = max(longest, length)
        table = np.full((len(labels), length), np.nan)
        for row, label in enumerate(labels):
            values = np.asarray(curves[label], float) * scale
            table[row, : len(values)] = values
        epochs = np.arange(1, length + 1)
        quarter, median, three = np.nanpercentile(table, [25, 50, 75], axis=0)
        last = table[np.arange(len(labels)), (~np.isnan(table)).cumsum(axis=1).argmax(axis=1)]
        farthest = np.argsort(-np.abs(last - median[-1]), kind="stable")[:THIN_RUNS_SHOWN]
        for label in (labels[row] for row in farthest):
            values = np.asarray(curves[label], float) * scale
            ax.plot(np.arange(1, len(values) + 1), values, color=colour, lw=0.6, alpha=0.6)
        ax.fill_between(epochs, quarter, three, color=colour, alpha=0.3, lw=0,
                        label=legend_label(f"{text}: middle half of the runs"))  # fmt: skip
        ax.plot(epochs, median, color=colour, lw=2,
                label=legend_label(f"{text}: median of {len(labels)} runs"))  # fmt: skip
    if any(len(labels) > THIN_RUNS_SHOWN for labels in members.values()):
        text = (
            f"thin lines: the {THIN_RUNS_SHOWN} runs of each group ending farthest from its median"
        )
        ax.text(0.99, 0.01, text, transform=ax.transAxes, ha="right", va="bottom", fontsize=7.5,
                color="dimgray")  # fmt: skip
    return longest
