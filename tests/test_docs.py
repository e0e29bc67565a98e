"""Docs that are true: every repository file, module, README section and relative link that the
code, the configs, the benchmarks and the docs cite exists. Checked from the files alone (no
import: most modules load Keras), so a citation left behind by a move or a rename fails here
with its file and line."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from conftest import PROJECT_ROOT

SCANNED = ["recipes", "datasets", "docs", "benchmarks", "configs", "README.md", "Makefile"]
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".txt", ".html", ".js", ".css", ".toml"}
# A repository path: `recipes/report/canvas.py`, `docs/speed.md`, `tests/shrink.yaml`, ...
CITED_PATH = re.compile(
    r"(?<![\w/.~-])((?:recipes|datasets|docs|tests|benchmarks|configs|notebooks)/[\w/.-]*?"
    r"\.(?:py|md|yaml|ipynb|csv))(?![\w/-])"
)
# A dotted name in the package: `recipes.outcome.PointRequest`, `recipes.training.backend`.
CITED_NAME = re.compile(r"(?<![\w./-])recipes(?:\.\w+)+")
# A README section: README, "Backends and speed" / README "Sweeps on Ray" / (README: Tests).
CITED_SECTION = re.compile(r"README(?:,|:)?\s+[\"“]([^\"”]{1,80})[\"”]|\(README: ([^)]{1,80})\)")
# A relative Markdown link: [speed](docs/speed.md), [a section](../../README.md#tests).
MARKDOWN_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s]+)\)")
# recipes.datasets is the top-level datasets/ folder (setup.py's package_dir).
PACKAGE_FOLDERS = {("recipes", "datasets"): PROJECT_ROOT / "datasets"}


def scanned_files() -> list[Path]:
    files = []
    for name in SCANNED:
        path = PROJECT_ROOT / name
        if path.is_file():
            files.append(path)
        else:
            files += [p for p in sorted(path.rglob("*")) if p.suffix in SUFFIXES and p.is_file()]
    return [path for path in files if "__pycache__" not in path.parts]


def numbered_lines(path: Path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        yield f"{path.relative_to(PROJECT_ROOT)}:{number}", line


def dangling(pattern: re.Pattern, exists: Callable[[Path, str], bool]) -> list[str]:
    """``file:line: cited`` for each match of ``pattern`` in the scanned files that
    ``exists(file, cited)`` refuses."""
    return [
        f"{where}: {cited}"
        for path in scanned_files()
        for where, line in numbered_lines(path)
        for cited in pattern.findall(line)
        if not exists(path, cited)
    ]


def test_cited_repository_files_exist():
    # a page's own relative links count: docs/keras3-notes.md cites recipes/hinge.md
    bad = dangling(
        CITED_PATH,
        lambda path, cited: (PROJECT_ROOT / cited).exists() or (path.parent / cited).exists(),
    )
    assert not bad, "cited files that do not exist:\n" + "\n".join(bad)


@cache
def module_file(parts: tuple[str, ...]) -> Path | None:
    """The source file of the module ``parts`` (``("recipes", "report", "canvas")``)."""
    folder = PACKAGE_FOLDERS.get(parts[:2], PROJECT_ROOT.joinpath(*parts[:2]))
    folder = folder.joinpath(*parts[2:])
    for candidate in (folder / "__init__.py", folder.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@cache
def defined_names(path: Path) -> dict[str, tuple[str, object]]:
    """The names a module's top level defines: name -> ("class", its node), ("function", None),
    ("value", None) or ("import", the dotted name it imports)."""
    names: dict[str, tuple[str, object]] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = ("class", node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names[node.name] = ("function", None)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        names[name.id] = ("value", None)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = ("import", f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                names[name] = ("import", alias.name if alias.asname else name)
    return names


def class_has(node: ast.ClassDef, name: str) -> bool:
    """Whether a class defines ``name``: in its body, or as ``self.<name>`` anywhere in it."""
    for child in ast.walk(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if child.name == name:
                return True
        elif isinstance(child, ast.Name) and child.id == name:
            return True  # an assignment or annotation in the class body (a field)
        elif isinstance(child, ast.Attribute) and child.attr == name:
            return True  # self.<name> = ...
    return False


def name_exists(dotted: str) -> bool:
    """Whether ``recipes.a.b.Name.attribute`` is a module of the project, or names something
    defined (or imported) in the longest module it starts with."""
    parts = tuple(dotted.split("."))
    for length in range(len(parts), 0, -1):
        path = module_file(parts[:length])
        if path is None:
            continue
        rest = parts[length:]
        if not rest:
            return True
        if rest[0] not in defined_names(path):
            return False
        kind, what = defined_names(path)[rest[0]]
        if kind == "import" and path.name != "__init__.py":
            return False  # cite where it is defined; a package's own names are its imports
        if kind == "import":  # follow it into the project; another library's name is trusted
            imported = f"{what}.{'.'.join(rest[1:])}".rstrip(".")
            return not imported.startswith("recipes.") or name_exists(imported)
        if len(rest) == 1 or kind == "value":
            return True
        return kind == "class" and len(rest) == 2 and class_has(what, rest[1])
    return False


def test_cited_modules_and_names_exist():
    bad = dangling(CITED_NAME, lambda path, cited: name_exists(cited))
    assert not bad, "cited modules or names that do not exist:\n" + "\n".join(bad)


def heading_anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces -> -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def headings(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [m.group(1).strip() for m in re.finditer(r"^#{1,6} (.+)$", text, re.MULTILINE)]


def test_cited_readme_sections_and_markdown_links_exist():
    readme = PROJECT_ROOT / "README.md"
    sections = headings(readme)
    bad = []
    for path in scanned_files():
        text = path.read_text(encoding="utf-8")
        for cited in CITED_SECTION.finditer(text):  # a section's name may wrap onto a new line
            section = " ".join(re.sub(r"\n\s*(#\s*)?", " ", cited[1] or cited[2]).split())
            if not any(heading.startswith(section) for heading in sections):
                where = (
                    f"{path.relative_to(PROJECT_ROOT)}:{text.count(chr(10), 0, cited.start()) + 1}"
                )
                bad.append(f"{where}: README section {section!r}")
        if path.suffix != ".md":
            continue
        for where, line in numbered_lines(path):
            for link in MARKDOWN_LINK.findall(line):
                target, _, anchor = link.partition("#")
                linked = (path.parent / target).resolve() if target else path
                if not linked.exists():
                    bad.append(f"{where}: link {link}")
                elif anchor and linked.suffix == ".md":
                    if anchor not in {heading_anchor(h) for h in headings(linked)}:
                        bad.append(f"{where}: link {link} (no such section)")
    assert not bad, "cited sections or links that do not exist:\n" + "\n".join(bad)


def test_the_checker_finds_a_dangling_citation():
    assert CITED_PATH.findall("see recipes/report/canvas.py and docs/nowhere.md.") == [
        "recipes/report/canvas.py",
        "docs/nowhere.md",
    ]
    assert not (PROJECT_ROOT / "docs" / "nowhere.md").exists()
    assert name_exists("recipes.report.canvas.save_figure")
    assert name_exists("recipes.datasets")
    assert name_exists("recipes.run")  # recipes/__init__.py imports it from recipes.api
    assert not name_exists("recipes.run.door.PointRequest")
    assert not name_exists("recipes.report.canvas.no_such_function")
    assert heading_anchor("Backends and speed") == "backends-and-speed"
