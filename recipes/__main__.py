"""``python -m recipes``: see :mod:`recipes.cli.main`."""

import sys

from recipes.cli.main import main

sys.exit(main())
