"""How ``make test`` shares the fast suite among pytest-xdist workers (``-n 2 --dist
loadgroup``): every test file goes whole to one worker, so its module-scoped fixtures (a run
trained once for the file's tests) are made once; a file that shares a session fixture with
other files names a group of its own (``pytestmark = pytest.mark.xdist_group("...")``) and
goes with them. Without xdist the marks change nothing. tests/conftest.py loads this plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            group = Path(item.path).resolve().relative_to(TESTS).as_posix()
            item.add_marker(pytest.mark.xdist_group(group))
