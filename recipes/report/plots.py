"""Plots. Each function takes an optional matplotlib ``ax`` and returns it, so one function serves a
single figure and a side-by-side comparison. Figures without pyplot on an Agg canvas
(:mod:`recipes.report.canvas`: importing this module chooses no backend), fixed sizes, titles
that say which run; decision regions are :mod:`recipes.report.regions`'.

Every text in a figure is drawn as written, math text off (:mod:`recipes.report.canvas` says
why), so the project's own symbols are Unicode (δ, ², ±) and log axes label their ticks
``10⁻³`` in plain text (:class:`PlainLogFormatter`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.ticker
import numpy as np

from recipes.report.canvas import (  # noqa: F401  (the figure helpers, beside the plots)
    SQUARE_FIGURE_SIZE,
    fixed_layout,
    legend_label,
    new_axes,
    save_figure,
    subplots,
)

SERIES_STYLE = {
    "loss": {"color": "tab:blue", "label": "training"},
    "val_loss": {"color": "tab:orange", "label": "validation"},
}


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_MATHDEFAULT = re.compile(r"\$\\mathdefault\{(.*)\}\$")


class PlainLogFormatter(matplotlib.ticker.LogFormatterSciNotation):
    """Matplotlib's log-axis tick labels (``10⁻³``, ``2×10⁻¹``) as plain text, not math text
    (which :data:`PLAIN_TEXT` turns off)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        text = super().__call__(x, pos)
        match = _MATHDEFAULT.fullmatch(text)
        if match is None:
            return text
        body = match.group(1).replace("\\times", "×")
        body = re.sub(r"\^\{(-?\d+)\}", lambda m: m.group(1).translate(_SUPERSCRIPTS), body)
        return body.replace("-", "\u2212", 1) if body.startswith("-") else body


def plot_loss_history(
    history: Mapping[str, Sequence[float]],
    ax: Any = None,
    title: str | None = None,
    keys: Sequence[str] = ("loss", "val_loss"),
    styles: Mapping[str, Mapping[str, Any]] | None = None,
) -> Any:
    """Training and validation loss per epoch on a log y-axis.

    ``styles`` overrides a series' line properties by key (``label``, ``color``,
    ``linestyle``, ...), so several runs can share one plot.

    A log axis cannot show 0 or negative values, so instead of crashing or dropping points:
    exact zeros are drawn at a floor (a decade below the smallest positive value) with hollow
    markers and a dashed line labelled "exactly 0". A loss that is negative throughout (cosine
    similarity, where -1 is perfect) gets a linear axis, one with both signs a symmetric-log
    axis; the plot says which and why.
    """
    ax = ax if ax is not None else new_axes()
    series = {key: np.asarray(history[key], dtype=float) for key in keys if key in history}
    values = np.concatenate([v[np.isfinite(v)] for v in series.values()] or [np.array([])])
    has_negative = bool((values < 0).any())
    floor = loss_floor(values)
    notes = []
    for index, (key, raw) in enumerate(series.items()):
        style = {**SERIES_STYLE.get(key, {"label": key}), **(styles or {}).get(key, {})}
        style.setdefault("color", f"C{index}")
        style.setdefault("linestyle", "-")
        epochs = np.arange(1, len(raw) + 1)
        shown = raw.copy()
        if not has_negative:
            zero = shown == 0
            shown[zero] = floor
            if zero.any():
                ax.plot(epochs[zero], shown[zero], "o", mfc="none", color=style["color"], ms=6)
        ax.plot(epochs, shown, marker="." if len(raw) <= 60 else None, **style)
        if not np.isfinite(raw).all():
            bad = int(np.argmax(~np.isfinite(raw)))
            notes.append(f"{style['label']}: not finite from epoch {bad + 1}")
    notes += set_loss_scale(ax, values, floor)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_ylabel(f"loss ({ax.get_yscale()} scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="best", framealpha=0.9)
    if notes:
        ax.text(
            0.01,
            0.01,
            "\n".join(notes),
            transform=ax.transAxes,
            fontsize=8,
            va="bottom",
            color="dimgray",
        )
    if title:
        ax.set_title(title)
    return ax


def loss_floor(values: np.ndarray) -> float:
    """Where a log axis draws an exact zero: a decade below the smallest positive value."""
    positive = values[values > 0]
    return float(10 ** np.floor(np.log10(positive.min()) - 1)) if positive.size else 1e-8


def set_loss_scale(ax: Any, values: np.ndarray, floor: float) -> list[str]:
    """The y scale of :func:`plot_loss_history` for these (finite) values: log, or linear
    when all are negative, symmetric-log when both signs occur; returns notes saying why."""
    notes = []
    has_negative = bool((values < 0).any())
    positive = values[values > 0]
    if has_negative and not positive.size:
        # e.g. cosine similarity, all in [-1, 0]: a linear axis reads best
        ax.set_yscale("linear")
        notes.append("loss is negative (e.g. cosine similarity, -1 is best): linear axis")
    elif has_negative:
        magnitude = np.abs(values[values != 0])
        linthresh = float(min(magnitude.min(), 1.0)) if magnitude.size else 1.0
        ax.set_yscale("symlog", linthresh=linthresh)
        ax.yaxis.set_major_formatter(PlainLogFormatter())
        ax.axhline(0, color="gray", lw=0.8)
        notes.append("loss takes negative and positive values: symmetric-log axis")
    else:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(PlainLogFormatter())
        ax.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))
        if (values == 0).any():
            ax.axhline(
                floor, color="gray", ls="--", lw=0.8, label=f"exactly 0 (drawn at {floor:g})"
            )
    return notes
