"""What the CSV reader refuses, each as one line naming the problem and the fix: repeated
column names, the label among the features, text in another encoding (read right when
``data.encoding`` declares it), and malformed CSV (an oversized field, an unclosed quote)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

from recipes.config.resolve import resolve_recipe
from recipes.datasets import build_dataset, csv_table
from recipes.errors import RecipeError

ROWS = [f"{i * 0.1:.1f},{i % 2 + i * 0.01:.2f},{'cat' if i % 2 else 'dog'}" for i in range(40)]


def write(folder: Path, text: str, encoding: str = "utf-8", name: str = "data.csv") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def table(header: str = "x1,x2,kind", rows: list[str] = ROWS, tail: str = "") -> str:
    return "\n".join([header, *rows]) + "\n" + tail


def check_error(path: Path, *overrides: str) -> RecipeError:
    """The error the config check raises for ``path``, as the command line would print it."""
    arguments = [f"data.path={path}", "data.label=kind", "data.features=null", *overrides]
    with pytest.raises(RecipeError) as raised:
        resolve_recipe("csv_moons", arguments)
    assert "\n" not in str(raised.value) and str(raised.value).startswith("--set: ")
    return raised.value


def read(path: Path, **params) -> csv_table.Table:
    return csv_table.read_csv_table(csv_table.CsvParams(path=str(path), label="kind", **params))


# ------------------------------------------------------------------------------ column names


def test_a_repeated_column_name_is_refused(tmp_path):
    path = write(tmp_path, table("x1,x2,x1,kind", [row.replace(",", ",0,", 1) for row in ROWS]))
    assert str(check_error(path)) == (
        f"--set: data.path: {path} line 1: column 'x1' appears twice (columns 1 and 3); "
        "give each column a distinct name"
    )


def test_a_name_repeated_three_times_lists_every_column(tmp_path):
    path = write(tmp_path, table("a,kind,a,a", ["1,cat,2,3", "4,dog,5,6"]))
    with pytest.raises(RecipeError, match=r"column 'a' appears 3 times \(columns 1, 3 and 4\)"):
        read(path)


def test_the_label_listed_among_the_features_is_refused(tmp_path):
    error = check_error(write(tmp_path, table()), "data.features=[x1,kind]")
    assert str(error) == (
        "--set: data.features: 'kind' is the label column (data.label) and is listed as a "
        "feature too; remove it from data.features: a model given its label learns nothing"
    )


def test_a_feature_listed_twice_is_refused(tmp_path):
    error = check_error(write(tmp_path, table()), "data.features=[x1,x2,x1]")
    assert str(error) == "--set: data.features: 'x1' is listed twice; list each feature once"


# ---------------------------------------------------------------------------------- encoding


def latin_1_table() -> str:
    return table(rows=[row.replace("cat", "café") for row in ROWS])  # é first on line 3


def test_a_file_that_is_not_utf8_names_the_byte_line_and_fix(tmp_path):
    path = write(tmp_path, latin_1_table(), "latin-1")
    assert str(check_error(path)) == (
        f"--set: data.path: {path} is not UTF-8 text (byte 0xe9 at line 3); save it as UTF-8 "
        "or add data.encoding: latin-1 (or whichever it was saved in)"
    )


def test_the_line_counts_across_read_blocks(tmp_path):
    rows = [*ROWS * 1000, "0.5,0.5,caf\xe9"]  # past the reader's 64 KiB block
    path = write(tmp_path, table(rows=rows), "latin-1")
    assert f"(byte 0xe9 at line {len(rows) + 1})" in str(check_error(path))


def test_a_declared_encoding_is_read_right(tmp_path):
    path = write(tmp_path, latin_1_table(), "latin-1")
    assert set(read(path, encoding="latin-1").labels) == {"café", "dog"}
    split = build_dataset(
        "csv",
        {"path": str(path), "label": "kind", "encoding": "latin-1"},
        0,
        "binary",
    )
    assert split.info["classes"] == ["café", "dog"]


def test_a_utf8_byte_order_mark_is_skipped_by_default(tmp_path):
    table_read = read(write(tmp_path, table(), "utf-8-sig"))
    assert table_read.feature_names == ["x1", "x2"] and len(table_read.labels) == len(ROWS)


def test_utf16_says_so_and_reads_when_declared(tmp_path):
    path = write(tmp_path, table(), "utf-16")
    assert str(check_error(path)).endswith(
        "(byte 0xff at line 1); save it as UTF-8 or add data.encoding: utf-16 (it starts with "
        "UTF-16's mark)"
    )
    assert read(path, encoding="utf-16").feature_names == ["x1", "x2"]


def test_a_wrong_declared_encoding_is_about_data_encoding(tmp_path):
    path = write(tmp_path, latin_1_table(), "latin-1")
    with pytest.raises(RecipeError) as raised:
        read(path, encoding="ascii")
    assert raised.value.key == "data.encoding"
    assert str(check_error(path, "data.encoding=ascii")) == (
        f"--set: data.encoding: {path} is not ascii text (byte 0xe9 at line 3); set "
        "data.encoding to the encoding the file was saved in"
    )


@pytest.mark.parametrize("name", ["klingon", "base64", "rot13"])
def test_an_encoding_python_cannot_read_text_with_is_refused(tmp_path, name):
    error = check_error(write(tmp_path, table()), f"data.encoding={name}")
    assert f"data.encoding: unknown text encoding '{name}'; e.g. utf-8, latin-1" in str(error)


def test_the_codec_names_python_knows_are_accepted():
    for name in ("UTF-8", "utf8", "latin-1", "cp1252", "utf-8-sig", "utf-16"):
        assert codecs.lookup(csv_table.CsvParams(path="x", encoding=name).encoding)


# -------------------------------------------------------------------------------- CSV format


def test_an_oversized_field_names_its_line(tmp_path):
    path = write(tmp_path, table(tail="0.1,0.2," + "d" * 140_000 + "\n"))
    assert str(check_error(path)).endswith(
        f'{path} line 42: a field is longer than 131,072 characters; is a quote (") left '
        "open? No number or class name is that long"
    )


def test_an_unclosed_quote_names_the_line_it_opens_on(tmp_path):
    path = write(tmp_path, table(tail='0.1,"0.2,dog\n0.3,0.4,cat\n'))
    assert str(check_error(path)).endswith(
        f'{path} line 42: a quoted field is never closed; close its quote (") or remove it'
    )


def test_text_after_a_closing_quote_is_a_format_error(tmp_path):
    path = write(tmp_path, table(tail='0.1,"0.2"5,dog\n'))
    assert f"{path} line 42: text after a closing quote" in str(check_error(path))


def test_lines_are_counted_in_the_file_when_a_quoted_field_spans_lines(tmp_path):
    rows = [*ROWS, '0.1,0.2,"two-line\nclass"', "0.3,oops,dog"]
    path = write(tmp_path, table(rows=rows))
    assert str(check_error(path)).endswith(f"{path} line 44, column 'x2': 'oops' is not a number")


def test_a_nul_byte_is_a_bad_cell_not_a_traceback(tmp_path):
    path = write(tmp_path, table(tail="0.1,0.2\x00,dog\n"))
    assert str(check_error(path)).endswith(
        f"{path} line 42, column 'x2': '0.2\\x00' is not a number"
    )


def test_a_file_that_cannot_be_opened_is_one_line(tmp_path, monkeypatch):
    path = write(tmp_path, table())

    def refuse(*arguments, **keywords):  # what open() says to a user without read permission
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(csv_table, "open", refuse, raising=False)
    assert str(check_error(path)) == f"--set: data.path: cannot read {path} (Permission denied)"


# ------------------------------------------------------------------------------ command line


def test_check_on_the_command_line_is_one_line_exit_2(cli, tmp_path):
    path = write(tmp_path, table("x1,x2,x1,kind", [row.replace(",", ",0,", 1) for row in ROWS]))
    config = tmp_path / "mine.yaml"
    config.write_text(
        f"extends: {PROJECT_ROOT / 'configs' / 'csv_moons.yaml'}\n"
        f"data: {{path: {path}, label: kind, features: null}}\n"
    )
    result = cli("check", str(config), timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: {config}: data.path: {path} line 1: column 'x1' appears twice (columns 1 and "
        "3); give each column a distinct name"
    ]
