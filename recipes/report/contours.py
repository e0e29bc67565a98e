"""Contour lines of one level, traced by contourpy (matplotlib's own contouring library) and
drawn as one line collection, labelled the way ``clabel`` labels them.

``ax.contour`` + ``ax.clabel`` built a ContourSet and a labelled, split copy of its paths for
every level of every panel (about 60 a hinge run), and placed the labels with the figure's
layout of that moment, before the layout was done. :class:`ContourLines` traces the lines
once and places its labels as it is drawn, in the pixels of the final layout: on the
straightest stretch of each piece long enough to hold one, turned along the line, the line
cut where the label sits. :meth:`ContourLines.set_data` traces a new field on the same
artist (the animation's frames).
"""

from __future__ import annotations

from typing import Any

import contourpy
import matplotlib.artist
import matplotlib.collections
import matplotlib.text
import matplotlib.transforms
import numpy as np

LABEL_PAD = 3.0  # pixels of line left out on each side of a label, as clabel's inline_spacing
_LABEL_WIDTHS: dict[tuple[str, float, float], float] = {}  # (text, font size, dpi): pixels


class ContourLines(matplotlib.artist.Artist):
    """The contour of ``z`` (on the grid ``x``, ``y``: vectors) at ``level``; with ``label``,
    that text on each piece long enough, clabel's way. Lines at zorder 2, labels above the
    points (zorder 3), as ContourSet and clabel."""

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        z: np.ndarray,
        level: float,
        label: str | None = None,
        fontsize: float = 7,
        **line_style: Any,
    ) -> None:
        super().__init__()
        self.level = float(level)
        self.label = label
        self.fontsize = fontsize
        self.lines = matplotlib.collections.LineCollection([], **line_style)
        self.labels = _Labels(self)
        self.pieces: list[np.ndarray] = []
        self.set_zorder(2)
        self.set_data(x, y, z)

    def set_data(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> None:
        """Trace the contour of a new field."""
        z = np.ma.masked_invalid(np.asarray(z, dtype="float64"), copy=False)
        generator = contourpy.contour_generator(
            np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"), z,
            line_type=contourpy.LineType.Separate,
        )  # fmt: skip
        self.pieces = [piece for piece in generator.lines(self.level) if len(piece) > 1]
        self.stale = True

    def set_figure(self, figure: Any) -> None:
        super().set_figure(figure)
        self.lines.set_figure(figure)

    def draw(self, renderer: Any) -> None:
        if not self.get_visible():
            return
        screen = [self.axes.transData.transform(piece) for piece in self.pieces]
        placed: list[tuple[float, float, float]] = []
        if self.label:
            width = self._label_width(renderer)
            screen = [cut for piece in screen for cut in _labelled(piece, width, placed, self)]
        self.lines.set_segments(screen)
        self.lines.set_transform(matplotlib.transforms.IdentityTransform())
        self.lines.set_clip_box(self.axes.bbox)
        self.lines.set_clip_path(self.axes.patch)
        self.lines.draw(renderer)
        self.labels.placed = placed
        self.stale = False

    def _label_width(self, renderer: Any) -> float:
        key = (self.label, self.fontsize, renderer.dpi)
        if key not in _LABEL_WIDTHS:  # the same few labels on every panel
            text = matplotlib.text.Text(0, 0, self.label, fontsize=self.fontsize)
            text.set_figure(self.figure)
            _LABEL_WIDTHS[key] = float(text.get_window_extent(renderer).width)
        return _LABEL_WIDTHS[key]

    def inside(self, point: np.ndarray) -> bool:
        return bool(self.axes.bbox.contains(*point))


class _Labels(matplotlib.artist.Artist):
    """The labels of a :class:`ContourLines`, placed by its last drawing."""

    def __init__(self, lines: ContourLines) -> None:
        super().__init__()
        self.owner = lines
        self.placed: list[tuple[float, float, float]] = []
        self.text: matplotlib.text.Text | None = None
        self.set_zorder(3)

    def draw(self, renderer: Any) -> None:
        owner = self.owner
        if not self.get_visible() or not owner.get_visible():
            return
        if self.placed and self.text is None:
            self.text = matplotlib.text.Text(
                0, 0, owner.label, fontsize=owner.fontsize, color=owner.lines.get_edgecolor()[0],
                ha="center", va="center", rotation_mode="anchor",
                transform=matplotlib.transforms.IdentityTransform(),
            )  # fmt: skip
            self.text.set_figure(owner.figure)
        for x, y, angle in self.placed:  # one text moved and turned for each label
            self.text.set_position((x, y))
            self.text.set_rotation(angle)
            self.text.draw(renderer)
        self.stale = False


def add_contour(ax: Any, contour: ContourLines) -> ContourLines:
    """Add the lines and their labels to ``ax``; returns ``contour``."""
    ax.add_artist(contour)
    ax.add_artist(contour.labels)
    return contour


def _labelled(
    piece: np.ndarray, width: float, placed: list[tuple[float, float, float]], owner: ContourLines
) -> list[np.ndarray]:
    """``piece`` (pixels) cut where a label goes, the label's (x, y, angle) appended to
    ``placed``: clabel's rules, a piece labelled when it spans 1.2 label widths, on its
    straightest block of about a label's width of vertices, not within 1.2 widths of another."""
    if width <= 0 or not (np.ptp(piece, axis=0) > 1.2 * width).any():
        return [piece]
    steps = np.hypot(*np.diff(piece, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    spot = _straightest(piece, along, width, placed, owner)
    if spot is None:
        return [piece]
    middle = along[spot]
    before, after = middle - width / 2 - LABEL_PAD, middle + width / 2 + LABEL_PAD
    x, y = np.interp(middle, along, piece[:, 0]), np.interp(middle, along, piece[:, 1])
    direction = _point_at(piece, along, after) - _point_at(piece, along, before)
    angle = float(np.degrees(np.arctan2(direction[1], direction[0])))
    angle = (angle + 90) % 180 - 90  # never upside down
    placed.append((float(x), float(y), angle))
    closed = np.allclose(piece[0], piece[-1])
    head = _stretch(piece, along, along[0], before)
    tail = _stretch(piece, along, after, along[-1])
    if closed and len(head) and len(tail):  # one line from after the label round to before it
        return [np.concatenate([tail, head[1:]])]
    return [part for part in (head, tail) if len(part) > 1]


def _straightest(
    piece: np.ndarray,
    along: np.ndarray,
    width: float,
    placed: list[tuple[float, float, float]],
    owner: ContourLines,
) -> int | None:
    """The vertex in the middle of the straightest stretch one label wide (in the axes, not
    close to a placed label), or None."""
    half = width / 2
    centres = np.flatnonzero((along >= half) & (along <= along[-1] - half))
    if centres.size == 0:
        return None
    candidates = centres[:: max(1, centres.size // 40)]
    starts = np.searchsorted(along, along[candidates] - half)
    ends = np.minimum(np.searchsorted(along, along[candidates] + half), len(along) - 1)
    chords = np.hypot(*(piece[ends] - piece[starts]).T)
    arcs = np.maximum(along[ends] - along[starts], 1e-9)
    order = np.argsort(-(chords / arcs), kind="stable")
    for choice in candidates[order]:
        point = piece[choice]
        near = any((point[0] - x) ** 2 + (point[1] - y) ** 2 < (1.2 * width) ** 2
                   for x, y, _ in placed)  # fmt: skip
        if owner.inside(point) and not near:
            return int(choice)
    return None


def _point_at(piece: np.ndarray, along: np.ndarray, distance: float) -> np.ndarray:
    distance = float(np.clip(distance, along[0], along[-1]))
    return np.array(
        [np.interp(distance, along, piece[:, 0]), np.interp(distance, along, piece[:, 1])]
    )


def _stretch(piece: np.ndarray, along: np.ndarray, start: float, end: float) -> np.ndarray:
    """The part of ``piece`` between two distances along it (interpolated ends)."""
    if end <= start:
        return piece[:0]
    inner = piece[(along > start) & (along < end)]
    return np.concatenate([[_point_at(piece, along, start)], inner, [_point_at(piece, along, end)]])
