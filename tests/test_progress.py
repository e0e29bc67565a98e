"""The one progress printer (recipes/progress.py): counted lines, and the line a run started
from Python rewrites in place where the output can (a terminal, a Jupyter kernel)."""

from __future__ import annotations

import io
import sys

from recipes.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_are_counted_and_prefixed():
    stream = io.StringIO()
    lines = Progress(3, stream, prefix="fidelity ")
    lines.line("seed=2: started", 2)
    lines.line("done")
    assert stream.getvalue() == "[fidelity 2/3] seed=2: started\ndone\n"


def test_an_interim_line_is_rewritten_in_place_on_a_terminal():
    stream = Terminal()
    lines = Progress(stream=stream)
    lines.interim("hinge: running...")
    lines.line("hinge: done")  # shorter: spaces cover what is left of the interim text
    lines.line("next")
    assert stream.getvalue() == "\rhinge: running...\rhinge: done      \nnext\n"


def test_a_file_or_pipe_gets_only_the_final_line(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)  # as outside a notebook
    stream = io.StringIO()
    lines = Progress(stream=stream)
    lines.interim("hinge: running...")
    lines.line("hinge: completed")
    assert stream.getvalue() == "hinge: completed\n"


def test_passing_lines_are_rewritten_in_place_when_asked(monkeypatch):
    """A notebook's sweep (in_place): "started" and a group's epochs pass, one line per run."""
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)  # the pipe below: not a kernel
    stream = Terminal()
    lines = Progress(2, stream, in_place=True)
    lines.line("seed=0: started", 1, passing=True)
    lines.line("group 1/1: epoch 1/2", passing=True)  # shorter: padded over the one before
    lines.line("seed=0: completed", 1)
    assert stream.getvalue() == (
        "\r[1/2] seed=0: started\rgroup 1/1: epoch 1/2 \r[1/2] seed=0: completed\n"
    )
    pipe = io.StringIO()  # in place asked, but a pipe cannot rewrite: only the final line
    Progress(2, pipe, in_place=True).line("seed=0: started", 1, passing=True)
    assert pipe.getvalue() == ""
    on_the_command_line = io.StringIO()  # not in place: every line, as before
    Progress(2, on_the_command_line).line("seed=0: started", 1, passing=True)
    assert on_the_command_line.getvalue() == "[1/2] seed=0: started\n"
