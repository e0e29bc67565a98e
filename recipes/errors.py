"""Errors the command line turns into one clear line and a non-zero exit status.

A :class:`RecipeError` carries its parts as fields (``source``: the file or option the value
came from; ``key``: the config key path; ``message``: what is wrong; ``hint``: what to do),
and its one-line text is rendered from them: ``source: key: message; hint``. Code that needs a
part reads the field; no message is parsed back. :class:`RecipeErrors` holds several problems
(one line each), e.g. every invalid point of a sweep.
"""

from __future__ import annotations

from collections.abc import Sequence


class RecipeError(ValueError):
    """A problem with user input (config, command line, names, files). Exit status 2, no
    traceback. ``RecipeError("text")`` still works: the text is the message."""

    exit_status = 2

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.key = key
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """``source: key: message; hint`` (parts that are None left out)."""
        text = ": ".join(part for part in (self.source, self.key, self.message) if part)
        return f"{text}; {self.hint}" if self.hint else text

    @property
    def problems(self) -> list[RecipeError]:
        """The single problems this error stands for (itself, for a plain RecipeError)."""
        return [self]

    def replace(self, **fields: str | None) -> RecipeError:
        """A copy with some parts replaced, e.g. ``error.replace(source="--set")``."""
        parts = {"message": self.message, "source": self.source, "key": self.key}
        return RecipeError(**{**parts, "hint": self.hint, **fields})


class RecipeErrors(RecipeError):
    """Several problems at once, one line each (the order kept, duplicates dropped)."""

    def __init__(self, problems: Sequence[RecipeError]) -> None:
        unique = {single.render(): single for problem in problems for single in problem.problems}
        self._problems = list(unique.values())
        first = self._problems[0]
        super().__init__(first.message, source=first.source, key=first.key, hint=first.hint)

    @property
    def problems(self) -> list[RecipeError]:
        return list(self._problems)

    def render(self) -> str:
        return "\n".join(problem.render() for problem in self._problems)


def first_line(error: BaseException) -> str:
    """An error's text in one line, for a one-line message: its first non-blank line, or the
    last line of a traceback it carries as text (Ray's errors do)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines and "Traceback" in lines[0] else (lines[0] if lines else "")


class TrainingFailed(RuntimeError):
    """Training started but could not finish (e.g. the loss became NaN). Exit status 1."""

    exit_status = 1
