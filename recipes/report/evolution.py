"""Training as it happens, drawn from a run's recording (:mod:`recipes.recording`):
``boundary_epochs.png`` (small multiples, epoch and loss under each panel) and the animation
(left the boundary with its margins, right the loss curve with a marker moving along it, one
frame per recorded epoch). Every panel is :func:`recipes.report.regions.draw_boundary`.

The animation's boundaries are the sheet's panels, copied as pixels: each epoch's boundary is
drawn once. Its figure (the loss panel, the title, the legend) is drawn once too, then each
frame's caption and loss marker over a copy of it, and Pillow writes the frames as a GIF; an
MP4 goes through matplotlib's ffmpeg writer. Drawing every frame whole took about 1 s a frame,
most of it the loss panel's log-axis ticks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import matplotlib.animation
import numpy as np

from recipes.files import replaced_atomically
from recipes.report import canvas, plots
from recipes.report.regions import cues_text, draw_boundary, named_classes

FRAME_MS = 700
TEXT_DPI = 80  # the animation's texts: its boundaries keep the sheet's pixels
SHEET_MARKER_SIZE = 3
ANIMATION_FONT = 10  # points at TEXT_DPI: letters about 11 pixels high (7 points read as 7)
EPOCH_MARKER = {"marker": "D", "ms": 8, "color": "black", "mec": "white", "mew": 1.0}


def animation_format(requested: str) -> str | None:
    """``gif`` or ``mp4`` for the ``plots.animation`` setting (auto: mp4 when matplotlib finds
    ffmpeg), None for ``none``."""
    if requested == "none":
        return None
    if requested == "auto":
        return "mp4" if matplotlib.animation.writers.is_available("ffmpeg") else "gif"
    return requested


def caption(recording: Any, index: int, margins: bool = True) -> str:
    """Epoch and training loss, and with margins how many points are wrong or inside them."""
    text = f"epoch {recording.epochs[index]}, loss {recording.losses()[index]:.3g}"
    levels = recording.levels
    if levels is None or not margins:
        return text
    scores, labels = recording.point_scores[index], recording.labels
    wrong = int(levels.misclassified(scores, labels).sum())
    inside = int(levels.costs_loss(scores, labels).sum()) - wrong
    return f"{text}\n{wrong} wrong, {inside} inside the margin (of {len(labels)})"


def plot_boundary_epochs(
    recording: Any,
    title: str = "",
    axes: Sequence[Any] | None = None,
    columns: int = 5,
    dpi: int = 120,
    margins: bool = True,
) -> Any:
    """Small multiples, one panel per recorded epoch, epoch and loss under each. Draws into
    ``axes`` when given (one per epoch), else a new figure; returns the figure."""
    count = len(recording.epochs)
    new = axes is None
    if new:
        rows, width = math.ceil(count / columns), min(count, columns)
        figure = canvas.new_figure(figsize=(2.6 * width, 2.9 * rows), dpi=dpi)
        grid = figure.add_gridspec(rows, width)
        axes = [figure.add_subplot(grid[i // width, i % width]) for i in range(count)]
    captions = [caption(recording, index, margins) for index in range(len(axes))]
    for index, (ax, text) in enumerate(zip(axes, captions, strict=True)):
        draw_boundary(ax, recording, index, margins=margins, legend=False,
                      marker_size=SHEET_MARKER_SIZE, counts=False)  # fmt: skip
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(text, fontsize=8)
    figure = axes[0].figure
    if title:
        figure.suptitle(title, fontsize=10)
    if new:  # the captions' and title's heights known: no tight_layout
        below = canvas.text_height(8, max(c.count("\n") + 1 for c in captions)) + 0.1
        top = canvas.text_height(10) + 0.25 if title else 0.15
        canvas.fixed_layout(figure, (0.15, 0.15, below + 0.05, top), (0.2, below + 0.1))
    return figure


class AnimationFigure(NamedTuple):
    """What stays the same in every frame (``figure``: the loss panel, the title, the
    legend) and what each frame moves: the caption ``text``, the loss ``marker`` and ``line``;
    ``top`` and ``left``: where, in pixels, each frame's boundary panel goes."""

    figure: Any
    loss_ax: Any
    text: Any
    marker: Any
    line: Any
    top: int
    left: int


def animation_figure(
    panel_shape: tuple[int, ...],
    sheet_ax: Any,
    recording: Any,
    title: str = "",
    class_names: Mapping[int, str] | None = None,
) -> AnimationFigure:
    """The animation's figure around a boundary panel of ``panel_shape`` pixels: the loss
    curve right of it, the title above, and below it the legend of ``sheet_ax`` (the sheet's
    last panel: the end of training; without counts, which each frame's caption gives),
    its texts ANIMATION_FONT points at TEXT_DPI, its markers at draw_boundary's default size
    (the sheet's panels draw them at 3 points)."""
    dpi = TEXT_DPI
    high, wide = panel_shape[:2]
    left, top, gap, below = (round(dpi * inches) for inches in (0.6, 0.95, 0.9, 1.75))
    width, height = left + wide + gap + round(1.4 * wide) + 20, top + high + below
    figure = canvas.new_figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    right = left + wide + gap  # where the loss panel starts; 20 pixels to spare on its right
    loss_ax = figure.add_axes(
        (right / width, below / height, (width - right - 20) / width, high / height)
    )
    marker, line = loss_panel(loss_ax, recording.history)
    centre = (left + wide / 2) / width
    text = figure.text(centre, (below + high + 4) / height, "", ha="center",
                       fontsize=ANIMATION_FONT)  # fmt: skip
    if title:
        figure.suptitle(title, fontsize=ANIMATION_FONT + 2)
    handles, texts = sheet_ax.get_legend_handles_labels()
    # one column under the boundary: two would run under the loss panel's ticks
    figure.legend(handles, named_classes(texts, class_names), fontsize=ANIMATION_FONT, ncol=1,
                  markerscale=4 / SHEET_MARKER_SIZE, loc="upper center",
                  bbox_to_anchor=(centre, (below - 4) / height))  # fmt: skip
    for animated in (text, marker, line):
        animated.set_animated(True)
    return AnimationFigure(figure, loss_ax, text, marker, line, top, left)


def animation_frames(
    sheet: Any,
    recording: Any,
    title: str = "",
    class_names: Mapping[int, str] | None = None,
    margins: bool = True,
) -> list[np.ndarray]:
    """The animation's frames as RGB arrays, at the resolution of ``sheet`` (the drawn
    :func:`plot_boundary_epochs` figure): left each recorded epoch's boundary, its panel of the
    sheet copied as pixels (not drawn again), right the loss curve with a marker at that epoch.
    What stays the same (:func:`animation_figure`) is drawn once; the caption and the marker
    over a copy of it for each frame."""
    panels = sheet_panels(sheet, len(recording.epochs))
    drawn = animation_figure(
        panels[0].shape, sheet.axes[len(panels) - 1], recording, title, class_names
    )
    figure, loss_ax, top, left = drawn.figure, drawn.loss_ax, drawn.top, drawn.left
    figure.canvas.draw()
    background = figure.canvas.copy_from_bbox(figure.bbox)
    losses = recording.losses()
    frames = []
    for index, panel in enumerate(panels):
        figure.canvas.restore_region(background)
        drawn.text.set_text(caption(recording, index, margins))
        low = loss_ax.get_ylim()[0]  # where a log axis shows a loss of 0 or less
        shown = losses[index] if loss_ax.get_yscale() != "log" or losses[index] > 0 else low
        drawn.marker.set_data([recording.epochs[index]], [shown])
        drawn.line.set_data([recording.epochs[index]] * 2, loss_ax.get_ylim())
        for animated in (drawn.line, drawn.text, drawn.marker):
            figure.draw_artist(animated)
        frame = canvas.rendered_pixels(figure)
        frame[top : top + panel.shape[0], left : left + panel.shape[1]] = panel
        frames.append(frame)
    return frames


def sheet_panels(sheet: Any, count: int) -> list[np.ndarray]:
    """The pixels of the first ``count`` panels of the drawn ``sheet``."""
    pixels = canvas.rendered_pixels(sheet)
    panels = []
    for ax in sheet.axes[:count]:
        box = ax.get_window_extent()
        rows = slice(len(pixels) - round(box.y1), len(pixels) - round(box.y0))
        panels.append(pixels[rows, round(box.x0) : round(box.x1)])
    return panels


def loss_panel(ax: Any, history: Mapping[str, Sequence[float]]) -> tuple[Any, Any]:
    """The animation's loss curve in ``ax``, and the (empty) marker and line each frame moves
    to its epoch: a filled black diamond on a dotted line, not a red ring, which marks the
    misclassified points beside it."""
    plots.plot_loss_history(history, ax=ax, title="loss per epoch")
    ax.grid(False, which="minor")
    (marker,) = ax.plot([], [], ls="none", zorder=5, label="this frame's epoch", **EPOCH_MARKER)
    (line,) = ax.plot([], [], color="black", ls=":", lw=1, zorder=4)
    ax.legend(loc="upper right", fontsize=ANIMATION_FONT, framealpha=0.9)
    return marker, line


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


def write_mp4(frames: Sequence[np.ndarray], path: Path) -> Path:
    """The frames as an MP4 by matplotlib's ffmpeg writer (atomically)."""
    height, width = frames[0].shape[:2]
    figure = canvas.new_figure(figsize=(width / 100, height / 100), dpi=100)
    image = figure.add_axes((0, 0, 1, 1)).imshow(frames[0])
    figure.axes[0].set_axis_off()
    writer = matplotlib.animation.FFMpegWriter(fps=1000 / FRAME_MS)
    with replaced_atomically(path) as temporary, writer.saving(figure, str(temporary), 100):
        for frame in frames:
            image.set_data(frame)
            writer.grab_frame()
    return Path(path)


def write_evolution_figures(
    folder: Path,
    recording: Any,
    title_run: str,
    plots_config: Any,
    class_names: Mapping[int, str] | None = None,
) -> list[Path]:
    """boundary_epochs.png and training.gif (or .mp4) of one run; returns their paths.
    Without margins (``plots.margins: false``) the panels show the threshold alone."""
    dpi, margins = plots_config.dpi, plots_config.margins
    levels = recording.levels
    about = f" ({cues_text(levels)})" if levels is not None and margins else ""
    figure = plot_boundary_epochs(
        recording, f"{title_run}: the boundary as it trains{about}", dpi=dpi, margins=margins
    )
    written = [plots.save_figure(figure, folder / "boundary_epochs.png", dpi=dpi)]
    suffix = animation_format(plots_config.animation)
    if suffix is not None:
        frames = animation_frames(figure, recording, title_run, class_names, margins)
        write = write_gif if suffix == "gif" else write_mp4
        written.append(write(frames, folder / f"training.{suffix}"))
    return written
