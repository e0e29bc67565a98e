"""The package at home in any environment: a package importable as ``datasets`` (Hugging
Face's import name) changes nothing, and a wheel installed into a fresh virtual environment
runs its recipes, with their configs and example data, from any folder."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, shrink_overrides

STAND_IN = "NAME = 'a package importable as datasets'\n"
PROBE = (
    "import recipes, datasets; from recipes.datasets import DATASETS; "
    "print(datasets.NAME); print(recipes.check('csv_moons').data.name, DATASETS.names())"
)


def stand_in_datasets(folder: Path) -> Path:
    (folder / "datasets").mkdir(parents=True)
    (folder / "datasets" / "__init__.py").write_text(STAND_IN)
    return folder


def test_another_datasets_package_first_on_the_path_changes_nothing(tmp_path):
    path = os.pathsep.join([str(stand_in_datasets(tmp_path)), str(PROJECT_ROOT)])
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": path},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "a package importable as datasets",
        "csv ['circles', 'csv', 'mnist', 'npz', 'rings']",
    ]


def _run(command: list[str], cwd: Path, **options) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=600, env=env, **options
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_a_wheel_in_a_fresh_environment_runs_from_any_folder(tmp_path):
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
          "-w", str(wheels), str(PROJECT_ROOT)], cwd=tmp_path)  # fmt: skip
    (wheel,) = wheels.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:  # the lab's page ships in the package
        assert "recipes/live/static/index.html" in archive.namelist()
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = str(venv / "bin" / "python")
    _run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], cwd=tmp_path
    )
    packages = Path(_run([python, "-c", "import site; print(site.getsitepackages()[0])"],
                         cwd=tmp_path).stdout.strip())  # fmt: skip
    stand_in_datasets(packages)
    # the dependencies: this environment's packages, after the fresh one's (no download)
    (packages / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([python, "-c", "import recipes; print(recipes.__file__)"], cwd=elsewhere)
    assert where.stdout.strip().startswith(str(packages))
    assert _run([python, "-c", PROBE], cwd=elsewhere).stdout.splitlines()[0] == (
        "a package importable as datasets"
    )
    checked = _run([python, "-m", "recipes", "check", "hinge"], cwd=elsewhere)
    assert "name: hinge" in checked.stdout
    sets = [f"--set={text}" for text in shrink_overrides("csv_moons")]
    ran = _run([python, "-m", "recipes", "run", "csv_moons", *sets, "--backend", "jax"],
               cwd=elsewhere)  # fmt: skip
    folder = elsewhere / ran.stdout.split()[-1]
    assert folder.resolve().is_relative_to((elsewhere / "outputs").resolve())
    assert (folder / "metrics.json").is_file() and (folder / "decision_boundary.png").is_file()
