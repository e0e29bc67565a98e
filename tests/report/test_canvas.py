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


# ------------------------------------------------- the user's settings stay the user's

MATH_RENDERED = """
def math_rendered(figure):
    '''Whether a plain matplotlib figure (a user's) draws its $\\\\alpha$ title as math: the
    glyph alpha is far narrower than the eight characters written.'''
    title = figure.add_subplot().set_title("$\\\\alpha$")
    literal = figure.text(0, 0, "$\\\\alpha$", parse_math=False)
    figure.canvas.draw()
    return bool(title.get_window_extent().width < 0.5 * literal.get_window_extent().width)
"""


def test_a_user_figure_renders_math_and_a_project_figure_draws_it_as_written(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    namespace: dict = {}
    exec(MATH_RENDERED, namespace)
    ax = canvas.new_axes((3.0, 2.0), dpi=50)
    title = ax.set_title("$\\alpha$ price $US$")  # made outside any drawing, as callers do
    ax.set_xticks([0, 1], labels=["$x_$", "b"])  # math that fails to parse: drawing raised
    canvas.save_figure(ax, tmp_path / "project.png")
    assert not title.get_parse_math()
    assert all(not tick.label1.get_parse_math() for tick in ax.xaxis.get_major_ticks())
    user = Figure()
    FigureCanvasAgg(user)
    assert namespace["math_rendered"](user)


def test_importing_the_project_and_a_run_leave_rcparams_and_the_users_math_alone(tmp_path):
    """In a fresh process, as in a notebook: the rcParams before ``import recipes``, after it
    (and its plotting modules), and after a shrunk ``recipes.run`` that drew its figures; then
    a user's own ``$\\alpha$`` title still renders as math."""
    import json

    import yaml
    from conftest import run_python, shrink_overrides

    overrides = dict(text.split("=", 1) for text in shrink_overrides("hinge"))
    overrides = {key: yaml.safe_load(value) for key, value in overrides.items()}
    code = MATH_RENDERED + (
        "import json, sys, matplotlib\n"
        "before = dict(matplotlib.rcParams)\n"
        "def changed():\n"
        "    now = dict(matplotlib.rcParams)\n"
        "    return sorted(key for key in before if now[key] != before[key])\n"
        "import recipes, recipes.report.plots, recipes.training.figures\n"
        "after_import = changed()\n"
        "run = recipes.run('hinge', json.loads(sys.argv[1]), output_root=sys.argv[2])\n"
        "drawn = sorted(path.name for path in run.folder.glob('*.png'))\n"
        "from matplotlib.figure import Figure\n"
        "from matplotlib.backends.backend_agg import FigureCanvasAgg\n"
        "user = Figure(); FigureCanvasAgg(user)\n"
        "print(json.dumps([after_import, changed(), drawn, math_rendered(user)]))\n"
    )
    arguments = ("-c", code, json.dumps(overrides), str(tmp_path))
    result = run_python(*arguments, env={"KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-3000:]
    after_import, after_run, drawn, math_rendered = json.loads(result.stdout.splitlines()[-1])
    assert (after_import, after_run) == ([], [])
    assert "decision_boundary.png" in drawn  # the run drew its figures in this process
    assert math_rendered


def test_while_figures_are_drawn_the_collector_leaves_out_the_older_objects():
    import gc

    with canvas.collecting_new_objects_only():
        assert gc.get_freeze_count() > 0  # what existed before the block: left out
    assert gc.get_freeze_count() == 0  # given back to the collector after it
    gc.freeze()  # someone else's frozen objects stay theirs
    try:
        frozen = gc.get_freeze_count()
        with canvas.collecting_new_objects_only():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
