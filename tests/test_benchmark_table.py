"""benchmarks/fast_path.py's table: ratios against the run's own baselines with the goals, and
``--write-docs`` replacing only the table between docs/speed.md's markers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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


def test_make_benchmark_prints_each_goal_against_its_own_runs_baseline(
    tmp_path, monkeypatch, capsys
):
    """``make benchmark`` without running anything: each command gives a made-up wall time and
    output, and the printed table has the issue's goals (make hinge / tutorial <= 0.2, a warm
    run's plots / total <= 0.15, compare_hinge / hinge <= 4) and the earlier ones, judged."""
    import json

    bench = fast_path()
    walls = {"hinge.py": 40.0, "compare_hinge": 30.0, "compiled_floor.py": 1.0}
    outputs = {"compiled_floor.py": "floor_s=1.00", "mnist_throughput.py": "fit_gflops=95.0 "}
    outputs["mnist_throughput.py"] += "ceiling_gflops=100.0"
    lab = "change_first_s=0.3 change_last_s=0.6 shape_first_s=5 shape_last_s=6"
    outputs["benchmarks.lab_speed"] = lab  # python -m benchmarks.lab_speed
    hinge_runs = iter([(10.0, 3.0, "cold"), (6.0, 0.5, "warm")])

    def timed(command, environment):
        if command[-3:-1] == ["hinge", "--output-root"]:  # python -m recipes run hinge
            wall, fit, name = next(hinge_runs)
            folder = tmp_path / name
            folder.mkdir()
            durations = {"plots": 0.6, "total": 5.0, "fit": fit}
            (folder / "run.json").write_text(json.dumps({"durations_s": durations}))
            return wall, f"progress\n{folder}\n"
        key = next(part for part in command if Path(part).name in walls | outputs)
        return walls.get(Path(key).name, 1.0), outputs.get(Path(key).name, "")

    monkeypatch.setattr(bench, "timed", timed)
    monkeypatch.setattr(sys, "argv", ["fast_path.py"])
    monkeypatch.setattr(bench.tempfile, "tempdir", str(tmp_path))  # its scratch folder
    monkeypatch.delenv("KERAS_BACKEND", raising=False)  # restored after: the benchmark drops it
    bench.main()
    printed = {
        line[:68].strip(): line[68:].split() for line in capsys.readouterr().out.splitlines()
    }
    assert printed["`make hinge` / the tutorial's script"][2:] == ["0.150", "<=", "0.2", "met"]
    assert printed["warm hinge run: `durations_s.plots` / `durations_s.total`"][2:] == [
        "0.120", "<=", "0.15", "met",
    ]  # fmt: skip
    assert printed["`make compare_hinge` (100 runs) / `make hinge`"][2:] == [
        "5.000", "<=", "4", "missed",
    ]  # fmt: skip
    again = "`make compare_hinge` again, programs cached / `make hinge`"
    assert printed[again][2:] == ["5.000"]  # the second sweep: shown, not judged
    assert printed["hinge fit, programs from the caches / compiled floor"][2:] == [
        "0.500", "<=", "0.6", "met",
    ]  # fmt: skip
    mnist = "MNIST fit throughput, first epoch included / numpy matmul ceiling"
    assert printed[mnist][2:] == ["0.950", ">=", "0.9", "met"]
    lab = "lab: hinge -> squared_hinge, POST to first epoch event / 1 s"
    assert printed[lab][2:] == ["0.300", "<=", "0.5", "met"]


def test_the_speed_page_explains_the_run_its_table_is_from():
    """The prose under the table quotes the table's own run: the same date, and every ratio it
    names (``(0.355)``) is the table's, so a table written again asks for its explanation."""
    import re

    bench = fast_path()
    text = (PROJECT_ROOT / "docs" / "speed.md").read_text(encoding="utf-8")
    table, prose = text.split(bench.TABLE_START, 1)[1].split(bench.TABLE_END, 1)
    measured = re.search(r"Measured by `make benchmark` on (\d{4}-\d\d-\d\d)", table)[1]
    explained = re.search(r"Where this run misses its goals.*?\((\d{4}-\d\d-\d\d)", prose, re.S)
    assert explained is not None and explained[1] == measured
    misses = prose.strip().split("\n\n")[1]  # the list under that line
    cited = re.findall(r"\((\d+\.\d{3})\b", misses)
    assert cited, misses
    for ratio in cited:
        assert f"**{ratio}**" in table, ratio
