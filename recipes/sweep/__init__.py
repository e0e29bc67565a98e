"""Sweeps: the grid (:mod:`.grid`), executors that run its points (:mod:`.executors`), the
records of what each run produced (:mod:`.records`), and the driver (:mod:`.driver`).

The package is also callable: ``recipes.sweep("hinge", {"seed": range(3)})`` is
:func:`recipes.api.sweep`.
"""

import sys
import types


class _CallableSweep(types.ModuleType):
    def __call__(self, *arguments, **options):
        """:func:`recipes.api.sweep`: one run per grid combination, return the Sweep."""
        from recipes.api import sweep

        return sweep(*arguments, **options)


sys.modules[__name__].__class__ = _CallableSweep
