"""The tutorial notebooks (notebooks/): stored without outputs, and executed with nbclient on
this project's Python (a kernel spec written into a temporary JUPYTER_PATH), shrunk by
RECIPES_NOTEBOOK_SHRINK=1, their run folders in a temporary folder. The hinge notebook runs in
the system tier (make test-system); every notebook in the slow one (make test-full)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "keras-loss-recipes-tests"


def test_the_notebooks_are_stored_without_outputs():
    assert len(NOTEBOOKS) == 5
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        stored = [i for i, c in enumerate(cells) if c.get("outputs") or c.get("execution_count")]
        assert stored == [], f"{path.name}: cells {stored} have stored outputs (clear them)"


def execute(path: Path, tmp_path: Path):
    """``path`` executed (nbclient) on this interpreter, shrunk, outputs under ``tmp_path``."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "recipes tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    environment = {
        "JUPYTER_PATH": str(tmp_path / "jupyter"),
        "RECIPES_NOTEBOOK_SHRINK": "1",
        "RECIPES_NOTEBOOK_OUTPUTS": str(tmp_path / "outputs"),
        "KERAS_BACKEND": "jax",  # a recipe that names its backend (focal_rings) keeps it
    }
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        notebook = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            notebook,
            kernel_name=KERNEL,
            timeout=600,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return notebook


def check_executed(notebook) -> None:
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    errors = [out for out in outputs if out.output_type == "error"]
    assert errors == [], errors
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert images, "no figure was drawn inline (no image/png output)"


@pytest.mark.system  # a Jupyter kernel (make test-system)
def test_the_hinge_notebook_runs_shrunk_with_its_figures_inline(tmp_path):
    notebook = execute(PROJECT_ROOT / "notebooks" / "01_hinge.ipynb", tmp_path)
    check_executed(notebook)
    assert list((tmp_path / "outputs").glob("hinge/*/decision_boundary.png"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_notebook_runs_shrunk(path, tmp_path):
    check_executed(execute(path, tmp_path))
