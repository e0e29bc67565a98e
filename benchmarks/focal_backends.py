"""Is focal_rings worse on JAX than on TensorFlow? The recipe over 50 seeds on each backend
(JAX: the vectorized executor; TensorFlow: the processes executor), nothing shrunk but the
per-run figures, then the validation AUC distributions side by side: medians, seeds reaching
0.97, seeds stuck below 0.9, a two-sided Mann-Whitney U test, and whether the same seed starts
from the same weights on both backends (the init streams).

    .venv/bin/python benchmarks/focal_backends.py                       # both sweeps (~30 min)
    .venv/bin/python benchmarks/focal_backends.py --jax DIR --tensorflow DIR [DIR]  # read them

The sweeps' executors train the same runs (tested: a worker's point matches a run alone); the
measurement in docs/recipes/focal_rings.md ran TensorFlow seeds 0-11 with ``processes`` and
12-49 with ``workers`` (one Keras import per worker) when the machine was loaded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy.stats import mannwhitneyu

from recipes.studies.fidelity.plan import NO_PLOTS  # the fidelity sweeps' overrides

EXECUTORS = {
    "jax": ["--executor", "vectorized"],
    "tensorflow": ["--executor", "processes", "--jobs", "2"],
}
INIT_PROBE = """
import json, keras
keras.utils.set_random_seed(0)
from recipes.components.models import build_model
model = build_model("mlp", {"hidden_units": [4, 8], "output": "logit"}, (2,))
print(json.dumps([float(v) for v in keras.ops.convert_to_numpy(model.weights[0]).ravel()]))
"""


def run_sweep(backend: str, seeds: int, root: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "recipes",
        "sweep",
        "focal_rings",
        "--backend",
        backend,
        "--grid",
        f"seed=0..{seeds - 1}",
        *EXECUTORS[backend],
        "--output-root",
        str(root),
    ]
    for override in NO_PLOTS:
        command += ["--set", override]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return Path(completed.stdout.strip().splitlines()[-1])


def val_aucs(folder: Path, metric: str = "final_val_auc") -> dict[int, float]:
    record = json.loads((folder / "sweep.json").read_text())
    values = {}
    for run in record["runs"]:
        if run["status"] == "completed":
            metrics = json.loads((Path(run["run_folder"]) / "metrics.json").read_text())
            values[int(run["values"]["seed"])] = float(metrics[metric])
    return values


def first_kernel(backend: str) -> list[float]:
    environment = {"KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    completed = subprocess.run(
        [sys.executable, "-c", INIT_PROBE],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, **environment},
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def describe(name: str, values: np.ndarray) -> str:
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return (
        f"{name:10s} n={len(values)} median {median:.4f} (IQR {q1:.4f}-{q3:.4f}), "
        f">=0.97: {int(np.sum(values >= 0.97))}, stuck <0.9: {int(np.sum(values < 0.9))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--jax", type=Path, nargs="+", help="existing JAX sweep folders")
    parser.add_argument("--tensorflow", type=Path, nargs="+", help="existing TF sweep folders")
    parser.add_argument("--output-root", type=Path, default=Path("outputs/focal_backends"))
    arguments = parser.parse_args()
    results = {}
    for backend in ("jax", "tensorflow"):
        folders = getattr(arguments, backend) or [
            run_sweep(backend, arguments.seeds, arguments.output_root / backend)
        ]
        results[backend] = {seed: v for f in folders for seed, v in val_aucs(f).items()}
    seeds = sorted(set(results["jax"]) & set(results["tensorflow"]))
    jax = np.array([results["jax"][s] for s in seeds])
    tensorflow = np.array([results["tensorflow"][s] for s in seeds])
    print(describe("jax", jax))
    print(describe("tensorflow", tensorflow))
    test = mannwhitneyu(jax, tensorflow, alternative="two-sided")
    print(f"Mann-Whitney U = {test.statistic:.0f}, two-sided p = {test.pvalue:.3f}")
    stuck_both = int(np.sum((jax < 0.9) & (tensorflow < 0.9)))
    print(
        f"seeds stuck on both backends: {stuck_both} (independent draws would give about "
        f"{np.mean(jax < 0.9) * np.mean(tensorflow < 0.9) * len(seeds):.1f})"
    )
    print(f"per-seed correlation of val AUC: {np.corrcoef(jax, tensorflow)[0, 1]:.2f}")
    kernels = {b: first_kernel(b) for b in ("jax", "tensorflow")}
    same = np.allclose(kernels["jax"], kernels["tensorflow"])
    print(
        f"seed 0's first kernel, jax vs tensorflow: {'the same' if same else 'different'} "
        f"({kernels['jax'][:3]} vs {kernels['tensorflow'][:3]})"
    )


if __name__ == "__main__":
    main()
