"""The tutorial notebooks (notebooks/): stored without outputs, and executed with nbclient on
this project's Python (a kernel spec written into a temporary JUPYTER_PATH), shrunk by
RECIPES_NOTEBOOK_SHRINK=1, their run folders in a temporary folder. The hinge notebook runs in
the system tier (make test-system); every notebook in the slow one (make test-full), and the lab
notebook's widgets are read back from the executed notebook (nbclient stores their state)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, execute_notebook

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


def test_the_notebooks_are_stored_without_outputs():
    assert len(NOTEBOOKS) == 5
    for path in NOTEBOOKS:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
        stored = [i for i, c in enumerate(cells) if c.get("outputs") or c.get("execution_count")]
        assert stored == [], f"{path.name}: cells {stored} have stored outputs (clear them)"
        # a live view's state (every epoch's numbers and arrays) is saved with the notebook
        assert "widgets" not in notebook["metadata"], f"{path.name}: stored widget state"


def execute(path: Path, tmp_path: Path):
    """``path`` executed (nbclient) on this interpreter, shrunk, outputs under ``tmp_path``."""
    nbformat = pytest.importorskip("nbformat")
    environment = {
        "RECIPES_NOTEBOOK_SHRINK": "1",
        "RECIPES_NOTEBOOK_OUTPUTS": str(tmp_path / "outputs"),
        "KERAS_BACKEND": "jax",  # a recipe that names its backend (focal_rings) keeps it
    }
    notebook = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}
    return execute_notebook(notebook, tmp_path, environment, timeout=600, resources=resources)


def check_executed(notebook, figures: bool = True) -> None:
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    errors = [out for out in outputs if out.output_type == "error"]
    assert errors == [], errors
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert images or not figures, "no figure was drawn inline (no image/png output)"


@pytest.mark.system  # a Jupyter kernel (make test-system)
def test_the_hinge_notebook_runs_shrunk_with_its_figures_inline(tmp_path):
    notebook = execute(PROJECT_ROOT / "notebooks" / "01_hinge.ipynb", tmp_path)
    check_executed(notebook)
    assert list((tmp_path / "outputs").glob("hinge/*/decision_boundary.png"))


def widget_sides(notebook) -> list[dict]:
    """Every side of every recipes.lab widget, as its state was synced when its cell ended."""
    stored = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
    assert stored, "no widget state was stored in the executed notebook"
    models = [model["state"] for model in stored["state"].values()]
    return [side for state in models if "sides" in state for side in state["sides"]]


def history_losses(folder: Path) -> list[float]:
    with (folder / "history.csv").open(newline="", encoding="utf-8") as stream:
        return [float(row["loss"]) for row in csv.DictReader(stream)]


def check_widgets(notebook, tmp_path: Path, count: int) -> list[dict]:
    """The notebook's live views: ``count`` sides, each ending as its run folder recorded (its
    status, epochs done, final loss), the folder under the notebook's output root."""
    sides = widget_sides(notebook)
    assert len(sides) == count, [side.get("name") for side in sides]
    for side in sides:
        folder = Path(side["folder"])
        assert folder.parent.parent == tmp_path / "outputs", folder
        record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        losses = history_losses(folder)
        assert side["status"] == record["status"] == "completed", side
        assert side["epochs_done"] == side["epochs"] == len(losses) == 2, side
        assert side["final_loss"] == pytest.approx(metrics["final_loss"], rel=1e-6), side
        assert metrics["final_loss"] == pytest.approx(losses[-1], rel=1e-6)
    return sides


LAB = PROJECT_ROOT / "notebooks" / "05_lab.ipynb"
TUTORIALS = [path for path in NOTEBOOKS if path != LAB]
WATCHED_SIDES = {"01_hinge": 1, "02_focal_rings": 1, "03_loss_gallery": 2, "04_mnist_losses": 2}


@pytest.mark.slow
@pytest.mark.parametrize("path", TUTORIALS, ids=[path.stem for path in TUTORIALS])
def test_every_notebook_runs_shrunk(path, tmp_path):
    notebook = execute(path, tmp_path)
    check_executed(notebook)
    check_widgets(notebook, tmp_path, WATCHED_SIDES[path.stem])  # its "watch it train" step


@pytest.mark.slow
def test_the_lab_notebook_widgets_end_as_their_run_folders(tmp_path):
    """05_lab's four comparisons, two sides each: every side's synced state after training is
    what its run folder recorded."""
    notebook = execute(LAB, tmp_path)
    check_executed(notebook, figures=False)  # its figures are the widgets
    sides = check_widgets(notebook, tmp_path, 8)
    # the loss of one's own (brier.py, written by the notebook) trained, and its run kept a copy
    mine = [Path(side["folder"]) for side in sides if "brier" in side["name"]]
    assert len(mine) == 1 and list(mine[0].glob("**/brier.py")), mine
