"""When a run's figures are drawn (``plots.draw``, recipes/training/drawing.py): by a run
alone, not by a sweep's runs unless asked, and by ``python -m recipes plot`` from the run
folder alone (no model, no training), the same files as the run drew."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import FIGURE_FILES, PROJECT_ROOT, RUN_FILES, run_cli, shrink_overrides


def _record(folder: Path) -> dict:
    return json.loads((folder / "run.json").read_text())


def _names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir() if path.name != ".lock"}


def _pixels(path: Path) -> list[np.ndarray]:
    """Every frame of an image (one for a PNG), as RGB arrays."""
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        return [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(image)]


@pytest.fixture(scope="module")
def replotted(shrunk_run, tmp_path_factory) -> tuple[Path, Path]:
    """The shrunk hinge recipe's run folder (as the run drew it), and a copy of it without
    its figures and its model, whose figures ``python -m recipes plot`` then drew in a fresh
    process."""
    result, root = shrunk_run("hinge")
    assert result.returncode == 0, result.stderr[-3000:]
    [alone] = (root / "hinge").iterdir()
    copy = tmp_path_factory.mktemp("replotted") / "hinge" / alone.name
    shutil.copytree(alone, copy)
    for name in FIGURE_FILES | {"model.keras"}:
        (copy / name).unlink()
    plot = run_cli("plot", str(copy), env={"KERAS_BACKEND": "jax"})
    assert plot.returncode == 0, plot.stderr[-3000:]
    assert plot.stdout.startswith(f"{copy}: drew ")
    return alone, copy


def test_plot_draws_a_run_folders_figures_from_its_records_alone(replotted):
    """No model, no Keras, no training: the same files as the run drew, pixel for pixel."""
    alone, copy = replotted
    assert _names(copy) == RUN_FILES - {"model.keras"} and _names(alone) == RUN_FILES
    for name in FIGURE_FILES:
        drawn, again = _pixels(alone / name), _pixels(copy / name)
        assert len(drawn) == len(again), name
        for frame, frame_again in zip(drawn, again, strict=True):
            np.testing.assert_array_equal(frame, frame_again, err_msg=name)
    figures = _record(copy)["figures"]
    assert figures["status"] == "drawn" and figures["where"] == "plot"
    assert set(figures["files"]) == FIGURE_FILES == set(_record(alone)["figures"]["files"])


def test_drawing_from_a_folder_imports_no_keras(replotted, tmp_path):
    alone, _ = replotted
    copy = tmp_path / "hinge" / alone.name
    shutil.copytree(alone, copy)
    code = (
        "import sys; from recipes.training.drawing import draw_from_folder; "
        f"drawn = draw_from_folder({str(copy)!r}); "
        "print(sorted(drawn.files), 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == f"{sorted(FIGURE_FILES)} False"


def test_a_figure_that_fails_to_draw_is_recorded_and_raised(replotted, tmp_path, monkeypatch):
    """Honest status: run.json's figures say why, and the error reaches the caller."""
    from recipes.training import drawing, figures

    alone, _ = replotted
    copy = tmp_path / "hinge" / alone.name
    shutil.copytree(alone, copy)

    def no_room(*arguments, **options):
        raise ValueError("no room on the canvas")

    monkeypatch.setattr(figures, "write_run_figures", no_room)
    with pytest.raises(ValueError, match="no room on the canvas"):
        drawing.plot_run_folder(copy)
    assert _record(copy)["figures"] == {
        "status": "failed",
        "where": "plot",
        "reason": "ValueError: no room on the canvas",
    }
    assert _record(copy)["status"] == "completed"


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """One shrunk hinge sweep trained together (vectorized): seeds 0 and 1 with ``plots.draw``
    auto, then in_run; then ``plot`` on the sweep folder. Returns the run folders by (draw,
    seed), what they held before ``plot``, and its result."""
    work = tmp_path_factory.mktemp("swept")
    shrunk = [text for text in shrink_overrides("hinge") if not text.startswith("plots.draw=")]
    sweep = run_cli(
        "sweep", "hinge", *(f"--set={text}" for text in shrunk),
        "--grid", "seed=0,1", "--grid", "plots.draw=auto,in_run",
        "--set", "sweep.executor=vectorized", "--output-root", str(work),
        env={"KERAS_BACKEND": "jax"},
    )  # fmt: skip
    assert sweep.returncode == 0, sweep.stderr[-3000:]
    sweep_folder = Path(sweep.stdout.strip().splitlines()[-1])
    runs = json.loads((sweep_folder / "sweep.json").read_text())["runs"]
    folders = {
        (run["values"]["plots.draw"], run["values"]["seed"]): Path(run["run_folder"])
        for run in runs
    }
    before_plot = {key: (_names(f), _record(f)) for key, f in folders.items()}
    plot = run_cli("plot", str(sweep_folder), env={"KERAS_BACKEND": "jax"})
    return folders, before_plot, plot


@pytest.mark.slow
def test_a_sweeps_runs_leave_their_figures_pending_until_plot_draws_them(swept, tmp_path):
    folders, before_plot, plot = swept
    assert plot.returncode == 0, plot.stderr[-3000:]
    for seed in (0, 1):
        names, record = before_plot[("auto", seed)]
        assert names == RUN_FILES - FIGURE_FILES  # the records, with the recording
        assert record["status"] == "completed" and record["figures"]["status"] == "pending"
        folder = folders[("auto", seed)]
        assert record["figures"]["command"] == ["python", "-m", "recipes", "plot", str(folder)]
        assert "force_share_hardest_10pct" in json.loads((folder / "metrics.json").read_text())
        assert _names(folder) == RUN_FILES
        assert _record(folder)["figures"]["where"] == "plot"
        names, record = before_plot[("in_run", seed)]  # drew its own, in the sweep
        assert names == RUN_FILES and record["figures"]["where"] == "run"
        # recorded as the run started, so the figures it drew name it too
        assert record["varies"] == {"seed": str(seed), "plots.draw": "in_run"}
    # the same run's figures, drawn in the run or later from its folder: the same bytes (the
    # auto runs differ from them only in their titles' plots.draw = auto)
    from recipes.training.drawing import draw_from_folder

    copy = tmp_path / "in_run"
    shutil.copytree(folders[("in_run", 0)], copy)
    draw_from_folder(copy)
    for name in FIGURE_FILES:
        in_run, later = folders[("in_run", 0)] / name, copy / name
        assert in_run.read_bytes() == later.read_bytes(), name


def test_only_a_run_alone_draws_with_auto():
    from recipes.config.resolve import resolve_recipe
    from recipes.training.drawing import pending_reason

    def config(draw):
        return resolve_recipe("hinge", [f"plots.draw={draw}"]).config

    assert pending_reason(config("auto"), sweep_point=False) is None
    assert "sweep" in pending_reason(config("auto"), sweep_point=True)
    assert pending_reason(config("in_run"), sweep_point=True) is None
    assert pending_reason(config("deferred"), sweep_point=False) == "plots.draw: deferred"


def _plot_in_process(capsys, *folders: Path) -> tuple[int, list[str]]:
    from recipes.cli.main import main

    status = main(["plot", *map(str, folders)])
    captured = capsys.readouterr()
    return status, captured.err.strip().splitlines()


def test_plot_refuses_a_folder_that_is_not_a_run_folder(tmp_path, capsys):
    status, lines = _plot_in_process(capsys, tmp_path)
    assert status == 2 and len(lines) == 1
    assert lines[0].startswith(f"error: {tmp_path}: not a run folder")


def test_plot_refuses_a_run_that_wrote_no_records(tmp_path, capsys):
    from recipes.config.resolve import resolve_recipe

    config = resolve_recipe("hinge").config.as_mapping()
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "run.json").write_text(json.dumps({"status": "failed"}), encoding="utf-8")
    status, lines = _plot_in_process(capsys, tmp_path)
    assert status == 2 and len(lines) == 1 and "no metrics.json and history.csv" in lines[0]
    assert "Traceback" not in capsys.readouterr().err


def test_plots_draw_is_validated(capsys):
    from recipes.cli.main import main

    assert main(["check", "hinge", "--set", "plots.draw=pool"]) == 2
    assert "plots.draw" in capsys.readouterr().err
