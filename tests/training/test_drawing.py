"""When and where a run's figures are drawn (``plots.draw``, recipes/training/drawing.py): a sweep's
pool of processes, deferred, and ``python -m recipes plot`` drawing them from the folder."""

from __future__ import annotations

import concurrent.futures
import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import RUN_FILES, run_cli, shrink_overrides

FIGURE_FILES = {"loss.png", "decision_boundary.png", "forces.png", "boundary_epochs.png"}
FIGURE_FILES |= {"training.gif"}


def _record(folder: Path) -> dict:
    return json.loads((folder / "run.json").read_text())


@pytest.fixture(scope="module")
def replotted(shrunk_run, tmp_path_factory) -> tuple[Path, Path]:
    """The shrunk hinge recipe's run folder (as the run drew it), and a copy of it whose
    figures were deleted and then drawn by ``python -m recipes plot``."""
    result, root = shrunk_run("hinge")
    assert result.returncode == 0, result.stderr[-3000:]
    [alone] = (root / "hinge").iterdir()
    copy = tmp_path_factory.mktemp("replotted") / "hinge" / alone.name
    shutil.copytree(alone, copy)
    for name in FIGURE_FILES:
        (copy / name).unlink()
    plot = run_cli("plot", str(copy), env={"KERAS_BACKEND": "jax"})
    assert plot.returncode == 0, plot.stderr[-3000:]
    assert plot.stdout.startswith(f"{copy}: drew ")
    return alone, copy


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """One shrunk hinge sweep of two groups trained together (vectorized, 2 jobs): seeds 0
    and 1 with ``plots.draw: pool``, then with ``deferred``; then ``plot`` on the sweep
    folder. Returns the run folders by (draw, seed), what they held before ``plot``, and
    its result."""
    work = tmp_path_factory.mktemp("swept")
    shrunk = [text for text in shrink_overrides("hinge") if not text.startswith("plots.draw=")]
    sweep = run_cli(
        "sweep", "hinge", *(f"--set={text}" for text in shrunk),
        "--grid", "seed=0,1", "--grid", "plots.draw=pool,deferred",
        "--set", "sweep.executor=vectorized", "--jobs", "2", "--output-root", str(work),
        env={"KERAS_BACKEND": "jax"},
    )  # fmt: skip
    assert sweep.returncode == 0, sweep.stderr[-3000:]
    sweep_folder = Path(sweep.stdout.strip().splitlines()[-1])
    runs = json.loads((sweep_folder / "sweep.json").read_text())["runs"]
    folders = {
        (run["values"]["plots.draw"], run["values"]["seed"]): Path(run["run_folder"])
        for run in runs
    }
    before_plot = {key: (set(_names(f)), _record(f)) for key, f in folders.items()}
    plot = run_cli("plot", str(sweep_folder), env={"KERAS_BACKEND": "jax"})
    return folders, before_plot, plot


def _names(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir() if path.name != ".lock"]


@pytest.mark.slow
def test_a_pool_sweep_ends_with_every_runs_figures(swept):
    """Each run completes once its figures are drawn (by the pool), with the same files as
    a run alone that drew them itself (tests/conftest.py RUN_FILES)."""
    folders, before_plot, _ = swept
    for seed in (0, 1):
        names, record = before_plot[("pool", seed)]
        assert names == RUN_FILES
        assert record["status"] == "completed"
        assert record["figures"]["status"] == "drawn" and record["figures"]["where"] == "pool"
        assert FIGURE_FILES <= set(record["figures"]["files"])
        metrics = json.loads((folders[("pool", seed)] / "metrics.json").read_text())
        assert "force_share_hardest_10pct" in metrics


@pytest.mark.slow
def test_a_deferred_sweep_leaves_its_figures_pending_until_plot_draws_them(swept):
    folders, before_plot, plot = swept
    assert plot.returncode == 0, plot.stderr[-3000:]
    for seed in (0, 1):
        names, record = before_plot[("deferred", seed)]
        assert names == RUN_FILES - FIGURE_FILES  # the records, with the scored recording
        assert record["status"] == "completed" and record["figures"]["status"] == "pending"
        assert set(_names(folders[("deferred", seed)])) == RUN_FILES
        assert _record(folders[("deferred", seed)])["figures"]["where"] == "plot"
    # the sweep folder stood for its runs whose figures were pending: the pool's are as drawn
    assert _record(folders[("pool", 0)])["figures"]["where"] == "pool"
    # same config and seed, trained in a group of its own: the same figures, drawn elsewhere
    for name in FIGURE_FILES:
        pool = (folders[("pool", 0)] / name).read_bytes()
        assert (folders[("deferred", 0)] / name).read_bytes() == pool, name


def test_plot_redraws_a_run_folder_as_the_run_drew_it(replotted):
    """The copied hinge run folder, its figures deleted, gets them back from its model,
    history and config: byte for byte what the run itself drew."""
    alone, copy = replotted
    assert set(_names(copy)) == set(_names(alone)) == RUN_FILES
    for name in FIGURE_FILES:
        assert (copy / name).read_bytes() == (alone / name).read_bytes(), name
    figures = _record(copy)["figures"]
    assert figures["status"] == "drawn" and "decision_boundary.png" in figures["files"]
    assert _record(copy)["forces"]["hardest_10pct_share"] == pytest.approx(
        _record(alone)["forces"]["hardest_10pct_share"]
    )


def _plot_in_process(capsys, *folders: Path) -> tuple[int, list[str]]:
    from recipes.cli.main import main

    status = main(["plot", *map(str, folders)])
    captured = capsys.readouterr()
    return status, captured.err.strip().splitlines()


def test_plot_refuses_a_folder_that_is_not_a_run_folder(tmp_path, capsys):
    status, lines = _plot_in_process(capsys, tmp_path)
    assert status == 2 and len(lines) == 1
    assert lines[0].startswith(f"error: {tmp_path}: not a run folder")


def test_plot_refuses_a_run_that_saved_no_model(tmp_path, capsys):
    from recipes.config.resolve import resolve_recipe

    config = resolve_recipe("hinge").config.as_mapping()
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "run.json").write_text(json.dumps({"status": "failed"}), encoding="utf-8")
    status, lines = _plot_in_process(capsys, tmp_path)
    assert status == 2 and len(lines) == 1 and "no model.keras" in lines[0]
    assert "Traceback" not in capsys.readouterr().err


def test_a_figure_the_pool_could_not_draw_fails_its_run_saying_so(tmp_path):
    """Honest status: the run is failed, run.json's figures say why, traceback.txt keeps the
    worker's error; nothing is left looking complete."""
    from recipes.config.resolve import resolve_recipe
    from recipes.training.group import _complete_drawn
    from recipes.training.lifecycle import OpenRun
    from recipes.training.train import Records

    recipe = resolve_recipe("hinge", ["backend=tensorflow"])
    future: concurrent.futures.Future = concurrent.futures.Future()
    future.set_exception(ValueError("no room on the canvas"))
    with OpenRun(recipe, tmp_path) as run:
        _complete_drawn(run, None, Records({}, None), future, None)
    record = _record(run.context.folder)
    assert record["status"] == "failed"
    assert "drawing its figures failed: ValueError: no room on the canvas" in record["reason"]
    assert record["figures"] == {
        "status": "failed",
        "where": "pool",
        "reason": "ValueError: no room on the canvas",
    }
    assert "no room on the canvas" in (run.context.folder / "traceback.txt").read_text()


@pytest.mark.parametrize(
    ("draw", "runs", "jobs", "cpus", "workers"),
    [
        ("auto", 50, 2, 8, 2),  # compare_hinge: a group of 50, 2 jobs
        ("auto", 50, 2, 2, 0),  # no CPU to spare beside this process: drawn in the run
        ("auto", 7, 2, 8, 0),  # too few runs to pay two workers' start-up
        ("auto", 50, 1, 8, 0),  # one job: one process
        ("pool", 2, 2, 2, 2),
        ("pool", 50, 8, 4, 4),  # never more than the CPUs
        ("pool", 1, 2, 8, 0),  # a group of one draws its own
        ("in_run", 50, 4, 8, 0),
        ("deferred", 50, 4, 8, 0),
    ],
)
def test_how_many_processes_draw_a_group(draw, runs, jobs, cpus, workers, monkeypatch):
    from recipes.config.resolve import resolve_recipe
    from recipes.training import drawing

    monkeypatch.setattr(drawing, "available_cpus", lambda: cpus)
    config = resolve_recipe("hinge", [f"plots.draw={draw}"]).config
    assert drawing.pool_workers(config, runs, jobs) == workers


def test_plots_draw_is_validated(capsys):
    from recipes.cli.main import main

    assert main(["check", "hinge", "--set", "plots.draw=later"]) == 2
    assert "plots.draw" in capsys.readouterr().err
