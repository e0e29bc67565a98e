"""Where the project's folders are: configs/ beside the package, outputs/ for run folders."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "configs"
DEFAULTS_FILE = CONFIG_DIR / "defaults.yaml"
DEFAULT_OUTPUT_ROOT = PROJECT_ROOT / "outputs"


def display_path(path: Path | str) -> str:
    """A path relative to the current folder when it is inside it, for short messages."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def default_output_root() -> Path:
    """Where run and sweep folders go when no output root is given."""
    return DEFAULT_OUTPUT_ROOT
