"""Training as it happens, drawn from a :class:`~recipes.training.recording.BoundaryRecording`:
``boundary_epochs.png`` (small multiples, epoch and loss under each panel) and the animation
(left the boundary with its margins, right the loss curve with a marker moving along it, one
frame per recorded epoch).

The animation is drawn on one figure: laid out and drawn whole once, then each frame redraws
only what changes (the boundary panel and the marker) over a copy of the rest, and Pillow
writes the frames as a GIF; an MP4 goes through matplotlib's ffmpeg writer. Drawing every
frame whole through matplotlib's GIF writer took about 1 s a frame, most of it the loss
panel's log-axis ticks, the same in every frame.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.animation
import matplotlib.colors
import numpy as np

from recipes.files import replaced_atomically
from recipes.report import canvas, margins, plots

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
    ax: Any,
    recording: Any,
    index: int,
    spec: margins.MarginSpec,
    ring: bool = True,
    points: bool = True,
) -> Any:
    """One recorded epoch: class regions from the grid scores, the margin contours, the
    points (unless ``points`` is False), and rings around those still costing loss. Returns
    ``ax``. Points and rings are marker lines (``plot``), a few times cheaper to make than
    ``scatter`` and drawn the same."""
    xx, yy = recording.xx, recording.yy
    shown = spec.shown(recording.grid_scores[index]).reshape(xx.shape)
    draw_threshold_regions(ax, xx, yy, shown, spec.levels[1])
    margins.plot_margin_contours(ax, xx, yy, recording.grid_scores[index], spec)
    # the colours and markers of decision_boundary.png: negative class C0 squares, positive C1
    for label in sorted(np.unique(recording.labels).tolist()) if points else []:
        chosen = recording.labels == label
        ax.plot(
            recording.points[chosen, 0], recording.points[chosen, 1], ls="none", ms=3,
            color="C1" if label == 1 else "C0", marker="^" if label == 1 else "s",
            mec="black", mew=0.2, label=str(label),
        )  # fmt: skip
    if ring and spec.drawn:
        margins.ring_costing_points(
            ax, recording.points, recording.labels, recording.point_scores[index], spec
        )
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal", adjustable="box")
    return ax


REGION_MAP = matplotlib.colors.ListedColormap(["C0", "C1"])  # decision_boundary.png's colours


def draw_threshold_regions(
    ax: Any, xx: np.ndarray, yy: np.ndarray, shown: np.ndarray, threshold: float
) -> Any:
    """Both sides of ``threshold`` on a coarse grid of scores as one image: the scores are
    interpolated to the screen's pixels before they are thresholded (``interpolation_stage``
    "data"), so the edge is as smooth as a contour of the scores, not the grid's staircase."""
    columns, rows = xx.shape[1], xx.shape[0]
    half_x = (xx[0, -1] - xx[0, 0]) / max(columns - 1, 1) / 2
    half_y = (yy[-1, 0] - yy[0, 0]) / max(rows - 1, 1) / 2
    extent = (xx[0, 0] - half_x, xx[0, -1] + half_x, yy[0, 0] - half_y, yy[-1, 0] + half_y)
    low, high = min(float(np.nanmin(shown)), threshold), max(float(np.nanmax(shown)), threshold)
    norm = matplotlib.colors.BoundaryNorm([low - 1.0, threshold, high + 1.0], 2)
    return ax.imshow(
        shown, origin="lower", extent=extent, cmap=REGION_MAP, norm=norm, alpha=0.3,
        interpolation="bilinear", interpolation_stage="data", aspect="auto", zorder=0,
    )  # fmt: skip


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
    new = axes is None
    if new:
        rows = math.ceil(count / columns)
        width = min(count, columns)
        figure = canvas.new_figure(figsize=(2.6 * width, 2.9 * rows), dpi=dpi)
        grid = figure.add_gridspec(rows, width)
        axes = [figure.add_subplot(grid[i // width, i % width]) for i in range(count)]
    captions = [_panel_caption(recording, index, spec) for index in range(len(axes))]
    for ax, caption, index in zip(axes, captions, range(len(axes)), strict=True):
        plot_recorded_boundary(ax, recording, index, spec)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(caption, fontsize=8)
    figure = axes[0].figure
    if title:
        figure.suptitle(title, fontsize=10)
    if new:  # the captions' and title's heights known: no tight_layout
        caption = canvas.text_height(8, max(c.count("\n") + 1 for c in captions)) + 0.1
        top = canvas.text_height(10) + 0.25 if title else 0.15
        canvas.fixed_layout(figure, (0.15, 0.15, caption + 0.05, top), (0.2, caption + 0.1))
    return figure


def training_animation_frames(
    recording: Any,
    history: Mapping[str, Sequence[float]],
    spec: margins.MarginSpec,
    title: str = "",
    class_names: Mapping[int, str] | None = None,
    dpi: int = 80,
) -> tuple[Any, Any, tuple[Any, ...]]:
    """The animation's figure, ``draw(index)``, which shows recorded epoch ``index`` (left
    the boundary with its margins, right the loss curve with a marker at that epoch), and the
    artists ``draw`` changes. The figure is laid out once, on the first frame, and keeps that
    layout."""
    figure, (left, right) = canvas.subplots(1, 2, figsize=(10, 5.4), dpi=dpi)
    plots.plot_loss_history(history, ax=right, title="loss per epoch")
    right.grid(False, which="minor")
    (marker,) = right.plot([], [], "o", ms=11, mfc="none", mec="crimson", mew=2, zorder=5)
    names = class_names or {}
    drawn: list[Any] = []  # the artists of the frame shown, replaced by the next one's

    def draw(index: int) -> None:
        for artist in drawn:
            artist.remove()
        before = set(left.get_children())
        plot_recorded_boundary(left, recording, index, spec)
        drawn[:] = [artist for artist in left.get_children() if artist not in before]
        handles, texts = left.get_legend_handles_labels()
        texts = [plots.legend_label(names.get(int(t), t) if plots._is_int(t) else t) for t in texts]
        shown = left.get_legend()
        if shown is None or [t.get_text() for t in shown.get_texts()] != texts:
            # below the axes, where it hides no points; a new one only when its words change
            left.legend(
                handles, texts, fontsize=7, ncol=2, loc="upper center",
                bbox_to_anchor=(0.5, -0.02),
            )  # fmt: skip
        left.set_title(_panel_caption(recording, index, spec).replace("\n", "; "), fontsize=9)
        marker.set_data([recording.epochs[index]], [_shown_loss(right, recording, index)])

    left.set_xticks([])
    left.set_yticks([])
    if title:
        figure.suptitle(title, fontsize=10)
    draw(0)
    figure.tight_layout()  # once: the frames differ only in their counts
    figure.subplots_adjust(bottom=0.2)  # room for the legend below the boundary
    return figure, draw, (left, marker)


def _shown_loss(ax: Any, recording: Any, index: int) -> float:
    """The training loss at the frame's epoch, where the loss axis can show it."""
    value = recording.losses[index]
    if ax.get_yscale() == "log" and not value > 0:
        return ax.get_ylim()[0]
    return value


def animation_frames(
    figure: Any, draw: Any, changing: Sequence[Any], count: int
) -> list[np.ndarray]:
    """The frames of :func:`training_animation_frames` as RGB arrays: what stays the same
    (the loss panel, the title) drawn once and copied, the ``changing`` artists (the boundary
    panel first, then the marker) drawn over the copy for each frame; the boundary panel's
    legend is drawn only when it is a new one (its words changed), else copied."""
    for artist in changing:
        artist.set_animated(True)  # left out of a whole-figure drawing
    figure.canvas.draw()
    background = figure.canvas.copy_from_bbox(figure.bbox)
    frames: list[np.ndarray] = []
    legend, legend_pixels = None, None  # the legend as last drawn, and its pixels
    for index in range(count):
        if index:
            draw(index)
        figure.canvas.restore_region(background)
        shown = changing[0].get_legend()  # the boundary panel's, below it
        same = shown is not None and shown is legend
        if same:
            figure.canvas.restore_region(legend_pixels)  # copied, not drawn again
        if shown is not None:
            shown.set_visible(False)
        for artist in changing:
            artist.set_animated(True)
            figure.draw_artist(artist)
        if shown is not None:
            shown.set_visible(True)
        if shown is not None and not same:
            figure.draw_artist(shown)
            box = shown.get_window_extent().expanded(1.02, 1.05)
            legend, legend_pixels = shown, figure.canvas.copy_from_bbox(box)
        frames.append(canvas.rendered_pixels(figure))
    return frames


def write_gif(frames: Sequence[np.ndarray], path: Path) -> Path:
    """An animated GIF of RGB frames, FRAME_MS each, looping, written by Pillow (atomically):
    each frame reduced to its own palette of at most 256 colours, without dithering (flat
    colours: dithering would only add noise)."""
    from PIL import Image

    octree = Image.Quantize.FASTOCTREE  # a fifth of median cut's time, as good on flat colours
    images = [
        Image.fromarray(frame).quantize(256, method=octree, dither=Image.Dither.NONE)
        for frame in frames
    ]
    with replaced_atomically(path) as temporary:
        images[0].save(
            temporary, format="GIF", save_all=True, append_images=images[1:],
            duration=FRAME_MS, loop=0,
        )  # fmt: skip
    return Path(path)


def save_training_animation(
    recording: Any,
    history: Mapping[str, Sequence[float]],
    spec: margins.MarginSpec,
    path: Path,
    title: str = "",
    class_names: Mapping[int, str] | None = None,
    dpi: int = 80,
) -> Path:
    """Write the animation, one frame per recorded epoch, atomically: a .gif by Pillow from
    :func:`animation_frames`, an .mp4 by matplotlib's ffmpeg writer (each frame drawn whole)."""
    path = Path(path)
    figure, draw, changing = training_animation_frames(
        recording, history, spec, title, class_names, dpi
    )
    count = len(recording.epochs)
    if path.suffix == ".gif":
        return write_gif(animation_frames(figure, draw, changing, count), path)
    writer = matplotlib.animation.FFMpegWriter(fps=1000 / FRAME_MS)
    with replaced_atomically(path) as temporary, writer.saving(figure, str(temporary), dpi):
        for index in range(count):
            draw(index)
            writer.grab_frame()
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
