"""Figures without pyplot: a :class:`matplotlib.figure.Figure` on its own Agg canvas, laid out
once and saved atomically, in one drawing.

No backend is chosen and pyplot is never imported here, so importing the project's plotting
modules leaves a Jupyter kernel's inline plots (or any other backend) as they were, and a
figure belongs to no global registry: nothing to close, safe to draw in a thread.

Every text in the project's figures is drawn as written: math text (``$...$``) and TeX are off
(:data:`PLAIN_TEXT`), because titles, legends, axis and tick labels carry what users wrote. The
setting is the figure's own (:class:`PlainTextFigure`), never ``matplotlib.rcParams``: a user's
own figures in the same kernel keep rendering their ``$\\alpha$``.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.text
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine

from recipes.files import replaced_atomically

FIGURE_SIZE = (6.4, 4.8)
SQUARE_FIGURE_SIZE = (5.6, 5.6)
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}


@contextlib.contextmanager
def drawn_as_written(artist: Any) -> Iterator[None]:
    """Math text and TeX off for ``artist``'s texts (each text's own setting) and, for the
    block, for the texts matplotlib makes as it draws or lays out (tick labels read
    :data:`PLAIN_TEXT`'s settings when they are made): ``matplotlib.rc_context`` restores the
    user's settings after the block."""
    with matplotlib.rc_context(PLAIN_TEXT):
        for text in artist.findobj(matplotlib.text.Text):
            text.set_parse_math(False)
            if text.get_usetex():
                text.set_usetex(False)
        yield


@contextlib.contextmanager
def collecting_new_objects_only() -> Iterator[None]:
    """For the block, the cyclic garbage collector leaves out the objects that existed before
    it (``gc.freeze``; ``gc.unfreeze`` gives them back to it after the block, so nothing is
    kept longer than a later collection would keep it). Drawing a run's figures makes tens of
    thousands of objects in cycles (artists and their figure), enough to set off a collection
    of the oldest generation, which walks every object of the process: in a run, with Keras,
    JAX and TensorFlow loaded, about 315,000 of them: 0.18-0.58 s of a 1.3-1.8 s drawing, in
    6 of 7 warm ``python -m recipes run hinge`` measured on a loaded 2-core machine. Left
    alone where something else has frozen objects (``gc.get_freeze_count``, as the lab's
    server does): their freezer unfreezes them."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class PlainTextFigure(Figure):
    """A figure that draws and lays out its texts as written (:func:`drawn_as_written`),
    whichever way it is drawn: saved, shown inline, drawn a panel at a time, laid out."""

    def draw(self, renderer: Any) -> None:
        with drawn_as_written(self):
            super().draw(renderer)

    def draw_artist(self, artist: Any) -> None:
        with drawn_as_written(artist):
            super().draw_artist(artist)

    def tight_layout(self, **options: Any) -> None:
        with drawn_as_written(self):
            super().tight_layout(**options)


def legend_label(text: object) -> str:
    """``text`` as a legend entry that is always shown: matplotlib leaves out an artist whose
    label starts with ``_`` (a user's class ``_neg``), so such a label gets a zero-width space
    in front."""
    text = str(text)
    return "\u200b" + text if text.startswith("_") else text


def new_figure(figsize: tuple[float, float] = FIGURE_SIZE, dpi: int = 120) -> Figure:
    """An empty :class:`PlainTextFigure` on an Agg canvas, laid out by :func:`fixed_layout` or
    by one ``tight_layout`` when it is saved (:func:`save_figure`)."""
    figure = PlainTextFigure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def new_axes(figsize: tuple[float, float] = FIGURE_SIZE, dpi: int = 120) -> Any:
    """One axes on a :func:`new_figure`."""
    return new_figure(figsize, dpi).add_subplot()


def subplots(
    rows: int = 1,
    columns: int = 1,
    figsize: tuple[float, float] = FIGURE_SIZE,
    dpi: int = 120,
    **options: Any,
) -> tuple[Figure, Any]:
    """``pyplot.subplots`` on a :func:`new_figure`: (figure, axes as pyplot returns them)."""
    figure = new_figure(figsize, dpi)
    return figure, figure.subplots(rows, columns, **options)


def fixed_layout(
    figure: Figure,
    margins: tuple[float, float, float, float],
    gaps: tuple[float, float] = (0.0, 0.0),
) -> Figure:
    """Lay out a grid of panels in inches instead of by ``tight_layout`` (a drawing's worth of
    measuring, for panels whose texts the caller knows): ``margins`` (left, right, bottom,
    top) from the figure's edges, ``gaps`` (across, down) between the panels.
    :func:`save_figure` keeps this layout. Returns ``figure``."""
    width, height = figure.get_size_inches()
    left, right, bottom, top = margins
    grid = figure.axes[0].get_subplotspec().get_gridspec()
    rows, columns = grid.get_geometry()
    panel_width = (width - left - right - gaps[0] * (columns - 1)) / columns
    panel_height = (height - bottom - top - gaps[1] * (rows - 1)) / rows
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
        wspace=gaps[0] / panel_width, hspace=gaps[1] / panel_height,
    )  # fmt: skip
    figure.set_layout_engine(PlaceHolderLayoutEngine(True, True))
    return figure


def text_height(fontsize: float, lines: int = 1) -> float:
    """Inches taken by ``lines`` lines of text at ``fontsize`` points (matplotlib's 1.2 line
    spacing)."""
    return lines * fontsize * 1.2 / 72


def save_figure(ax_or_figure: Any, path: Path, dpi: int | None = None) -> Path:
    """Save atomically (temporary file, then rename) after one layout pass (``tight_layout``,
    unless the figure has a layout engine of its own), drawn once: a PNG of an Agg canvas is
    written from the canvas's pixels as RGB (the figures are opaque; about half the time of
    savefig's RGBA PNG, and a smaller file) at zlib level 1 (a third less time than the
    default 6, files 5-10% larger: flat colours compress well either way). A pyplot figure
    is closed afterwards."""
    figure = getattr(ax_or_figure, "figure", ax_or_figure)
    try:
        if dpi and dpi != figure.dpi:
            figure.set_dpi(dpi)
        if figure.get_layout_engine() is None:
            figure.tight_layout()
        with replaced_atomically(path) as temporary:
            if Path(path).suffix.lower() == ".png" and isinstance(figure.canvas, FigureCanvasAgg):
                figure.canvas.draw()
                image = PIL.Image.fromarray(rendered_pixels(figure))
                image.save(temporary, format="PNG", dpi=(figure.dpi, figure.dpi), compress_level=1)
            else:
                figure.savefig(temporary, dpi=figure.dpi)
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")  # a pyplot figure exists only if imported
        if pyplot is not None:
            pyplot.close(figure)
    return Path(path)


def rendered_pixels(figure: Figure) -> np.ndarray:
    """The figure as drawn last on its Agg canvas, RGB (height, width, 3), a copy."""
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].copy()
