"""``python -m recipes``: see :mod:`recipes.cli.main`."""

import os
import sys

# No pydantic plugins for the command line's configs: looking for them reads every installed
# package's entry points (0.1 s here, on every command, `check` and `list` too) and a plugin
# would only observe the validation. (Set the variable to another value to keep them.)
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import gc  # noqa: E402

from recipes.cli.main import main  # noqa: E402

try:
    status = main()
    # The command is done and its files are closed. Python's shutdown then collects every
    # object of the ~3,000 modules Keras and JAX loaded: 0.7 s of a 5.9 s `make hinge`
    # (measured). Frozen objects are left to the operating system, which frees the process
    # whole; exit handlers (JAX's, Ray's, logging's) still run.
    gc.freeze()
    sys.exit(status)
except BrokenPipeError:  # the reader went away (``python -m recipes list | head``): not an error
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as Python's docs advise
    sys.exit(1)
