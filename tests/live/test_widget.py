"""The lab's notebook widget (recipes.lab, recipes/live/widget.py) without a front end: its
state after training is the run folders', two settings side by side share their starting
weights, a bad setting stops everything before it runs, and a kernel without anywidget gets one
line and the static figures."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from conftest import PROJECT_ROOT, run_python
from widget_fixtures import SMALL, history, watch

import recipes
from recipes.live.widget import ARRAY_KEYS, widget_module


@pytest.fixture(scope="module")
def side_by_side(tmp_path_factory):
    root = tmp_path_factory.mktemp("widget")
    return watch(root, SMALL, {**SMALL, "loss": "squared_hinge"}), root


def test_the_widgets_state_after_training_is_the_run_folders(side_by_side):
    watched, root = side_by_side
    runs, widget = watched.runs, watched.widget
    assert isinstance(runs, list) and [run.status for run in runs] == ["completed"] * 2
    assert runs[0].folder != runs[1].folder and runs[0].folder.parent.parent == root
    for index, run in enumerate(runs):
        side, rows = widget.sides[index], history(run.folder)
        assert side["status"] == "completed" and side["folder"] == str(run.folder)
        assert side["epochs_done"] == side["epochs"] == len(rows) == 3
        assert side["final_loss"] == pytest.approx(run.metrics["final_loss"], rel=1e-6)
        assert side["final_loss"] == pytest.approx(float(rows[-1]["loss"]), rel=1e-6)
        stored = [event["loss"] for event in widget.histories[index]]
        assert stored == pytest.approx([float(row["loss"]) for row in rows], rel=1e-6)
        assert widget.last_epochs[index]["epoch"] == 3
    assert [run.config["loss"]["name"] for run in runs] == ["hinge", "squared_hinge"]
    assert all({"forces", "loss", "decision_boundary"} <= set(run.figures) for run in runs)
    digests = [start["initial_weights"] for start in widget.starts]
    assert digests[0] and digests[0] == digests[1]  # the same data, seed and starting weights


def test_each_epoch_is_sent_as_one_message_with_float32_arrays(side_by_side):
    watched, _ = side_by_side
    epochs = [content for content, _ in watched.messages if content["kind"] == "epoch"]
    assert sorted((c["side"], c["event"]["epoch"]) for c in epochs) == [
        (side, epoch) for side in (0, 1) for epoch in (1, 2, 3)
    ]
    content, buffers = watched.messages[-1]
    shapes = content["arrays"]
    assert list(shapes) == list(ARRAY_KEYS) and not set(ARRAY_KEYS) & set(content["event"])
    grid = np.frombuffer(buffers[0], dtype="float32").reshape(shapes["grid_scores"])
    start = watched.widget.starts[content["side"]]
    assert grid.shape == (len(start["grid_y"]), len(start["grid_x"]))
    forces = np.frombuffer(buffers[2], dtype="float32")
    folder = watched.runs[content["side"]].folder
    recorded = np.load(folder / "recording.npz")["point_forces"][-1]
    assert forces == pytest.approx(recorded, rel=1e-3, abs=1e-6)  # the recording's last epoch
    as_json = len(json.dumps({**content["event"], "grid_scores": grid.tolist()}))
    assert sum(len(buffer) for buffer in buffers) < as_json  # what the buffers save


def test_a_view_that_asks_again_gets_every_epoch_sent_again(side_by_side, monkeypatch):
    """A view drawn after the epochs were sent (a reloaded page) asks for them: the kernel
    sends the same messages again (ipywidgets hands the view's message to on_msg)."""
    from recipes.live.widget import LabWidget

    watched, _ = side_by_side
    again = []
    monkeypatch.setattr(LabWidget, "send", lambda w, c, b=None: again.append((c, list(b or []))))
    watched.widget._handle_custom_msg({"kind": "replay"}, [])
    first = [(c, b) for c, b in watched.messages if c["kind"] == "epoch"]
    by_side = lambda message: message[0]["side"]  # noqa: E731 (each side's in order)
    assert again == sorted(first, key=by_side) and len(again) == 6


def test_a_bad_setting_raises_before_anything_runs(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    with pytest.raises(recipes.RecipeError, match="Did you mean 'epochs'"):
        recipes.lab("hinge", SMALL, {"train.epoch": 5}, output_root=tmp_path)
    with pytest.raises(recipes.RecipeError, match="task"):
        recipes.lab("loss_gallery", output_root=tmp_path)
    assert shown == [] and list(tmp_path.iterdir()) == []


def test_import_recipes_stays_light_and_recipes_lab_is_the_call():
    code = (
        "import sys, recipes, recipes.live.runs, recipes.live.notebook; "
        "print(callable(recipes.lab), sys.modules['recipes.live'].__name__, "
        "'anywidget' in sys.modules, 'keras' in sys.modules)"
    )
    result = run_python("-c", code)
    assert result.stdout.split() == ["True", "recipes.live", "False", "False"], result.stderr


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to parse the module")
def test_the_widgets_module_parses_with_the_pages_scripts_in_it(tmp_path):
    """The page's scripts and widget.js joined: one module, no name declared twice."""
    module = tmp_path / "widget.mjs"
    module.write_text(widget_module(), encoding="utf-8")
    result = subprocess.run(["node", "--check", str(module)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "function drawRegions(" in module.read_text() and "export default" in module.read_text()


def test_without_anywidget_one_line_says_how_to_install_it_and_the_figures_follow(tmp_path):
    # a kernel without anywidget: its import fails (sys.modules holds None for it)
    code = (
        "import sys, json; sys.modules['anywidget'] = None; import recipes; "
        f"run = recipes.lab('hinge', json.loads(sys.argv[1]), output_root={str(tmp_path)!r}); "
        "print('folder:', run.folder)"
    )
    settings = json.dumps({**SMALL, "train.epochs": 2})
    result = run_python("-c", code, settings, timeout=300, env={"KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("recipes.lab: the live view needs anywidget")
    assert "pip install 'keras-loss-recipes[lab]'" in lines[0]
    folder = next(line for line in lines if line.startswith("folder: ")).removeprefix("folder: ")
    assert (PROJECT_ROOT / folder / "loss.png").is_file()  # the run's own figures, drawn
    assert any("Run(" in line for line in lines)  # displayed: its view (plain text here)


def test_an_interrupted_cell_stops_its_runs_recorded_interrupted(tmp_path, monkeypatch):
    """The kernel's stop button raises KeyboardInterrupt in the cell's thread (here: as the
    first epoch reaches the widget); the runs stop at their epoch's end, recorded."""
    from recipes.live.widget import LabWidget

    def interrupt(widget, index, event):
        raise KeyboardInterrupt

    monkeypatch.setattr("IPython.display.display", lambda widget: None)
    monkeypatch.setattr(LabWidget, "side_epoch", interrupt)
    with pytest.raises(KeyboardInterrupt):
        recipes.lab("hinge", {**SMALL, "train.epochs": 5000}, output_root=tmp_path)
    (record,) = tmp_path.glob("hinge/*/run.json")
    assert json.loads(record.read_text())["status"] == "interrupted"
    assert len(history(record.parent)) < 5000
