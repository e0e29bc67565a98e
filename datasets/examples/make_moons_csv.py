"""Write datasets/examples/moons.csv, the example CSV of ``make csv_moons``: two interleaving
half moons (scikit-learn ``make_moons``, 240 points, noise 0.2, seed 0), features ``x1``,
``x2`` and a ``moon`` column naming the class (``upper`` / ``lower``), as a user's own file
would. Rerun it to recreate the file:

    .venv/bin/python datasets/examples/make_moons_csv.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from sklearn.datasets import make_moons

PATH = Path(__file__).resolve().parent / "moons.csv"


def main() -> None:
    features, labels = make_moons(n_samples=240, noise=0.2, random_state=0)
    with open(PATH, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["x1", "x2", "moon"])
        for (x1, x2), label in zip(features, labels, strict=True):
            writer.writerow([f"{x1:.3f}", f"{x2:.3f}", "lower" if label else "upper"])
    print(PATH)


if __name__ == "__main__":
    main()
