"""``python -m recipes``: see :mod:`recipes.cli.main`."""

import os
import sys

# No pydantic plugins for the command line's configs: looking for them reads every installed
# package's entry points (0.1 s here, on every command, `check` and `list` too) and a plugin
# would only observe the validation. (Set the variable to another value to keep them.)
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from recipes.cli.main import main  # noqa: E402

try:
    sys.exit(main())
except BrokenPipeError:  # the reader went away (``python -m recipes list | head``): not an error
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as Python's docs advise
    sys.exit(1)
