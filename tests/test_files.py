"""What the project writes of a user's text (recipes/files.py): Markdown tables keep it literal
text, and CSV cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv

import pytest

from recipes.files import (
    MarkdownCode,
    MarkdownLink,
    MarkdownParts,
    csv_cell,
    markdown_cell,
    markdown_table,
    markdown_text,
    write_csv,
)

HOSTILE = "price $US$ | *bold* _em_ [link](http://x) <b>x</b> `code` # ~~s~~ a\\b\nsecond"


def test_markdown_cell_keeps_user_text_literal():
    cell = markdown_cell(HOSTILE)
    assert "\n" not in cell
    assert cell == (
        r"price \$US\$ \| \*bold\* \_em\_ \[link\](http://x) \<b\>x\</b\> \`code\` \# "
        r"\~\~s\~\~ a\\b second"
    )
    # our own column names stay readable: an underscore inside a word is no emphasis
    assert markdown_cell("test_accuracy") == "test_accuracy"
    assert markdown_cell(0.25) == "0.2500" and markdown_cell(float("nan")) == ""


def test_a_hostile_label_stays_in_its_cell():
    table = markdown_table(["loss", "accuracy"], [[HOSTILE, 0.5], ["plain", 1.0]])
    lines = table.splitlines()
    assert len(lines) == 4  # the newline in the label made no new row
    for line in lines:  # every row still has two cells: no | of the label splits one
        assert line.replace("\\|", "").count("|") == 3, line


def test_links_and_code_the_project_writes_stay_links_and_code():
    """Structure as data: a link's text is escaped, its target quoted, and neither is escaped
    into plain text (summary.md's run links read ``\\[...\\](...)`` when they were)."""
    link = MarkdownLink("run_[1] *x*", "../../focal rings/20261207-1")
    assert link.render() == r"[run\_\[1\] \*x\*](../../focal%20rings/20261207-1)"
    assert markdown_cell(link) == link.render()
    assert markdown_cell(MarkdownCode("focal")) == "`focal`"
    assert markdown_cell(MarkdownCode("a`b")) == "``a`b``"  # a fence longer than its backticks
    assert markdown_cell(MarkdownCode("a|b")) == r"`a\|b`"  # a table cell ends at a bare pipe
    assert MarkdownCode("a|b").render() == "`a|b`"
    parts = MarkdownParts((MarkdownCode("huber"), " (delta=1, *user*)"))
    assert markdown_cell(parts) == r"`huber` (delta=1, \*user\*)"
    table = markdown_table(["run", "loss"], [[link, parts]])
    assert table.splitlines()[-1].replace("\\|", "").count("|") == 3


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("- item", "\\- item"), ("1. item", "1\\. item"), ("# title", "\\# title"),
     ("> quote", "\\> quote"), ("+ x", "\\+ x"), ("=== ", "\\=== "), ("plain", "plain")],
)  # fmt: skip
def test_a_line_start_that_would_begin_a_block_is_escaped(text, escaped):
    assert markdown_text(text, line_start=True) == escaped


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path):
    path = tmp_path / "table.csv"
    header = ["=label", "value"]
    rows = [
        ['=HYPERLINK("http://x")', -1.5],
        ["+1+2", -2],
        ["-2+3", 0.25],
        ["@SUM(A1:A2)", "-0.5"],
        ["\tx", "1e-3"],
        ["\rx", "plain"],
    ]
    write_csv(path, header, rows)
    with open(path, newline="", encoding="utf-8") as stream:
        read = list(csv.reader(stream))
    assert read[0] == ["'=label", "value"]
    assert [row[0] for row in read[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1:A2)",
        "'\tx",
        "'\nx",  # a carriage return written as a newline: quoted, so the rows stay whole
    ]
    # numbers, negative ones too, stay numbers (as numbers or as texts that are numbers)
    assert [row[1] for row in read[1:]] == ["-1.5", "-2", "0.25", "-0.5", "1e-3", "plain"]
    assert csv_cell(-3) == -3 and csv_cell("-inf") == "'-inf"
