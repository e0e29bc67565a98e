"""``python -m recipes.studies.fidelity``: plan, run, summarize, write the report."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from recipes.files import create_unique_folder
from recipes.paths import default_output_root
from recipes.studies.fidelity.execute import results_from_record, run_jobs
from recipes.studies.fidelity.plan import Settings, all_jobs
from recipes.studies.fidelity.report import write_report


def parse_settings(argv: Sequence[str] | None) -> tuple[Settings, Path, str, Path | None]:
    parser = argparse.ArgumentParser(
        prog="python -m recipes.studies.fidelity", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seeds", type=int, default=20, help="hinge and rings seeds (20)")
    parser.add_argument("--mnist-seeds", type=int, default=3, help="MNIST seeds (3; full: 20)")
    parser.add_argument(
        "--mnist-steps",
        type=int,
        help="MNIST SGD steps (default: 10 epochs; the published run: 3000)",
    )
    parser.add_argument("--backend", default="jax", help="the recipes' backend (jax)")
    parser.add_argument("--quick", action="store_true", help="2 seeds, 1-2 epochs: a smoke test")
    parser.add_argument("--output-root", type=Path, default=None, help="default outputs/")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FOLDER",
        help="redraw FOLDER's report from its jobs.json and sweeps (runs nothing)",
    )
    arguments = parser.parse_args(argv)
    fields = {name: getattr(arguments, name) for name in Settings.__dataclass_fields__}
    settings = Settings(**fields).effective()
    root = arguments.output_root or default_output_root()
    command = "python -m recipes.studies.fidelity " + " ".join(argv or sys.argv[1:])
    return settings, root, command, arguments.report


def main(argv: Sequence[str] | None = None) -> int:
    settings, root, command, redraw = parse_settings(argv)
    if redraw is not None:  # the same settings as the run that made it
        results = results_from_record(redraw)
        wall = sum(result.wall_s for result in results)
        print(write_report(redraw, settings, results, wall, command))
        return 0
    # absolute: the sweeps run from the project's folder and their records name run folders
    folder = create_unique_folder(root.resolve(), "fidelity-")
    print(f"fidelity report: {folder}", file=sys.stderr)
    clock = time.perf_counter()
    results = run_jobs(all_jobs(settings), folder, settings.backend)
    report = write_report(folder, settings, results, time.perf_counter() - clock, command)
    print(f"fidelity: {time.perf_counter() - clock:.0f} s in all", file=sys.stderr)
    print(report)
    return 0 if all(r.exit_status == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
