"""Messages that say the fix: a section whose keys were not indented under it, and a list
given without brackets (in a file or with --set)."""

from __future__ import annotations

import pytest

from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError


def _messages(recipe: str, *overrides: str) -> list[str]:
    with pytest.raises(RecipeError) as caught:
        resolve_recipe(recipe, overrides)
    return [problem.render() for problem in caught.value.problems]


def test_keys_not_indented_under_their_section_say_to_indent_them(tmp_path):
    (tmp_path / "my.yaml").write_text("extends: hinge\ntrain:\nepochs: 5\n")
    section, stray = _messages(str(tmp_path / "my.yaml"))
    assert section.endswith(
        "my.yaml: train: has no value. Indent the keys that belong to it under it by two "
        "spaces ('train:' then '  epochs: ...' on the next line)"
    )
    assert "epochs: unknown key" in stray
    assert stray.endswith("If it belongs under 'train:' (which has no value), indent it under "
                          "that line by two spaces")  # fmt: skip


def test_a_component_section_left_empty_names_it_for_the_stray_key(tmp_path):
    (tmp_path / "my.yaml").write_text("extends: hinge\nmodel:\nhidden_units: [8]\n")
    (message,) = _messages(str(tmp_path / "my.yaml"))
    assert "hidden_units: unknown key" in message
    assert "If it belongs under 'model:' (which has no value)" in message


@pytest.mark.parametrize(
    ("value", "given", "bracketed"), [("8,4", "'8,4' (str)", "[8, 4]"), ("8", "8 (int)", "[8]")]
)
def test_a_list_without_brackets_shows_the_bracketed_form(tmp_path, value, given, bracketed):
    expected = f"model.hidden_units: input should be a list; got {given}. Write it in brackets: "
    assert _messages("hinge", f"model.hidden_units={value}") == [f"--set: {expected}{bracketed}"]
    (tmp_path / "my.yaml").write_text(f"extends: hinge\nmodel:\n  hidden_units: {value}\n")
    (message,) = _messages(str(tmp_path / "my.yaml"))
    assert message.endswith(f"my.yaml: {expected}{bracketed}")
    resolve_recipe("hinge", [f"model.hidden_units={bracketed}"])  # and the fix works


def test_an_empty_value_that_is_no_section_gives_no_indentation_hint(tmp_path):
    (tmp_path / "my.yaml").write_text("extends: hinge\ndescription:\nepochs: 5\n")
    messages = _messages(str(tmp_path / "my.yaml"))
    assert messages[0].endswith("description: input should be a valid string; got None (NoneType)")
    assert "epochs: unknown key" in messages[1] and "indent" not in messages[1]
