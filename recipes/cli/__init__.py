"""The command line, ``python -m recipes``: see :mod:`recipes.cli.main`."""
