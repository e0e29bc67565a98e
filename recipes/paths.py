"""Where the project's folders are.

In a source checkout (this package beside configs/ and pyproject.toml): configs/ and the
example data there, run folders in the checkout's outputs/, whatever the current folder. An
installed wheel carries configs and example data inside the package (recipes/configs/,
recipes/datasets/examples/; setup.py), and has no project folder to write to: run folders go
to ``outputs/`` in the current folder (``--output-root`` or ``output_root=`` chooses another).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parent
SOURCE_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file() and (
    _CHECKOUT / "configs" / "defaults.yaml"
).is_file()
# Also where relative data paths (data.path: datasets/examples/moons.csv) are looked up.
PROJECT_ROOT = _CHECKOUT if SOURCE_CHECKOUT else PACKAGE_DIR
CONFIG_DIR = PROJECT_ROOT / "configs"


def display_path(path: Path | str) -> str:
    """A path relative to the current folder when it is inside it, for short messages."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def default_output_root() -> Path:
    """Where run and sweep folders go when no output root is given (installed: the current
    folder's outputs/ at the time of the call, as a notebook kernel may change folder)."""
    return PROJECT_ROOT / "outputs" if SOURCE_CHECKOUT else Path.cwd() / "outputs"
