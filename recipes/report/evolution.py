"""Training as it happens, drawn from a :class:`~recipes.run.recording.BoundaryRecording`:
``boundary_epochs.png`` (small multiples, epoch and loss under each panel) and the animation
(left the boundary with its margins, right the loss curve with a marker moving along it, one
frame per recorded epoch), written with matplotlib's own animation writers (Pillow for GIF,
ffmpeg for MP4 when it is installed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.animation
import matplotlib.pyplot as plt
import numpy as np

from recipes.files import replaced_atomically
from recipes.report import margins, plots

FRAME_MS = 700


def animation_format(requested: str) -> str | None:
    """``gif`` or ``mp4`` for the ``plots.animation`` setting (auto: mp4 when matplotlib finds
    ffmpeg), None for ``none``."""
    if requested == "none":
        return None
    if requested == "auto":
        return "mp4" if matplotlib.animation.writers.is_available("ffmpeg") else "gif"
    return requested


def plot_recorded_boundary(
    ax: Any, recording: Any, index: int, spec: margins.MarginSpec, ring: bool = True
) -> Any:
    """One recorded epoch: class regions from the grid scores, the margin contours, the
    points, and rings around those still costing loss. Returns ``ax``."""
    xx, yy = recording.xx, recording.yy
    shown = spec.shown(recording.grid_scores[index])
    shown = shown.reshape(xx.shape)
    # the colours and markers of decision_boundary.png: negative class C0 squares, positive C1
    positive = (shown >= spec.levels[1]).astype(float)
    ax.contourf(xx, yy, positive, levels=[-0.5, 0.5, 1.5], colors=["C0", "C1"], alpha=0.3)
    margins.plot_margin_contours(ax, xx, yy, recording.grid_scores[index], spec)
    for label in sorted(np.unique(recording.labels).tolist()):
        chosen = recording.labels == label
        ax.scatter(
            recording.points[chosen, 0], recording.points[chosen, 1], s=9,
            c="C1" if label == 1 else "C0", marker="^" if label == 1 else "s",
            edgecolors="black", linewidths=0.2, label=str(label),
        )  # fmt: skip
    if ring and spec.drawn:
        margins.ring_costing_points(
            ax, recording.points, recording.labels, recording.point_scores[index], spec
        )
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal", adjustable="box")
    return ax


def _panel_caption(recording: Any, index: int, spec: margins.MarginSpec) -> str:
    caption = f"epoch {recording.epochs[index]}, loss {recording.losses[index]:.3g}"
    if not spec.drawn:
        return caption
    scores, labels = recording.point_scores[index], recording.labels
    wrong = int(spec.misclassified(scores, labels).sum())
    inside = int(spec.costs_loss(scores, labels).sum()) - wrong
    return f"{caption}\n{wrong} wrong, {inside} inside the margin (of {len(labels)})"


def plot_boundary_epochs(
    recording: Any,
    spec: margins.MarginSpec,
    title: str = "",
    axes: Sequence[Any] | None = None,
    columns: int = 5,
    dpi: int = 120,
) -> Any:
    """Small multiples, one panel per recorded epoch, epoch and loss under each. Draws into
    ``axes`` when given (one per epoch), else a new figure; returns the figure."""
    count = len(recording.epochs)
    if axes is None:
        rows = math.ceil(count / columns)
        width = min(count, columns)
        figure, grid = plt.subplots(rows, width, figsize=(2.6 * width, 2.9 * rows), dpi=dpi)
        grid = np.atleast_1d(grid).reshape(-1)
        for spare in grid[count:]:
            spare.set_visible(False)
        axes = grid[:count]
    for index, ax in enumerate(axes):
        plot_recorded_boundary(ax, recording, index, spec)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(_panel_caption(recording, index, spec), fontsize=8)
    figure = axes[0].figure
    if title:
        figure.suptitle(title, fontsize=10)
    return figure


def training_animation_frames(
    recording: Any,
    history: Mapping[str, Sequence[float]],
    spec: margins.MarginSpec,
    title: str = "",
    class_names: Mapping[int, str] | None = None,
    dpi: int = 80,
) -> tuple[Any, Any]:
    """The animation's figure and ``draw(index)``, which shows recorded epoch ``index``: left
    the boundary with its margins, right the loss curve with a marker at that epoch."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 5.4), dpi=dpi)
    plots.plot_loss_history(history, ax=right, title="loss per epoch")
    right.grid(False, which="minor")  # drawn again every frame: the costliest part of a frame
    (marker,) = right.plot([], [], "o", ms=11, mfc="none", mec="crimson", mew=2, zorder=5)
    names = class_names or {}

    def draw(index: int) -> None:
        left.clear()
        plot_recorded_boundary(left, recording, index, spec)
        handles, texts = left.get_legend_handles_labels()
        texts = [plots.legend_label(names.get(int(t), t) if plots._is_int(t) else t) for t in texts]
        # below the axes, where it hides no points
        left.legend(
            handles, texts, fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.02)
        )
        left.set_title(_panel_caption(recording, index, spec).replace("\n", "; "), fontsize=9)
        left.set_xticks([])
        left.set_yticks([])
        marker.set_data([recording.epochs[index]], [_shown_loss(right, recording, index)])

    if title:
        figure.suptitle(title, fontsize=10)
    draw(0)
    figure.tight_layout()
    figure.subplots_adjust(bottom=0.2)  # room for the legend below the boundary
    return figure, draw


def _shown_loss(ax: Any, recording: Any, index: int) -> float:
    """The training loss at the frame's epoch, where the loss axis can show it."""
    value = recording.losses[index]
    if ax.get_yscale() == "log" and not value > 0:
        return ax.get_ylim()[0]
    return value


def save_training_animation(
    recording: Any,
    history: Mapping[str, Sequence[float]],
    spec: margins.MarginSpec,
    path: Path,
    title: str = "",
    class_names: Mapping[int, str] | None = None,
    dpi: int = 80,
) -> Path:
    """Write the animation, one frame per recorded epoch, with matplotlib's animation writer
    for the suffix (Pillow for .gif, ffmpeg for .mp4), atomically. Frames go straight to the
    writer (``writer.saving`` and ``grab_frame``): FuncAnimation would draw each twice."""
    path = Path(path)
    writer_class = (
        matplotlib.animation.PillowWriter
        if path.suffix == ".gif"
        else matplotlib.animation.FFMpegWriter
    )
    writer = writer_class(fps=1000 / FRAME_MS)
    figure, draw = training_animation_frames(recording, history, spec, title, class_names, dpi)
    try:
        with replaced_atomically(path) as temporary, writer.saving(figure, str(temporary), dpi):
            for index in range(len(recording.epochs)):
                draw(index)
                writer.grab_frame()
    finally:
        plt.close(figure)
    return path


def write_evolution_figures(
    folder: Path,
    recording: Any,
    history: Mapping[str, Sequence[float]],
    spec: margins.MarginSpec,
    title_run: str,
    plots_config: Any,
    class_names: Mapping[int, str] | None = None,
) -> list[Path]:
    """boundary_epochs.png and training.gif (or .mp4) of one run; returns their paths.
    Without margins (``plots.margins: false``) the panels show the threshold alone."""
    dpi = plots_config.dpi
    figure = plot_boundary_epochs(
        recording,
        spec,
        title=f"{title_run}: the boundary as it trains (lines: {spec.text}; rings: red "
        "misclassified, grey inside the margin)",
        dpi=dpi,
    )
    written = [plots.save_figure(figure, folder / "boundary_epochs.png", dpi=dpi)]
    suffix = animation_format(plots_config.animation)
    if suffix is not None:
        path = folder / f"training.{suffix}"
        written.append(
            save_training_animation(recording, history, spec, path, title_run, class_names)
        )
    return written
