"""Importing the plotting modules chooses no matplotlib backend and imports no pyplot (a
Jupyter kernel keeps its inline plots), and their figures still save."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from recipes.report import canvas


def test_importing_the_plotting_modules_leaves_the_backend_alone():
    code = (
        "import matplotlib, sys; matplotlib.use('svg');"
        "import recipes.report.plots, recipes.report.evolution, recipes.report.forces,"
        " recipes.report.regions, recipes.report.comparison_figures, recipes.training.figures;"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert shown == ["svg", "False"]


def test_a_figure_saves_as_an_opaque_png_of_its_pixels(tmp_path):
    from PIL import Image

    ax = canvas.new_axes((2.0, 1.5), dpi=50)
    ax.plot([0, 1], [1, 0])
    ax.set_title("a title")
    path = canvas.save_figure(ax, tmp_path / "line.png")
    with Image.open(path) as image:
        assert (image.mode, image.size) == ("RGB", (100, 75))
        assert np.asarray(image).min() < 128  # something drawn on the white
