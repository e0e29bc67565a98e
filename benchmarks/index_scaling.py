"""How the outputs index scales with the number of runs (recipes.report.outputs_index).

Creates N fake run folders (run.json, metrics.json, config.yaml, two figures, a model file and
a TensorBoard folder each) in a temporary folder, for N = 100 and 1,500 by default, and times:

- cold: the first build;
- warm: the build a finishing run pays, after one run's record changed (every record is
  read again);
- the ratio warm(1,500) / warm(100), measured in this run.

A benchmark, not a test: it prints figures and asserts nothing.
Usage: python benchmarks/index_scaling.py [N ...]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from recipes.report.outputs_index import build_index  # noqa: E402

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a40000000049454e44ae426082"
)


def make_runs(root: Path, count: int) -> list[Path]:
    folders = []
    for index in range(count):
        recipe = f"recipe_{index % 10}"
        folder = root / recipe / f"20260101-000000-{index:06d}-abcd"
        (folder / "tensorboard" / "train").mkdir(parents=True)
        (folder / "tensorboard" / "train" / "events.out.tfevents").write_bytes(b"\0" * 256)
        record = {
            "status": "completed",
            "recipe": recipe,
            "run_id": folder.name,
            "backend": "jax",
            "seed": index,
            "started_at": f"2026-01-01T00:{index // 60 % 60:02d}:{index % 60:02d}",
            "host": {"name": "benchmark"},
        }
        (folder / "run.json").write_text(json.dumps(record))
        (folder / "metrics.json").write_text(json.dumps({"test_accuracy": 0.9, "test_loss": 0.3}))
        (folder / "config.yaml").write_text("loss:\n  name: hinge\ntrain:\n  epochs: 5\n")
        for name in ("loss.png", "decision_boundary.png"):
            (folder / name).write_bytes(PNG)
        (folder / "model.keras").write_bytes(b"\0" * 4096)
        folders.append(folder)
    return folders


def timed(function, *arguments) -> float:
    start = time.perf_counter()
    function(*arguments)
    return time.perf_counter() - start


def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        folders = make_runs(root, count)
        cold = timed(build_index, root)
        record_path = folders[count // 2] / "run.json"  # one run finishes: its record changes
        record = json.loads(record_path.read_text())
        record["status"] = "failed"
        record["reason"] = "benchmark"
        record_path.write_text(json.dumps(record))
        warm = timed(build_index, root)
        unchanged = timed(build_index, root)
    return {"cold": cold, "warm": warm, "unchanged": unchanged}


def main(counts: list[int]) -> None:
    results = {count: measure(count) for count in counts}
    print(f"{'runs':>6} {'cold s':>8} {'warm s':>8} {'no change s':>12}")
    for count, figures in results.items():
        print(
            f"{count:>6} {figures['cold']:>8.3f} {figures['warm']:>8.3f} "
            f"{figures['unchanged']:>12.3f}"
        )
    small, large = min(counts), max(counts)
    if small != large:
        ratio = results[large]["warm"] / results[small]["warm"]
        print(
            f"warm {large} / warm {small}: {ratio:.1f}x for {large / small:.0f}x the runs; "
            f"cold {large} / warm {large}: {results[large]['cold'] / results[large]['warm']:.1f}x"
        )


if __name__ == "__main__":
    main([int(text) for text in sys.argv[1:]] or [100, 1500])
