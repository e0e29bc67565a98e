"""Sweeps: one run per combination of config values, then one table comparing them.

``python -m recipes sweep <recipe> --grid loss=mse,categorical_crossentropy --grid seed=0,1``
trains the product of the values (here 4 runs), each in its own ordinary run folder
(``outputs/<recipe>/<run-id>``), and writes a sweep folder ``outputs/sweeps/<recipe>-<id>/``:

- ``summary.csv`` / ``summary.md``: one row per run (the varied values, status, final metrics,
  durations, run folder); ``sweep.json``: the grid, the commands and every run's outcome;
- ``logs/``: each run's console output;
- the recipe's comparison outputs (:mod:`recipes.compare`; a generic one for any recipe).

The grid comes from the recipe config's ``grid:`` key and from ``--grid key=v1,v2,...``
options (a command-line key replaces the config's values for that key). Values are YAML, so
``--grid loss=mse,bce`` gives two strings and ``--grid seed=0,1`` two integers. In the config a
value may be a mapping (``{name: binary_crossentropy, from_logits: true, label: BCE logits}``);
its optional ``label`` names it in tables and figures and is not part of the config.

Layering per run: ``defaults.yaml`` <- recipe <- grid values <- ``--set`` (so ``--set
loss.label_smoothing=0.1`` applies to every loss of a grid over ``loss``). Every combination
is validated before any training starts; a run that fails is recorded and the others go on.
Runs are separate processes (``python -m recipes run ... --set ...``), ``jobs`` at a time, so
each gets a fresh Keras (a grid may even vary ``backend``).
"""

from __future__ import annotations

import concurrent.futures
import csv
import itertools
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from recipes.config import (
    DEFAULT_OUTPUT_ROOT,
    ResolvedRecipe,
    display_path,
    recipe_path,
    resolve_recipe,
)
from recipes.errors import RecipeError
from recipes.run_folder import (
    atomic_write_text,
    new_run_id,
    now_iso,
    read_json,
    write_csv,
    write_json,
)

LABEL_KEY = "label"
MAX_RUNS = 1000


# ----------------------------------------------------------------------------------- the grid


@dataclass
class GridAxis:
    """One varied config key: its values (labels removed) and how each is shown."""

    key: str
    values: list[Any]
    labels: list[str]
    source: str  # "--grid" or "configs/<recipe>.yaml: grid"


@dataclass
class SweepPoint:
    """One combination of grid values: one run."""

    index: int  # 1-based, in grid order
    values: dict[str, Any]
    labels: dict[str, str]
    overrides: list[str]  # what the run gets as --set, grid values first, then the user's

    @property
    def label(self) -> str:
        """``loss=MSE, seed=0``: how the run is named in progress lines and tables."""
        return ", ".join(f"{key}={label}" for key, label in self.labels.items())


def parse_grid_option(text: str) -> tuple[str, list[Any]]:
    """``loss=mse,bce`` -> ("loss", ["mse", "bce"]); values are read as one YAML flow list, so
    ``seed=0,1`` gives integers and ``loss={name: bce, from_logits: true},mse`` a mapping."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or not raw.strip():
        raise RecipeError(
            f"--grid expects key=value1,value2,... (e.g. --grid loss=mse,log_cosh), got '{text}'"
        )
    try:
        values = yaml.safe_load(f"[{raw}]")
    except yaml.YAMLError:
        raise RecipeError(
            f"--grid {key}: cannot read '{raw}' as comma-separated YAML values"
        ) from None
    if not values or any(value is None for value in values):
        raise RecipeError(f"--grid {key}: empty value in '{raw}'")
    return key, values


def grid_from_options(options: Iterable[str]) -> dict[str, list[Any]]:
    """Several ``--grid`` options as one mapping; a key given twice is an error."""
    grid: dict[str, list[Any]] = {}
    for option in options:
        key, values = parse_grid_option(option)
        if key in grid:
            raise RecipeError(
                f"--grid {key} is given twice; list all its values once: --grid {key}=a,b,c"
            )
        grid[key] = values
    return grid


def yaml_value(value: Any) -> str:
    """A value as the YAML text ``--set key=...`` reads back to the same value."""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1 << 30)
    return text.removesuffix("\n...\n").strip()


def value_label(value: Any) -> str:
    """How a grid value is shown when it has no ``label``: ``mse``, ``0``,
    ``binary_crossentropy(from_logits=true)``."""
    if isinstance(value, Mapping) and "name" in value:
        params = ", ".join(f"{k}={yaml_value(v)}" for k, v in value.items() if k != "name")
        return f"{value['name']}({params})" if params else str(value["name"])
    return yaml_value(value)


def split_label(value: Any) -> tuple[Any, str]:
    """(value without its ``label`` key, display label)."""
    if isinstance(value, Mapping) and LABEL_KEY in value:
        label = value[LABEL_KEY]
        rest = {k: v for k, v in value.items() if k != LABEL_KEY}
        if not isinstance(label, (str, int, float)) or str(label).strip() == "":
            raise RecipeError(f"grid value {value_label(rest)}: label must be a non-empty text")
        if set(rest) == {"name"}:
            rest = rest["name"]  # {name: mse, label: MSE} is the same config as mse
        return rest, str(label)
    return value, value_label(value)


def build_axes(
    config_grid: Mapping[str, Sequence[Any]],
    cli_grid: Mapping[str, Sequence[Any]],
    config_source: str,
) -> list[GridAxis]:
    """The sweep's axes: the config's ``grid:`` with ``--grid`` keys replacing or adding."""
    axes: list[GridAxis] = []
    merged = {key: (values, f"{config_source}: grid") for key, values in config_grid.items()}
    merged.update({key: (values, "--grid") for key, values in cli_grid.items()})
    for key, (values, source) in merged.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise RecipeError(f"{source}: {key}: expected a non-empty list of values")
        pairs = [split_label(value) for value in values]
        labels = [label for _, label in pairs]
        duplicates = sorted({label for label in labels if labels.count(label) > 1})
        if duplicates:
            raise RecipeError(
                f"{source}: {key}: the value(s) {', '.join(duplicates)} appear more than once "
                "(give each a distinct label)"
            )
        axes.append(GridAxis(key, [value for value, _ in pairs], labels, source))
    return axes


def _override_keys(overrides: Iterable[str]) -> list[str]:
    return [text.partition("=")[0].strip() for text in overrides]


def _touches(path: str, key: str) -> bool:
    return path == key or path.startswith(key + ".") or key.startswith(path + ".")


def _culprits(path: str, axes: list[GridAxis]) -> list[GridAxis]:
    """The grid keys an error at ``path`` is most likely about: the key itself, else keys of
    the same block (``data.source`` for an error at ``data.path``), else none."""
    exact = [axis for axis in axes if _touches(path, axis.key)]
    if exact:
        return exact
    block = path.split(".")[0]
    return [axis for axis in axes if axis.key.split(".")[0] == block]


def _grid_error(
    error: RecipeError, point: SweepPoint, axes: list[GridAxis], user_keys: list[str]
) -> list[tuple[str, str]]:
    """A combination's validation error as (grid values it is about, problem) pairs, the
    problem's source reworded from ``--set`` to where the grid value came from."""
    lines = []
    for line in str(error).splitlines():
        source, _, rest = line.partition(": ")
        path = rest.partition(": ")[0]
        culprits = _culprits(path, axes)
        user_set = any(_touches(path, key) for key in user_keys)
        if source == "--set" and culprits and not user_set:
            line = f"{culprits[0].source}: {rest}"
        named = culprits or axes
        lines.append((", ".join(f"{a.key}={point.labels[a.key]}" for a in named), line))
    return lines


def plan_sweep(
    recipe: str,
    grid: Mapping[str, Sequence[Any]] | None = None,
    overrides: Sequence[str] = (),
    backend: str | None = None,
) -> tuple[ResolvedRecipe, list[GridAxis], list[SweepPoint], list[ResolvedRecipe]]:
    """Validate a sweep completely, before anything trains.

    Returns the base recipe (with ``overrides``), the axes, the points and each point's
    resolved recipe. Raises RecipeError listing every distinct problem (one line each).
    """
    overrides = list(overrides)
    base = resolve_recipe(recipe, overrides, backend)
    config_source = display_path(recipe_path(recipe))
    axes = build_axes(base.config.grid, grid or {}, config_source)
    if not axes:
        raise RecipeError(
            f"{config_source}: nothing to sweep: give --grid key=value1,value2 (e.g. --grid "
            "seed=0,1,2) or a 'grid:' mapping in the config"
        )
    user_keys = _override_keys(overrides)
    clashes = [axis for axis in axes if axis.key in user_keys]
    if clashes:
        raise RecipeError(
            f"--set {clashes[0].key}=... clashes with the grid's {clashes[0].key} "
            f"({clashes[0].source}); drop one of them"
        )
    count = math.prod(len(axis.values) for axis in axes)
    if count > MAX_RUNS:
        raise RecipeError(f"the grid has {count} combinations; at most {MAX_RUNS} per sweep")
    points: list[SweepPoint] = []
    resolved: list[ResolvedRecipe] = []
    problems: dict[str, str] = {}  # problem -> the first grid values that showed it
    for index, combination in enumerate(
        itertools.product(*(range(len(axis.values)) for axis in axes)), start=1
    ):
        values = {axis.key: axis.values[i] for axis, i in zip(axes, combination, strict=True)}
        labels = {axis.key: axis.labels[i] for axis, i in zip(axes, combination, strict=True)}
        grid_overrides = [f"{key}={yaml_value(value)}" for key, value in values.items()]
        # Each run's config.yaml holds the one point it ran, not the whole grid.
        point_overrides = [*grid_overrides, "grid={}", *overrides]
        point = SweepPoint(index, values, labels, point_overrides)
        points.append(point)
        try:
            resolved.append(resolve_recipe(recipe, point_overrides, backend))
        except RecipeError as error:
            for label, problem in _grid_error(error, point, axes, user_keys):
                problems.setdefault(problem, label)
    if problems:
        raise RecipeError(
            "\n".join(f"sweep value {label}: {problem}" for problem, label in problems.items())
        )
    return base, axes, points, resolved


# ------------------------------------------------------------------------------------- running


@dataclass
class RunResult:
    """What one run of a sweep produced (read back from its run folder)."""

    point: SweepPoint
    status: str = "not started"  # completed | failed | interrupted | not started
    run_folder: Path | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    command: list[str] = field(default_factory=list)
    log: Path | None = None
    exit_status: int | None = None
    wall_s: float | None = None

    def history(self) -> dict[str, list[float]]:
        """The run's history.csv as {column: values per epoch} (empty when absent)."""
        if self.run_folder is None or not (self.run_folder / "history.csv").is_file():
            return {}
        with open(self.run_folder / "history.csv", newline="", encoding="utf-8") as stream:
            rows = list(csv.DictReader(stream))
        columns: dict[str, list[float]] = {}
        for row in rows:
            for key, text in row.items():
                if key == "epoch":
                    continue
                value = float(text) if text not in ("", None) else math.nan
                columns.setdefault(key, []).append(value)
        return columns


@dataclass
class Sweep:
    """A finished (or interrupted) sweep: what was asked and what each run produced."""

    recipe: str
    folder: Path
    base: ResolvedRecipe
    axes: list[GridAxis]
    results: list[RunResult]
    overrides: list[str]
    backend: str | None
    jobs: int
    started_at: str = ""
    ended_at: str = ""
    wall_s: float = 0.0

    @property
    def keys(self) -> list[str]:
        return [axis.key for axis in self.axes]


def create_sweep_folder(output_root: Path, recipe: str) -> Path:
    """``output_root/sweeps/<recipe>-<id>``; never reuses an existing folder."""
    parent = Path(output_root) / "sweeps"
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        folder = parent / f"{recipe}-{new_run_id()}"
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue


def run_command(
    recipe: str, overrides: Sequence[str], backend: str | None, output_root: Path
) -> list[str]:
    """The ``python -m recipes run`` command line of one sweep run."""
    command = [sys.executable, "-m", "recipes", "run", recipe]
    for text in overrides:
        command += ["--set", text]
    if backend:
        command += ["--backend", backend]
    return [*command, "--output-root", str(output_root)]


def _run_folder_from_log(lines: list[str], output_root: Path) -> Path | None:
    """The run folder the child printed (the last line naming a folder with a run.json)."""
    for line in reversed(lines):
        text = line.strip()
        if not text:
            continue
        candidate = Path(text) if Path(text).is_absolute() else output_root / text
        try:  # other lines (library logging interleaved from stderr) are not paths
            if (candidate / "run.json").is_file():
                return candidate
        except OSError:
            continue
    return None


def _error_line(lines: list[str]) -> str:
    for line in reversed(lines):
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    for line in reversed(lines):
        if line.strip():
            return line.strip()
    return ""


def execute_point(
    result: RunResult, output_root: Path, env: Mapping[str, str] | None = None
) -> RunResult:
    """Run one point in a child process and read its outcome from the run folder."""
    clock = time.perf_counter()
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    with open(result.log, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(result.command) + "\n")
        log.flush()
        process = subprocess.run(
            result.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_env,
            check=False,
        )
    result.wall_s = time.perf_counter() - clock
    result.exit_status = process.returncode
    lines = result.log.read_text(encoding="utf-8", errors="replace").splitlines()
    result.run_folder = _run_folder_from_log(lines, output_root)
    record = read_json(result.run_folder / "run.json") if result.run_folder else {}
    result.metrics = read_json(result.run_folder / "metrics.json") if result.run_folder else {}
    result.durations = record.get("durations_s", {})
    if process.returncode == 0 and result.run_folder is None:
        result.status = "failed"
        result.reason = "the run exited normally but printed no run folder"
    elif process.returncode == 0:
        result.status = record.get("status", "completed")
    elif process.returncode in (130, -2):
        result.status = "interrupted"
        result.reason = record.get("reason") or "interrupted"
    else:
        result.status = "failed"
        result.reason = (
            record.get("reason") or _error_line(lines) or (f"exit status {process.returncode}")
        )
    return result


def _progress(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        print(text, file=stream, flush=True)


def _describe_result(result: RunResult, metric: str | None) -> str:
    if result.status != "completed":
        return f"{result.status}: {result.reason}"
    text = f"completed in {result.wall_s:.1f} s"
    if "fit" in result.durations:
        text += f" (fit {result.durations['fit']:.1f} s)"
    for key in (f"test_{metric}", "test_accuracy", "test_loss"):
        if key in result.metrics:
            return f"{text}, {key} {result.metrics[key]:.4f}"
    return text


def run_sweep(
    recipe: str,
    grid: Mapping[str, Sequence[Any]] | None = None,
    overrides: Sequence[str] = (),
    backend: str | None = None,
    output_root: Path | str = DEFAULT_OUTPUT_ROOT,
    jobs: int = 1,
    progress: TextIO | None = None,
    compare: bool = True,
) -> Sweep:
    """Validate every combination, run them (``jobs`` processes at a time), write the sweep
    folder (summary, sweep.json, logs, comparison) and return the :class:`Sweep`. Progress
    lines go to ``progress`` (default: standard error).

    Raises RecipeError (before anything is created) when any combination is invalid.
    A failed run is recorded as failed and the others go on; Ctrl-C stops the sweep after
    writing what finished (KeyboardInterrupt is re-raised with ``sweep_folder`` set).
    """
    if jobs < 1:
        raise RecipeError(f"--jobs must be at least 1, got {jobs}")
    progress = progress if progress is not None else sys.stderr
    overrides = list(overrides)
    base, axes, points, _ = plan_sweep(recipe, grid, overrides, backend)
    output_root = Path(output_root).resolve()
    folder = create_sweep_folder(output_root, base.name)
    (folder / "logs").mkdir()
    started = time.perf_counter()
    sweep = Sweep(
        recipe=base.name,
        folder=folder,
        base=base,
        axes=axes,
        results=[],
        overrides=overrides,
        backend=backend,
        jobs=jobs,
        started_at=now_iso(),
    )
    width = len(str(len(points)))
    for point in points:
        result = RunResult(point=point)
        result.command = run_command(recipe, point.overrides, backend, output_root)
        result.log = folder / "logs" / f"run-{point.index:0{width}d}.log"
        sweep.results.append(result)
    write_sweep_record(sweep, status="running")
    metric = base.config.metrics[0].name if base.config.metrics else None
    shape = " x ".join(f"{axis.key} ({len(axis.values)})" for axis in axes)
    _progress(
        progress,
        f"sweep {base.name}: {len(points)} runs over {shape}, {jobs} at a time; "
        f"folder {display_path(folder)}",
    )
    lock = threading.Lock()
    finished = 0

    def work(result: RunResult) -> RunResult:
        nonlocal finished
        _progress(progress, f"[{result.point.index}/{len(points)}] {result.point.label}: started")
        execute_point(result, output_root)
        with lock:
            finished += 1
            _progress(
                progress,
                f"[{result.point.index}/{len(points)}] {result.point.label}: "
                f"{_describe_result(result, metric)} ({finished}/{len(points)} done)",
            )
        return result

    executor = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [executor.submit(work, result) for result in sweep.results]
        for future in concurrent.futures.as_completed(futures):
            future.result()
    except KeyboardInterrupt as error:
        executor.shutdown(wait=True, cancel_futures=True)
        for result in sweep.results:
            if result.status == "not started" and result.exit_status is None:
                result.reason = "the sweep was interrupted before this run started"
        _finish(sweep, started, "interrupted", compare=False)
        error.sweep_folder = folder
        error.run_folder = folder  # the command line prints it as its last line
        raise
    executor.shutdown(wait=True)
    status = "completed" if all(r.status == "completed" for r in sweep.results) else "failed"
    _finish(sweep, started, status, compare=compare)
    return sweep


def _finish(sweep: Sweep, started: float, status: str, compare: bool) -> None:
    sweep.ended_at = now_iso()
    sweep.wall_s = time.perf_counter() - started
    write_summary(sweep)
    outputs: list[str] = []
    if compare and any(result.status == "completed" for result in sweep.results):
        from recipes.compare import compare_sweep

        outputs = [path.name for path in compare_sweep(sweep)]
    write_sweep_record(sweep, status=status, comparison=outputs)


# ------------------------------------------------------------------------------------- writing


def metric_columns(results: Sequence[RunResult]) -> list[str]:
    """Metric names found in the runs, test metrics first, then final (last-epoch) ones."""
    seen: list[str] = []
    for result in results:
        for key, value in result.metrics.items():
            if key not in seen and isinstance(value, (int, float)):
                seen.append(key)

    def rank(key: str) -> tuple[int, int]:
        order = 0 if key.startswith("test_") else 1 if key.startswith("final_") else 2
        return order, seen.index(key)

    return sorted(seen, key=rank)


def _relative(path: Path | None, start: Path) -> str:
    if path is None:
        return ""
    return os.path.relpath(path, start)


def summary_rows(sweep: Sweep) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of summary.csv: one row per run."""
    metrics = metric_columns(sweep.results)
    header = [
        "run",
        *sweep.keys,
        "status",
        *metrics,
        "fit_s",
        "total_s",
        "wall_s",
        "run_folder",
        "reason",
    ]
    rows = []
    for result in sweep.results:
        rows.append(
            [
                result.point.index,
                *(result.point.labels[key] for key in sweep.keys),
                result.status,
                *(result.metrics.get(key, "") for key in metrics),
                _rounded(result.durations.get("fit")),
                _rounded(result.durations.get("total")),
                _rounded(result.wall_s),
                str(result.run_folder or ""),
                result.reason,
            ]
        )
    return header, rows


def _rounded(value: float | None, digits: int = 2) -> Any:
    return "" if value is None else round(float(value), digits)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub markdown table; floats with 4 decimals, pipes escaped."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            text = "" if math.isnan(value) else f"{value:.4f}"
        else:
            text = str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(map(cell, header)) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_summary(sweep: Sweep) -> tuple[Path, Path]:
    """summary.csv (every metric, full precision) and summary.md (links to the run folders)."""
    header, rows = summary_rows(sweep)
    write_csv(sweep.folder / "summary.csv", header, rows)
    folder_column = header.index("run_folder")
    seconds = [i for i, name in enumerate(header) if name.endswith("_s")]
    md_rows = []
    for row in rows:
        row = list(row)
        for i in seconds:
            row[i] = f"{row[i]:.1f}" if isinstance(row[i], float) else row[i]
        if row[folder_column]:
            relative = _relative(Path(row[folder_column]), sweep.folder)
            row[folder_column] = f"[{Path(relative).name}]({relative})"
        md_rows.append(row)
    completed = sum(result.status == "completed" for result in sweep.results)
    grid = "; ".join(f"{a.key} = {', '.join(a.labels)} ({a.source})" for a in sweep.axes)
    text = (
        f"# Sweep {sweep.recipe}: {completed}/{len(sweep.results)} runs completed\n\n"
        f"Grid: {grid}"
        f"\n\nOverrides for every run: {' '.join(sweep.overrides) or 'none'}. "
        f"Wall time {sweep.wall_s:.1f} s with {sweep.jobs} job(s). Durations in seconds; "
        "test_* are metrics of the final model on the test split, final_* are the last epoch's "
        "training-time values.\n\n" + markdown_table(header, md_rows)
    )
    atomic_write_text(sweep.folder / "summary.md", text)
    return sweep.folder / "summary.csv", sweep.folder / "summary.md"


def write_sweep_record(sweep: Sweep, status: str, comparison: Sequence[str] = ()) -> Path:
    """sweep.json: what was asked, when, and what each run produced."""
    data = {
        "status": status,
        "recipe": sweep.recipe,
        "description": sweep.base.config.description,
        "seed": sweep.base.config.seed,
        "sources": sweep.base.sources,
        "overrides": sweep.overrides,
        "backend": sweep.backend,
        "jobs": sweep.jobs,
        "grid": [
            {"key": a.key, "values": a.values, "labels": a.labels, "source": a.source}
            for a in sweep.axes
        ],
        "started_at": sweep.started_at,
        "ended_at": sweep.ended_at,
        "wall_s": round(sweep.wall_s, 3),
        "comparison": list(comparison),
        "runs": [
            {
                "run": r.point.index,
                "values": r.point.values,
                "labels": r.point.labels,
                "status": r.status,
                "reason": r.reason,
                "run_folder": str(r.run_folder or ""),
                "exit_status": r.exit_status,
                "wall_s": r.wall_s,
                "command": r.command,
                "log": _relative(r.log, sweep.folder),
            }
            for r in sweep.results
        ],
    }
    path = sweep.folder / "sweep.json"
    write_json(path, data)
    return path


def load_sweep(folder: Path | str) -> Sweep:
    """A sweep read back from its folder (sweep.json and the run folders), e.g. to redraw its
    comparison after changing a plot: ``compare_sweep(load_sweep(folder))``."""
    folder = Path(folder)
    record = read_json(folder / "sweep.json")
    if not record:
        raise RecipeError(f"{folder}: no readable sweep.json (is this a sweep folder?)")
    sources = record.get("sources") or []
    recipe = sources[-1] if sources and Path(sources[-1]).is_file() else record["recipe"]
    base = resolve_recipe(recipe, record.get("overrides", []), record.get("backend"))
    axes = [
        GridAxis(a["key"], a["values"], a["labels"], a.get("source", "")) for a in record["grid"]
    ]
    results = []
    for run in record.get("runs", []):
        point = SweepPoint(run["run"], run["values"], run["labels"], [])
        run_folder = Path(run["run_folder"]) if run.get("run_folder") else None
        results.append(
            RunResult(
                point=point,
                status=run.get("status", "not started"),
                run_folder=run_folder,
                metrics=read_json(run_folder / "metrics.json") if run_folder else {},
                durations=(
                    read_json(run_folder / "run.json").get("durations_s", {}) if run_folder else {}
                ),
                reason=run.get("reason", ""),
                command=run.get("command", []),
                log=folder / run["log"] if run.get("log") else None,
                exit_status=run.get("exit_status"),
                wall_s=run.get("wall_s"),
            )
        )
    return Sweep(
        recipe=record["recipe"],
        folder=folder,
        base=base,
        axes=axes,
        results=results,
        overrides=record.get("overrides", []),
        backend=record.get("backend"),
        jobs=record.get("jobs", 1),
        started_at=record.get("started_at", ""),
        ended_at=record.get("ended_at", ""),
        wall_s=record.get("wall_s", 0.0),
    )
