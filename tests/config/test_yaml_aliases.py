"""YAML aliases (``*name``) are refused where YAML is read, before layering walks the tree: a
few lines of nested aliases (a "billion laughs") would otherwise expand into billions of
nodes."""

from __future__ import annotations

import pytest
import yaml

from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError
from recipes.paths import CONFIG_DIR
from recipes.sweeps.grid import parse_grid_option, yaml_value

ALIAS_REFUSED = "YAML aliases (*{}) are not supported; write the value out"

BILLION_LAUGHS = """\
data: circles
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def _error(recipe: str, *overrides: str) -> str:
    with pytest.raises(RecipeError) as caught:
        resolve_recipe(recipe, overrides)
    return str(caught.value)


def test_a_billion_laughs_file_is_one_line_naming_the_file_and_line(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(BILLION_LAUGHS)
    assert _error(str(path)) == f"{path}: line 3, column 8: {ALIAS_REFUSED.format('a')}"


def test_a_merge_key_is_an_alias_too(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text("extends: hinge\nbase: &base {epochs: 3}\ntrain:\n  <<: *base\n")
    assert _error(str(path)) == f"{path}: line 4, column 7: {ALIAS_REFUSED.format('base')}"


def test_an_extended_file_with_an_alias_is_refused(tmp_path):
    (tmp_path / "parent.yaml").write_text("extends: hinge\nseed: &s 1\ndescription: *s\n")
    (tmp_path / "child.yaml").write_text("extends: parent\n")
    message = _error(str(tmp_path / "child.yaml"))
    assert message.endswith(f"parent.yaml: line 3, column 14: {ALIAS_REFUSED.format('s')}")


def test_an_anchor_alone_is_harmless(tmp_path):
    path = tmp_path / "anchor.yaml"
    path.write_text(f"extends: {CONFIG_DIR / 'hinge.yaml'}\nseed: &s 3\n")
    assert resolve_recipe(str(path)).config.seed == 3


def test_a_set_value_with_an_alias_is_refused():
    message = _error("hinge", "model.hidden_units=[&n 4, *n]")
    assert message == f"--set model.hidden_units: {ALIAS_REFUSED.format('n')}"


def test_a_grid_value_with_an_alias_is_refused():
    with pytest.raises(RecipeError) as caught:
        parse_grid_option("model.hidden_units=&n [4],*n")
    assert str(caught.value) == f"--grid model.hidden_units: {ALIAS_REFUSED.format('n')}"


def test_a_grid_value_used_twice_is_written_out_twice_for_set():
    """A point's --set values are written by yaml_value: a shared object gets no anchor."""
    shared = [4, 8]
    text = yaml_value({"hidden_units": shared, "again": shared})
    assert "&" not in text and "*" not in text
    assert yaml.safe_load(text) == {"hidden_units": [4, 8], "again": [4, 8]}
