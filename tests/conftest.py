"""Shared test fixtures. In-process tests (and command lines that name no backend) run on
TensorFlow unless $KERAS_BACKEND says otherwise; the shrunk recipe runs (``shrunk_run``) run on
JAX, the project's default backend, so the fast suite covers both."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from keras_process import KerasProcess
from ray_head import (  # noqa: F401 (the session's local Ray cluster: hooks and fixtures)
    pytest_collection_modifyitems,
    pytest_sessionfinish,
    ray_address,
    ray_driver,
)

pytest_plugins = ["worker_groups"]  # tests/worker_groups.py: make test's xdist workers

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHRINK = yaml.safe_load((Path(__file__).parent / "shrink.yaml").read_text(encoding="utf-8"))
# What every completed training run folder of two-feature data holds.
RUN_FILES = {
    "config.yaml",
    "run.json",
    "metrics.json",
    "history.csv",
    "test_predictions.csv",
    "model.keras",
    "loss.png",
    "decision_boundary.png",
    "forces.png",  # recipes/report/forces.py
    "recording.npz",  # recipes/recording.py: what every figure is drawn from
    "boundary_epochs.png",  # and below: plots.evolution
    "training.gif",  # tests/shrink.yaml asks for gif (auto: mp4 where ffmpeg exists)
}
# The figures among them: a sweep's run leaves them pending (plots.draw: auto).
FIGURE_FILES = {
    "loss.png", "decision_boundary.png", "forces.png", "boundary_epochs.png", "training.gif"
}  # fmt: skip


def synthetic_recording(score, points, labels, levels=(-0.5, 0.0, 0.5), **fields):
    """A recording (recipes.recording.Recording) of a -1/+1 model whose scores are
    ``score(points)`` (points: (n, 2) -> (n,)), at one epoch unless ``fields`` say otherwise:
    what the figures are drawn from, without Keras."""
    import numpy as np

    from recipes.recording import Recording, grid_axes

    points = np.asarray(points, dtype="float32")
    x, y = grid_axes(points, 40)
    xx, yy = np.meshgrid(x, y)
    grid = np.asarray(score(np.stack([xx.ravel(), yy.ravel()], axis=1)), float)
    values = {
        "grid_x": x, "grid_y": y, "points": points, "labels": np.asarray(labels),
        "epochs": np.array([1]), "grid_scores": grid.reshape(1, *xx.shape, 1),
        "point_scores": np.asarray(score(points), float).reshape(1, -1, 1),
        "point_forces": np.ones((1, len(points))), "history": {"loss": np.array([0.5])},
        "output_kind": "tanh", "label_kind": "plus_minus_one",
        "margin_levels": np.array(levels, float), "feature_names": ["x1", "x2"],
        "class_names": {}, "standardized": False,
    }  # fmt: skip
    return Recording(**{**values, **fields})


def headless_chromium(profile: Path, *flags: str, console_log: bool = False):
    """Debian's chromium driven by selenium, headless, with its profile in ``profile``; the
    test is skipped where chromium and chromium-driver are missing (.ci/run installs them).
    ``console_log``: keep the page's console messages (``driver.get_log("browser")``)."""
    import shutil

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        pytest.skip(
            "needs Debian's chromium and chromium-driver (.ci/run installs them: "
            "apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *flags,
    ):
        options.add_argument(flag)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=options)


def run_cli(*arguments: str, timeout: float = 600, env: dict | None = None):
    """Run ``python -m recipes ...`` in a fresh process; returns CompletedProcess (text)."""
    return run_python("-m", "recipes", *arguments, timeout=timeout, env=env)


def run_python(*arguments: str, timeout: float = 600, env: dict | None = None):
    """Run ``python ARGUMENTS`` (``-c CODE ...``, ``-m MODULE ...``) in a fresh process from
    the project root; returns CompletedProcess (text)."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def execute_notebook(notebook, tmp_path: Path, environment: dict[str, str], **options):
    """``notebook`` (nbformat) executed in place with nbclient on this interpreter (a kernel spec
    written into a JUPYTER_PATH under ``tmp_path``), ``environment`` set while it runs, its
    widgets' synced state stored into its metadata; ``options`` go to nbclient's client."""
    nbclient = pytest.importorskip("nbclient")
    spec = tmp_path / "jupyter" / "kernels" / "keras-loss-recipes-tests"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "recipes tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {"JUPYTER_PATH": str(tmp_path / "jupyter"), **environment}.items():
            patch.setenv(key, value)
        client = nbclient.NotebookClient(
            notebook, kernel_name=spec.name, store_widget_state=True, **options
        )
        client.execute()
    return notebook


def resolve_in_fresh_process(cases: list[tuple[str, list[str]]], before: str = "") -> list[str]:
    """In a fresh process: run ``before`` (code that prints), then resolve each (recipe,
    overrides) case, printing its RecipeError line; last, whether Keras was imported. The
    printed lines."""
    code = (
        "import sys\n"
        "from recipes.config.resolve import resolve_recipe\n"
        "from recipes.errors import RecipeError\n"
        f"{before}"
        f"for recipe, overrides in {cases!r}:\n"
        "    try:\n"
        "        resolve_recipe(recipe, overrides)\n"
        "    except RecipeError as error:\n"
        "        print(error)\n"
        "print('keras' in sys.modules)\n"
    )
    result = run_python("-c", code, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines()


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def jax_cli():
    """The session's long-lived JAX process (tests/keras_process.py): ``jax_cli.run(*arguments,
    env=..., timeout=...)`` is ``run_cli`` on JAX without a fresh start-up, for command lines
    whose test is not about the process itself; ``jax_cli.python(code, *arguments)`` runs a
    script there as ``python -c`` would."""
    process = KerasProcess(PROJECT_ROOT, "jax")
    yield process
    process.stop()


@pytest.fixture(scope="session")
def shrunk_run(tmp_path_factory, jax_cli):
    """``shrunk_run(recipe)`` -> (CompletedProcess, output root): the recipe's shrunk run or
    sweep on the command line (:func:`shrunk_command`) on JAX (the quicker start-up; the
    TensorFlow command line is tested in tests/training/), run once per test session (in the
    session's JAX process: a sweep's points are processes of their own anyway) and shared by
    every test that asks for the same recipe."""
    done: dict[str, tuple[subprocess.CompletedProcess, Path]] = {}

    def run(recipe: str) -> tuple[subprocess.CompletedProcess, Path]:
        if recipe not in done:
            root = tmp_path_factory.mktemp(f"shrunk-{recipe}")
            command = [*shrunk_command(recipe), "--output-root", str(root)]
            done[recipe] = (jax_cli.run(*command), root)
        return done[recipe]

    return run


@pytest.fixture(scope="session")
def tensorflow_command_line_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """(CompletedProcess, run folder): the shrunk hinge recipe, seed 1, in a fresh ``python -m
    recipes run`` process on TensorFlow, once per session: the reference for the same run made
    in a long-lived process (tests/api/, tests/sweeps/test_workers.py; tests/worker_groups.py
    sends both files to one xdist worker, so it is made once)."""
    root = tmp_path_factory.mktemp("tensorflow-command-line")
    sets = [f"--set={text}" for text in ["seed=1", *shrink_overrides("hinge")]]
    result = run_cli("run", "hinge", "--backend", "tensorflow", *sets, "--output-root", str(root))
    assert result.returncode == 0, result.stderr[-3000:]
    return result, PROJECT_ROOT / result.stdout.strip().splitlines()[-1]


def run_recipe(recipe, output_root: Path, verbose: int | None = None) -> Path:
    """The folder of a completed run of ``recipe`` (run_point in this process); AssertionError
    with the outcome's message when it did not complete, Stopped when a signal stopped it."""
    from recipes.signals import Stopped
    from recipes.training.door import run_point

    outcome = run_point(recipe, output_root, verbose=verbose)
    if outcome.stop_signal is not None:
        raise Stopped(outcome.stop_signal)
    assert outcome.status == "completed", outcome.message or f"the run ended {outcome.status}"
    return outcome.run_folder


def read_csv(path: Path) -> list[dict[str, str]]:
    """A CSV file the runner wrote, as one dict per row."""
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _yaml_text(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=1 << 30).removesuffix("\n...\n")


def shrink_overrides(recipe: str) -> list[str]:
    """``--set`` overrides (``key=value`` texts) that make ``recipe`` train in seconds: the
    shrink.yaml values for every recipe, then those of the recipe's dataset."""
    from recipes.config.resolve import resolve_recipe

    config = resolve_recipe(recipe).config
    values = dict(SHRINK["every"])
    if config.data is not None:
        if config.data.name not in SHRINK["datasets"]:
            raise KeyError(f"tests/shrink.yaml: add an entry for dataset '{config.data.name}'")
        values.update(SHRINK["datasets"][config.data.name])
    return [f"{key}={_yaml_text(value).strip()}" for key, value in values.items()]


def shrink_grid(recipe: str) -> list[str]:
    """``--grid`` options keeping the first values of each of the recipe's grid keys."""
    from recipes.config.resolve import resolve_recipe

    keep = SHRINK["grid_values"]
    grid = resolve_recipe(recipe).config.grid
    return [
        f"{key}={','.join(_yaml_text(value).strip() for value in values[:keep])}"
        for key, values in grid.items()
    ]


def shrunk_command(recipe: str) -> list[str]:
    """``python -m recipes launch`` arguments for a shrunk run (or sweep) of ``recipe``."""
    arguments = ["launch", recipe]
    for text in shrink_overrides(recipe):
        arguments += ["--set", text]
    for text in shrink_grid(recipe):
        arguments += ["--grid", text]
    return [*arguments, "--jobs", "2"] if shrink_grid(recipe) else arguments


# ------------------------------------------- stand-in sweep runs (the sweep machinery, no Keras)

FAKE_RUNNER = r"""
import json, pathlib, sys
succeed, names = set(json.loads(sys.argv[1])), pathlib.Path(sys.argv[2])
for line in sys.stdin:
    message = json.loads(line)
    request = message["request"]
    values = dict(text.split("=", 1) for text in request["overrides"])
    seed = int(values.get("seed", 0))
    accuracy = {"hinge": 0.9, "squared_hinge": 0.8, "log_cosh": -1.0}[values["loss"]]
    name = f"{values['loss']}-{seed}"
    if values["loss"] in succeed:
        accuracy, name = 0.7, f"{name}-again"
    accuracy += seed / 100
    with names.open("a") as stream:
        stream.write(name + "\n")
    pathlib.Path(request["folder"]).rmdir()  # the stand-in names its own folder
    folder = pathlib.Path(request["output_root"]) / "hinge" / name
    folder.mkdir(parents=True)
    log = open(message["log"], "a")
    print("Epoch 1/2 ... (training output)", file=log)
    metric = "sign_accuracy"
    if accuracy < 0:
        reason = "loss became nan at epoch 1, batch 3"
        (folder / "run.json").write_text(json.dumps(
            {"status": "failed", "reason": reason, "durations_s": {"fit": 0.2}}))
        outcome = {"status": "failed", "run_folder": str(folder), "reason": reason,
                   "exit_status": 1, "message": "error: training failed: " + reason,
                   "durations": {"fit": 0.2}}
    else:
        (folder / "history.csv").write_text(
            f"epoch,{metric},loss,val_{metric},val_loss\n1,0.5,0.9,0.45,1.0\n"
            f"2,{accuracy},0.4,{accuracy - 0.05},0.5\n")
        metrics = {f"test_{metric}": accuracy - 0.02, "test_loss": 0.55,
                   "test_accuracy": accuracy - 0.02, f"final_{metric}": accuracy,
                   "final_loss": 0.4, "epochs_run": 2}
        (folder / "metrics.json").write_text(json.dumps(metrics))
        durations = {"fit": 1.25, "total": 2.5}
        (folder / "run.json").write_text(json.dumps(
            {"status": "completed", "durations_s": durations, "metrics": metrics}))
        outcome = {"status": "completed", "run_folder": str(folder), "metrics": metrics,
                   "exit_status": 0, "durations": durations}
    if outcome.get("message"):
        print(outcome["message"], file=log)
    print(folder, file=log)
    log.close()
    print(json.dumps(outcome), flush=True)
"""


class StandIn:
    """What the stand-in runners did: ``commands`` (the run names, in order) and ``succeed``
    (losses whose next attempt succeeds)."""

    def __init__(self, names: Path) -> None:
        self.names = names
        self.succeed: set[str] = set()

    @property
    def commands(self) -> list[str]:
        return self.names.read_text().split() if self.names.is_file() else []


@pytest.fixture
def stand_in_runs(monkeypatch, tmp_path_factory):
    """Replace the point runner (``python -m recipes.child``) by a tiny script speaking
    its protocol that writes a plausible run folder (accuracy from the grid values) or fails
    like a NaN loss (for log_cosh, unless the returned state's ``succeed`` names it: a later,
    fixed attempt)."""
    state = StandIn(tmp_path_factory.mktemp("stand-in") / "names.txt")

    def command():
        return [
            sys.executable,
            "-c",
            FAKE_RUNNER,
            json.dumps(sorted(state.succeed)),
            str(state.names),
        ]

    import recipes.child

    monkeypatch.setattr(recipes.child, "runner_command", command)
    return state
