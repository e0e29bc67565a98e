"""``python -m recipes lab`` and ``make lab``: the command's options, a recipe it cannot draw
refused in one line before anything starts, and the Makefile target that installs the lab
extra on first use."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import PROJECT_ROOT

from recipes.cli.main import build_parser, main


def test_the_lab_command_takes_its_options():
    arguments = build_parser().parse_args(
        ["lab", "focal_rings", "--port", "8765", "--no-browser", "--loss-file", "a.py:f"]
    )
    assert (arguments.recipe, arguments.port, arguments.no_browser) == ("focal_rings", 8765, True)
    assert arguments.host == "127.0.0.1" and arguments.loss_file == ["a.py:f"]
    defaults = build_parser().parse_args(["lab"])
    assert (defaults.recipe, defaults.port, defaults.no_browser) == ("hinge", 0, False)


@pytest.mark.parametrize(
    "arguments, words",
    [
        (
            ["lab", "mnist_losses", "--no-browser"],
            "'mnist_losses' is not a recipe the lab can draw",
        ),
        (["lab", "hinge", "--no-browser", "--loss-file", "no_such_file.py"], "no such Python file"),
    ],
)
def test_what_the_lab_cannot_do_is_one_line_before_it_starts(capsys, arguments, words):
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert words in error and len(error.strip().splitlines()) == 1


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_lab_installs_the_extra_on_first_use_and_starts_the_lab():
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "lab", "R=focal_rings", "LAB_PORT=8765"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "pip install --quiet -e '.[lab]'" in result.stdout
    assert ".venv/bin/python -m recipes lab focal_rings --port 8765" in result.stdout
