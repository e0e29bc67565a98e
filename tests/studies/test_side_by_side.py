"""A sweep says what it varies, everywhere: one shrunk focal_rings sweep over loss.gamma (two
values, one worker process) gives each run's record its ``varies``, the sweep folder the
boundaries side by side titled ``loss.gamma = ...`` (whatever its report), the outputs index a
varies column and summary.md working links; compare_losses names what varies. The seed
grouping of the side-by-side figure is checked on the same runs' recordings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import shrink_overrides

from recipes.records import GridAxis, read_run, varies_text
from recipes.status import RunStatus
from recipes.studies.compare_losses import compare_losses
from recipes.studies.side_by_side import FIGURE, choose_panels, side_by_side_figure
from recipes.sweeps.grid import SweepPoint
from recipes.sweeps.records import RunResult, load_sweep

GAMMAS = ("0", "2")


@pytest.fixture(scope="module")
def gamma_sweep(tmp_path_factory, jax_cli) -> Path:
    """The sweep folder of ``sweep focal_rings --grid loss.gamma=0,2``, shrunk (2 epochs, 560
    points), its points on one worker process."""
    root = tmp_path_factory.mktemp("gamma-sweep")
    sets = [f"--set={text}" for text in [*shrink_overrides("focal_rings"), "plots.animation=none"]]
    result = jax_cli.run(
        "sweep", "focal_rings", "--grid", f"loss.gamma={','.join(GAMMAS)}", *sets,
        "--set=sweep.executor=workers", "--output-root", str(root),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    (folder,) = (root / "sweeps").iterdir()
    return folder


def test_each_run_records_what_the_sweep_varies(gamma_sweep):
    sweep = load_sweep(gamma_sweep)
    assert [read_run(run.folder).varies for run in sweep.runs] == [
        {"loss.gamma": gamma} for gamma in GAMMAS
    ]
    assert varies_text({"loss.gamma": "2", "seed": "0"}) == "loss.gamma = 2, seed = 0"


def test_a_runs_figures_say_what_the_sweep_varies(gamma_sweep, monkeypatch):
    """Drawn from its folder (``python -m recipes plot``), a run's figures carry its record's
    ``varies``: a line of its own on a narrow figure, the end of a wide figure's one line."""
    from recipes.report import plots
    from recipes.training.drawing import draw_from_folder

    titles: dict[str, list[str]] = {}

    def keep_titles(ax_or_figure, path, dpi=None):
        figure = getattr(ax_or_figure, "figure", ax_or_figure)
        titles[Path(path).name] = [figure.get_suptitle(), *(ax.get_title() for ax in figure.axes)]
        return Path(path)

    monkeypatch.setattr(plots, "save_figure", keep_titles)
    draw_from_folder(load_sweep(gamma_sweep).runs[1].folder)
    assert titles["decision_boundary.png"][1].startswith("loss.gamma = 2\nfocal + L1/L2 loss")
    assert titles["loss.png"][1].startswith("loss.gamma = 2\n")
    assert titles["forces.png"][0].startswith("focal + L1/L2 loss, rings, loss.gamma = 2: ")


def test_the_sweep_shows_its_boundaries_side_by_side_labelled_by_what_varies(gamma_sweep):
    """The default report (table) and the side-by-side figure, in one command."""
    assert {FIGURE, "comparison.md", "curves.png"} <= {p.name for p in gamma_sweep.iterdir()}
    sweep = load_sweep(gamma_sweep)
    panels = choose_panels(sweep)
    assert panels.titles == [f"loss.gamma = {gamma}" for gamma in GAMMAS] and not panels.note
    figure = side_by_side_figure(sweep, panels)
    boundaries = figure.axes[0 : 2 * len(GAMMAS) : 2]
    runs = zip(panels.titles, panels.runs, strict=True)
    expected = [f"{title}, test acc {run.metrics['test_accuracy']:.1%}" for title, run in runs]
    assert [ax.get_title() for ax in boundaries] == expected
    assert "loss.gamma" in figure.get_suptitle()


def test_the_index_has_a_varies_column(gamma_sweep):
    page = (gamma_sweep.parent.parent / "index.html").read_text(encoding="utf-8")
    assert "<th" in page and ">varies</th>" in page
    cells = re.findall(r'<td class="varies nowrap">([^<]*)</td>', page)
    assert sorted(cells) == [f"loss.gamma = {gamma}" for gamma in GAMMAS]


def test_summary_links_reach_the_run_folders(gamma_sweep):
    summary = (gamma_sweep / "summary.md").read_text(encoding="utf-8")
    links = re.findall(r"\| \[([^\]]+)\]\(([^)]+)\) \|", summary)
    assert len(links) == len(GAMMAS) and "\\[" not in summary
    for name, target in links:
        assert Path(target).name == name and (gamma_sweep / target / "run.json").is_file()


def test_compare_losses_names_what_varies(gamma_sweep):
    sweep = load_sweep(gamma_sweep)
    compare_losses(sweep)
    report = (gamma_sweep / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# focal_rings: loss.gamma side by side\n")
    assert f"![boundaries and forces]({FIGURE})" in report
    assert "| loss.gamma | test_auc |" in report and "losses side by side" not in report
    assert "`force_share_hardest_10pct`:" in report


def test_a_sweep_over_seeds_and_gamma_shows_one_panel_per_gamma(gamma_sweep):
    """Four runs (two gammas x two seeds, standing on the two real runs' recordings): one
    panel per gamma, its first seed's run, and the figure says so."""
    sweep = load_sweep(gamma_sweep)
    folders = {run.point.labels["loss.gamma"]: run.run_folder for run in sweep.runs}
    sweep.grid = [
        GridAxis(key="loss.gamma", values=[0, 2], labels=list(GAMMAS)),
        GridAxis(key="seed", values=[3, 4], labels=["3", "4"]),
    ]
    sweep.runs = [
        RunResult(
            run=index,
            values={},
            labels=labels,
            status=RunStatus.COMPLETED,
            run_folder=folders[labels["loss.gamma"]],
            point=SweepPoint(index, {}, labels, []),
        )  # fmt: skip
        for index, labels in enumerate(
            ({"loss.gamma": g, "seed": s} for g in GAMMAS for s in ("3", "4")), start=1
        )
    ]
    panels = choose_panels(sweep)
    assert panels.titles == [f"loss.gamma = {gamma}" for gamma in GAMMAS]
    assert [run.point.labels["seed"] for run in panels.runs] == ["3", "3"]
    assert "seed 3" in panels.note
    assert "seed 3" in side_by_side_figure(sweep, panels).get_suptitle()
