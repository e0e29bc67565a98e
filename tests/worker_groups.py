"""How ``make test`` shares the fast suite among pytest-xdist workers (``-n 2 --dist
loadfile``): every test file goes whole to one worker, so its module-scoped fixtures (a run
trained once for the file's tests) are made once, and the files below, which share a session
fixture, go to the same worker, so it is made once too. (xdist's own ``loadgroup`` marks do not
work with pytest 9: xdist 3.8 renames ``item._nodeid``, which pytest 9 no longer reads.)
tests/conftest.py loads this plugin; without xdist it does nothing."""

from __future__ import annotations

import pytest

# test file -> the group of files that share a session fixture (tests/conftest.py)
SHARED = {
    # shrunk_run: the shrunk sweeps and runs of the recipes
    "tests/test_recipes.py": "shrunk_run",
    "tests/studies/test_compare_hinge.py": "shrunk_run",
    "tests/studies/test_mnist_confusion.py": "shrunk_run",
    # tensorflow_command_line_run: one fresh TensorFlow command-line run
    "tests/api/test_api.py": "tensorflow_command_line_run",
    "tests/sweeps/test_workers.py": "tensorflow_command_line_run",
}


def file_group(nodeid: str) -> str:
    """The unit of work a test goes with: its file's group, else its file."""
    path = nodeid.split("::", 1)[0]
    return SHARED.get(path, path)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FileGroupScheduling(LoadFileScheduling):
        """xdist's loadfile, with the files of one SHARED group as one unit."""

        def _split_scope(self, nodeid: str) -> str:
            return file_group(nodeid)

    return FileGroupScheduling(config, log)
