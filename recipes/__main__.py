"""``python -m recipes``: see :mod:`recipes.cli.main`."""

import os
import sys

from recipes.cli.main import main

try:
    sys.exit(main())
except BrokenPipeError:  # the reader went away (``python -m recipes list | head``): not an error
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as Python's docs advise
    sys.exit(1)
