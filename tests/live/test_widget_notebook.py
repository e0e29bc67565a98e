"""recipes.lab in a real kernel: a small notebook executed with nbclient, its widgets' state
stored (as a saved notebook keeps it), then checked against the run folders: each side's
status, epochs and final loss."""

from __future__ import annotations

import json
import os
import sys

import pytest
from widget_fixtures import SMALL, history

KERNEL = "keras-loss-recipes-widget-tests"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _execute(cells: list[str], tmp_path):
    """A notebook of ``cells`` executed on this interpreter (a kernel spec of its own), with
    its widgets' state stored."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "recipes widget tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    saved = {key: os.environ.get(key) for key in ("JUPYTER_PATH", "KERAS_BACKEND")}
    os.environ.update({"JUPYTER_PATH": str(tmp_path / "jupyter"), "KERAS_BACKEND": "jax"})
    try:
        client = nbclient.NotebookClient(
            notebook, kernel_name=KERNEL, timeout=300, store_widget_state=True
        )
        client.execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return notebook


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
