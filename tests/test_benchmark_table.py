"""benchmarks/fast_path.py's table: ratios against the run's own baselines with the goals, and
``--write-docs`` replacing only the table between docs/speed.md's markers."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import PROJECT_ROOT


def fast_path():
    spec = importlib.util.spec_from_file_location(
        "fast_path", PROJECT_ROOT / "benchmarks" / "fast_path.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fast_path", module)  # its dataclass looks its module up
    spec.loader.exec_module(sys.modules["fast_path"])
    return sys.modules["fast_path"]


def test_each_ratio_is_judged_against_its_goal():
    bench = fast_path()
    assert bench.Row("fit", 0.5, 1.0, ("<=", 0.6)).verdict == "met"
    assert bench.Row("fit", 0.7, 1.0, ("<=", 0.6)).verdict == "missed"
    assert bench.Row("mnist", 85, 100, (">=", 0.9), unit="GFLOP/s").verdict == "missed"
    assert bench.Row("cold", 3, 1).verdict == ""


def test_write_docs_replaces_only_the_table(tmp_path):
    bench = fast_path()
    page = tmp_path / "speed.md"
    page.write_text(
        f"# Speed\n\nprose before\n\n{bench.TABLE_START}\nold table\n{bench.TABLE_END}\n\n"
        "prose after\n",
        encoding="utf-8",
    )
    bench.write_docs([bench.Row("`make hinge` / the tutorial's script", 6, 40, ("<=", 0.2))], page)
    text = page.read_text(encoding="utf-8")
    assert "old table" not in text
    assert text.startswith("# Speed\n\nprose before\n\n") and text.endswith("\n\nprose after\n")
    assert (
        "| `make hinge` / the tutorial's script | 6.00 s | 40.00 s | **0.150** | <= 0.2 | met |"
        in text
    )


def test_write_docs_needs_the_markers(tmp_path):
    bench = fast_path()
    page = tmp_path / "speed.md"
    page.write_text("# Speed\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        bench.write_docs([], page)


def test_the_speed_page_has_the_markers():
    text = (PROJECT_ROOT / "docs" / "speed.md").read_text(encoding="utf-8")
    bench = fast_path()
    assert text.count(bench.TABLE_START) == 1 and text.count(bench.TABLE_END) == 1
