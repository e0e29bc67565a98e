"""The README's examples run as the README shows them: every fenced block is read as data (a
YAML or Python block is written to the file its first line names, a bash block's commands are
run), so an edit of the README is what gets tested. A section that shows files runs in a fresh
folder outside the project, as a reader's own files would ("Your own loss": `extends: hinge`
from anywhere); the others run from the project root. Runs are shrunk as every other test
shrinks them (tests/shrink.yaml); the sections that train a sweep are marked slow."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, shrink_grid, shrink_overrides

from recipes.config.layering import available_recipes
from recipes.config.resolve import resolve_recipe

README = PROJECT_ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{2,3} (.+)$", re.MULTILINE)
FILE_LINE = re.compile(r"^# ([\w.-]+\.(?:yaml|py))\s*$")
# Commands shown but not run here, each with why.
NOT_RUN = {"make test": "the test suite itself: CI runs it"}
# Files the reader brings, which the README names with the example file to copy.
SUPPLIED = {"my_data.csv": "datasets/examples/moons.csv"}
TRAINING_COMMANDS = ("run", "launch", "sweep")
# The long-lived JAX process's answer to a command run in a given folder (a reader's own).
RUN_IN_FOLDER = """
import os, sys
from recipes.cli.main import main
folder, argv = sys.argv[1], sys.argv[2:]
previous = os.getcwd()
os.chdir(folder)
try:
    status = main(argv)
finally:
    os.chdir(previous)
sys.exit(status)
"""


@dataclass
class Section:
    heading: str
    files: dict[str, str] = field(default_factory=dict)  # name -> text
    commands: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


def readme_sections() -> list[Section]:
    """Every section of the README with a fenced block, in order."""
    text = README.read_text(encoding="utf-8")
    headings = [(match.start(), match.group(1)) for match in HEADING.finditer(text)]
    sections: dict[str, Section] = {}
    for fence in FENCE.finditer(text):
        heading = [title for start, title in headings if start < fence.start()][-1]
        section = sections.setdefault(heading, Section(heading))
        language, body = fence.group(1), fence.group(2)
        section.languages.append(language)
        if language == "bash":
            for line in body.splitlines():
                words = shlex.split(line, comments=True)
                if words:
                    section.commands.append(shlex.join(words))
        else:
            name = FILE_LINE.match(body.splitlines()[0])
            section.files[name.group(1) if name else f"(unnamed {language} block)"] = body
    return list(sections.values())


def recipes_arguments(command: str) -> list[str]:
    """The ``python -m recipes`` arguments of a README command: a ``make`` target's as the
    Makefile writes them (``make -n``), or a ``python -m recipes ...`` line's own."""
    words = shlex.split(command)
    if words[0] == "make":
        printed = subprocess.run(
            ["make", "-n", "--no-print-directory", *words[1:]],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        (line,) = [line for line in printed if " -m recipes " in line]
        words = shlex.split(line)
        return words[words.index("recipes") + 1 :]
    assert words[:3] == ["python", "-m", "recipes"], f"not a command this test runs: {command}"
    return words[3:]


def is_sweep(arguments: list[str]) -> bool:
    """Whether the command trains a sweep (long even shrunk: the section is marked slow)."""
    if arguments[0] == "sweep":
        return True
    return arguments[0] == "launch" and bool(resolve_recipe(arguments[1]).config.grid)


def shrunk(arguments: list[str], folder: Path, output_root: Path) -> list[str]:
    """``arguments`` training in seconds into ``output_root``: tests/shrink.yaml's values (last,
    so they win) and, for a recipe's own grid, its first values."""
    if arguments[0] not in TRAINING_COMMANDS:
        return arguments
    recipe = arguments[1]
    recipe = str(folder / recipe) if recipe.endswith(".yaml") else recipe
    extra = [f"--set={text}" for text in shrink_overrides(recipe)]
    if is_sweep(arguments) and "--grid" not in arguments:
        extra += [f"--grid={text}" for text in shrink_grid(recipe)]
    if is_sweep(arguments):
        extra += ["--jobs", "2"]
    return [*arguments, *extra, "--output-root", str(output_root)]


def section_parameters():
    for section in readme_sections():
        slow = any(
            is_sweep(recipes_arguments(command))
            for command in section.commands
            if command not in NOT_RUN
        )
        marks = [pytest.mark.slow] if slow else []
        yield pytest.param(section, id=section.heading, marks=marks)


@pytest.mark.parametrize("section", section_parameters())
def test_the_readme_examples_run(section, jax_cli, tmp_path, monkeypatch):
    """Each section's files are written where a reader would write them and its commands run
    there, in order; each ends with exit status 0, a training one with its folder's path."""
    folder = tmp_path / "mine" if section.files else PROJECT_ROOT
    if section.files:
        folder.mkdir()
        monkeypatch.chdir(folder)  # where the shrinking resolves the reader's files, as the run
        for name, text in section.files.items():
            (folder / name).write_text(text, encoding="utf-8")
        for name, example in SUPPLIED.items():
            if any(name in text for text in section.files.values()):
                shutil.copyfile(PROJECT_ROOT / example, folder / name)
    for command in section.commands:
        if command in NOT_RUN:
            continue
        arguments = shrunk(recipes_arguments(command), folder, tmp_path / "outputs")
        result = jax_cli.python(RUN_IN_FOLDER, str(folder), *arguments, timeout=900)
        assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"
        if arguments[0] in TRAINING_COMMANDS:
            made = Path(result.stdout.strip().splitlines()[-1])
            assert made.is_dir() and made.is_relative_to(tmp_path / "outputs"), command
            record = made / ("sweep.json" if is_sweep(arguments) else "run.json")
            assert json.loads(record.read_text())["status"] == "completed", command


def test_every_block_is_run_and_every_exception_is_still_shown():
    """No block is skipped unseen: bash blocks are commands, the others name their file; the
    commands not run, and the files a reader brings, are still what the README shows."""
    sections = readme_sections()
    text = README.read_text(encoding="utf-8")
    assert {language for section in sections for language in section.languages} <= {
        "bash",
        "yaml",
        "python",
    }
    for section in sections:
        assert not [name for name in section.files if name.startswith("(unnamed")], section
        if section.files:  # a reader's folder has no Makefile: its commands are python's
            assert not [c for c in section.commands if c.startswith("make ")], section.heading
    shown = {command for section in sections for command in section.commands}
    assert set(NOT_RUN) <= shown
    for name, example in SUPPLIED.items():
        assert f"`{example}` to `{name}`" in text
    own_loss = next(section for section in sections if "Your own loss" in section.heading)
    assert {"my_losses.py", "my.yaml"} <= set(own_loss.files)  # the fast suite runs it
    assert "extends: hinge" in own_loss.files["my.yaml"]


def test_every_recipe_is_in_the_readme_table_and_the_readme_is_short():
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `make (\w+)` \|", text, re.MULTILINE)
    assert sorted(rows) == available_recipes()  # compare_losses included
    assert len(text.splitlines()) < 200
