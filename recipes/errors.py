"""Errors the command line turns into one clear line and a non-zero exit status."""

from __future__ import annotations


class RecipeError(ValueError):
    """A problem with user input (config, command line, names). Exit status 2, no traceback."""

    exit_status = 2


class TrainingFailed(RuntimeError):
    """Training started but could not finish (e.g. the loss became NaN). Exit status 1."""

    exit_status = 1
