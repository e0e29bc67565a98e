"""The run machinery: backend choice, the one door (:mod:`.door`), the run lifecycle,
trainers, evaluation and the run folder.

The package is also callable: ``recipes.run("hinge", {"train.epochs": 5})`` is
:func:`recipes.api.run` (the Python API's name for a run, which this package's name takes).
"""

import sys
import types


class _CallableRun(types.ModuleType):
    def __call__(self, *arguments, **options):
        """:func:`recipes.api.run`: train and evaluate one recipe, return its Run."""
        from recipes.api import run

        return run(*arguments, **options)


sys.modules[__name__].__class__ = _CallableRun
