"""What every tutorial script here shares: which seeds to run and one JSON line per seed.

Each script (``hinge.py``, ``focal_rings.py``, ``mnist.py``) is its tutorial's training code
as the text gives it, wrapped in a function of the seed. ``--seed S`` runs one seed,
``--seeds N`` seeds 0..N-1, ``--seeds A..B`` seeds A to B inclusive; each seed prints one line
``{"tutorial": ..., "seed": S, <the published metrics>, "wall_s": ...}`` on stdout, so
``recipes.studies.fidelity`` (``make fidelity``) reads them as data. Anything else a script
prints goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any


def seed_list(text: str) -> list[int]:
    """``"20"``: seeds 0..19; ``"3..7"``: seeds 3 to 7; ``"1,4,9"``: those seeds."""
    if ".." in text:
        first, last = (int(part) for part in text.split("..", 1))
        return list(range(first, last + 1))
    if "," in text:
        return [int(part) for part in text.split(",")]
    return list(range(int(text)))


def seed_parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with ``--seed`` / ``--seeds`` (one of them; default seed 0)."""
    parser = argparse.ArgumentParser(description=description)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--seed", type=int, help="one seed (default 0)")
    group.add_argument("--seeds", type=seed_list, help="N (0..N-1), A..B or a comma list")
    return parser


def chosen_seeds(arguments: argparse.Namespace) -> list[int]:
    if arguments.seeds is not None:
        return arguments.seeds
    return [0 if arguments.seed is None else arguments.seed]


def emit_per_seed(
    tutorial: str, seeds: list[int], train: Callable[[int], dict[str, Any]], **labels: Any
) -> None:
    """Run ``train(seed)`` for each seed and print its metrics as one JSON line (flushed, so
    a reader sees each seed as it finishes)."""
    for seed in seeds:
        clock = time.perf_counter()
        metrics = train(seed)
        record = {"tutorial": tutorial, **labels, "seed": seed, **metrics}
        record["wall_s"] = round(time.perf_counter() - clock, 3)
        print(json.dumps(record), flush=True)
        print(f"{tutorial} {labels} seed {seed}: {metrics}", file=sys.stderr, flush=True)
