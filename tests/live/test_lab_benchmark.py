"""``make benchmark``'s lab rows: benchmarks/lab_speed.py's fields become seconds against 1 s
with the issue's goals (<= 0.5 s to the first epoch's event, <= 1.5 s to the last)."""

from __future__ import annotations

from test_benchmark_table import fast_path


def test_the_lab_rows_judge_seconds_against_their_goals(monkeypatch):
    bench = fast_path()
    output = "change_first_s=0.251 change_last_s=1.700 shape_first_s=6.173 shape_last_s=6.513\n"
    monkeypatch.setattr(bench, "timed", lambda command, environment: (1.0, output))
    rows = bench.lab_rows("python", {})
    assert [row.value for row in rows] == [0.251, 1.7, 6.173, 6.513]
    assert [row.verdict for row in rows] == ["met", "missed", "", ""]
    assert all(row.baseline == 1.0 for row in rows) and "first epoch" in rows[0].name
