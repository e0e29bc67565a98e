"""recipes.lab in a real kernel: a small notebook executed with nbclient, its widgets' state
stored (as a saved notebook keeps it), then checked against the run folders: each side's
status, epochs and final loss."""

from __future__ import annotations

import json

import pytest
from conftest import execute_notebook
from widget_fixtures import SMALL, history

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _execute(cells: list[str], tmp_path):
    """A notebook of ``cells`` executed on this interpreter (a kernel spec of its own), with
    its widgets' state stored."""
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    return execute_notebook(notebook, tmp_path, {"KERAS_BACKEND": "jax"}, timeout=300)


@pytest.mark.system  # a Jupyter kernel (make test-system)
def test_the_stored_widget_state_after_training_is_the_run_folders(tmp_path):
    settings = [SMALL, {**SMALL, "loss": "squared_hinge"}]
    notebook = _execute(
        [
            "import json\nimport recipes",
            f"runs = recipes.lab('hinge', *{settings!r}, output_root={str(tmp_path / 'out')!r})",
            "print(json.dumps([[str(run.folder), run.status] for run in runs]))",
        ],
        tmp_path,
    )
    shown = [output for output in notebook.cells[1].outputs if "data" in output]
    (view,) = [output["data"][WIDGET_VIEW] for output in shown if WIDGET_VIEW in output["data"]]
    runs = json.loads(notebook.cells[2].outputs[0]["text"])
    assert [status for _, status in runs] == ["completed", "completed"]
    state = notebook.metadata["widgets"][WIDGET_STATE]["state"][view["model_id"]]["state"]
    assert [side["folder"] for side in state["sides"]] == [folder for folder, _ in runs]
    for side, (folder, _) in zip(state["sides"], runs, strict=True):
        rows = history(folder)
        assert side["status"] == "completed"
        assert side["epochs_done"] == side["epochs"] == len(rows) == SMALL["train.epochs"]
        assert side["final_loss"] == pytest.approx(float(rows[-1]["loss"]), rel=1e-6)
    digests = {start["initial_weights"] for start in state["starts"]}
    assert len(digests) == 1
