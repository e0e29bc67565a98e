"""The Makefile follows the configs: a new recipe file is a make target, listed by ``make
help``, with no other file edited."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from conftest import PROJECT_ROOT

from recipes.config.layering import available_recipes

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


@pytest.fixture
def project_copy(tmp_path):
    """Makefile, pyproject.toml and configs/ in a fresh folder, plus hinge.yaml copied as
    my_recipe.yaml."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    shutil.copytree(PROJECT_ROOT / "configs", tmp_path / "configs")
    shutil.copy(tmp_path / "configs" / "hinge.yaml", tmp_path / "configs" / "my_recipe.yaml")
    return tmp_path


def make(folder, *arguments: str) -> subprocess.CompletedProcess:
    """``make ARGUMENTS`` in ``folder`` as a user types it: not as a sub-make of the ``make
    test`` running this suite, whose command-line variables (``EXTRAS=dev,torch`` from
    .ci/run) make passes on through MAKEFLAGS and the environment."""
    outer = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "EXTRAS")
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        env={key: value for key, value in os.environ.items() if key not in outer},
    )


def test_help_lists_every_recipe_with_its_description(project_copy):
    result = make(project_copy, "help")
    assert result.returncode == 0, result.stderr
    for recipe in [*available_recipes(), "my_recipe"]:
        assert re.search(rf"^  make {recipe} +\S", result.stdout, re.M), recipe
    assert "make my_recipe                  Hinge loss on two concentric circles" in result.stdout


@pytest.mark.parametrize("arguments", [("my_recipe",), ("run", "R=my_recipe")])
def test_a_new_recipe_file_runs_by_name(project_copy, arguments):
    result = make(project_copy, "-n", *arguments, "SET=seed=3", "BACKEND=jax")
    assert result.returncode == 0, result.stderr
    assert ".venv/bin/python -m recipes launch my_recipe --set seed=3 --backend jax" in (
        result.stdout
    )


def test_run_without_a_recipe_says_how():
    result = make(PROJECT_ROOT, "run")
    assert result.returncode == 2 and "usage: make run R=<recipe>" in result.stderr


def test_every_target_is_phony():
    text = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z_-]*):", text, re.M))
    listed = set(re.search(r"^TARGETS := (.*?)\n\n", text, re.M | re.S).group(1).split())
    assert targets - {"help"} <= listed - {"\\"}


def test_make_notebook_says_how_to_install_jupyterlab_when_it_is_missing(project_copy):
    (project_copy / ".venv").mkdir()
    (project_copy / ".venv" / ".installed-dev").touch()  # set up (newer than pyproject.toml)
    result = make(project_copy, "notebook")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "JupyterLab is not installed: .venv/bin/python -m pip install -e '.[notebooks]'"
    )
