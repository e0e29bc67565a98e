"""Replays (recipes/live/replay.py) and saved replays (recipes/live/export.py), against a real
lab process: a finished run's folder and a sweep's runs open in the lab, and each replayed
epoch's event is its recording's (grid scores, point forces, epochs) and its history's; a run
folder without a recording gets one line (400, and exit status 2 on the command line); a saved
replay inlines everything, and a hostile class name cannot close its script element."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_ROOT, read_csv, run_cli, shrink_overrides
from lab_client import start_lab
from lab_fixtures import all_events, shrunk

from recipes.live.export import replay_html
from recipes.recording import Recording

HOSTILE = '</script><script>document.title="pwned"</script><!--&amp;'


def with_class_names(run: Path, into: Path, names: dict[int, str]) -> Path:
    """A copy of the run folder ``run`` under ``into``, its recording's class names ``names``."""
    folder = into / run.name
    shutil.copytree(run, folder)
    recording = Recording.load(folder / "recording.npz")
    recording.class_names = names
    recording.save(folder / "recording.npz")
    return folder


def tiny_outputs(root):
    """A shrunk hinge run and a shrunk sweep of hinge against squared_hinge (3 epochs each),
    made by the command line under ``root`` at once: (the run's folder, the sweep's)."""
    settings = [item for text in shrink_overrides("hinge") for item in ("--set", text)]
    settings += ["--set", "train.epochs=3", "--output-root", str(root)]
    commands = [
        ["run", "hinge", *settings],
        ["sweep", "hinge", "--grid", "loss=hinge,squared_hinge", "--jobs", "2", *settings],
    ]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "recipes", *command],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "KERAS_BACKEND": "jax"},
        )
        for command in commands
    ]
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output[-2000:]
    (sweep,) = (root / "sweeps").iterdir()
    points = json.loads((sweep / "sweep.json").read_text(encoding="utf-8"))["runs"]
    in_sweep = {Path(point["run_folder"]).name for point in points}
    (run,) = [folder for folder in (root / "hinge").iterdir() if folder.name not in in_sweep]
    return run, sweep


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("replay-outputs")
    run, sweep = tiny_outputs(root)
    return root, run, sweep


@pytest.fixture(scope="module")
def lab(outputs):
    """A lab started on the sweep's folder (its runs opened as replays)."""
    root, _, sweep = outputs
    with start_lab([str(sweep)], root, {"KERAS_BACKEND": "jax"}) as client:
        client.root = root
        yield client


def assert_replays_its_recording(events, folder):
    """Each replayed epoch's event is the recording's at that epoch; the history's too."""
    recording = Recording.load(folder / "recording.npz")
    history = read_csv(folder / "history.csv")
    names = [name for name, _ in events]
    assert names == ["start", *["epoch"] * len(recording.epochs), "end"]
    start, epochs, end = (
        events[0][1],
        [data for name, data in events if name == "epoch"],
        events[-1][1],
    )
    assert [data["epoch"] for data in epochs] == recording.epochs.tolist()
    assert start["replay"] is True and start["epochs"] == len(history)
    assert np.allclose(start["grid_x"], recording.grid_x, atol=1e-5)
    assert np.allclose(start["points"], recording.points, atol=1e-5)
    assert start["labels"] == recording.labels.tolist()
    assert start["margin_levels"] == recording.margin_levels.tolist()
    for index, data in enumerate(epochs):
        shown = recording.levels.shown(recording.grid_scores[index])
        assert np.allclose(data["grid_scores"], shown, atol=1e-5)
        assert np.allclose(
            data["point_scores"], recording.levels.shown(recording.point_scores[index]), atol=1e-5
        )
        assert np.allclose(data["point_forces"], recording.point_forces[index], atol=1e-5)
        row = history[data["epoch"] - 1]
        assert data["loss"] == pytest.approx(float(row["loss"]), rel=1e-6)
        assert data["val_loss"] == pytest.approx(float(row["val_loss"]), rel=1e-6)
    assert [row["epoch"] for row in start["history"]] == [int(row["epoch"]) for row in history]
    for row, written in zip(start["history"], history, strict=True):
        assert row["loss"] == pytest.approx(float(written["loss"]), rel=1e-6)
    assert end["status"] == "completed"
    assert end["metrics"] == json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    return start, epochs, end


def test_a_finished_run_replays_its_recording_and_its_live_events(lab):
    live = lab.post("/api/runs", shrunk(loss="squared_hinge"))
    live_events = all_events(lab, live["id"])
    folder = PROJECT_ROOT / live["folder"]
    relative = folder.relative_to(lab.root).as_posix()
    (opened,) = lab.post("/api/replays", {"folder": relative})
    assert opened["id"] == f"replay-{folder.name}" and opened["id"] != live["id"]
    start, epochs, _ = assert_replays_its_recording(all_events(lab, opened["id"]), folder)
    assert start["command"] == live_events[0][1]["command"]
    for replayed, (_, data) in zip(epochs, live_events[1:-1], strict=True):  # a short run
        assert replayed["epoch"] == data["epoch"] and replayed["loss"] == data["loss"]
        assert np.allclose(replayed["grid_scores"], data["grid_scores"], atol=1e-4)
        assert np.allclose(replayed["point_forces"], data["point_forces"], rtol=1e-3, atol=1e-5)
        assert replayed["hardest_share"] == pytest.approx(data["hardest_share"], rel=1e-3)


def test_a_sweep_folder_opens_its_runs_side_by_side(lab, outputs):
    root, run, sweep = outputs
    opened = lab.get("/api/options")["opened"]
    sweep_record = json.loads((sweep / "sweep.json").read_text(encoding="utf-8"))
    folders = [point["run_folder"] for point in sweep_record["runs"]]
    assert [item["folder"] for item in opened] == folders
    varies = []
    for item in opened:
        start, _, _ = assert_replays_its_recording(
            all_events(lab, item["id"]), PROJECT_ROOT / item["folder"]
        )
        varies.append(start["varies"])
    assert varies == ["loss = hinge", "loss = squared_hinge"]
    labels = [f"{text}: {Path(folder).name}" for text, folder in zip(varies, folders, strict=True)]
    assert [item["label"] for item in opened] == labels  # the page's choice of run says it
    again = lab.post("/api/replays", {"folder": sweep.relative_to(root).as_posix()})
    assert [item["id"] for item in again] == [item["id"] for item in opened]
    (single,) = lab.post("/api/replays", {"folder": run.relative_to(root).as_posix()})
    assert_replays_its_recording(all_events(lab, single["id"]), run)


def test_a_folder_without_a_recording_gets_one_line(lab, outputs):
    root, run, _ = outputs
    bare = root / "hinge" / "an-old-run"
    shutil.copytree(run, bare, ignore=shutil.ignore_patterns("recording.npz"))
    status, answer = lab.call("POST", "/api/replays", {"folder": "hinge/an-old-run"})
    assert status == 400 and answer["key"] == "folder"
    assert "no recording.npz to replay" in answer["error"] and "\n" not in answer["error"]
    for folder in ("../..", "/etc", "hinge", "hinge/no-such-run", 3):
        status, answer = lab.call("POST", "/api/replays", {"folder": folder})
        assert status == 400 and "\n" not in answer["error"], (folder, answer)
    gone = root / "hinge" / "recording-removed"
    shutil.copytree(run, gone)
    (opened,) = lab.post("/api/replays", {"folder": "hinge/recording-removed"})
    (gone / "recording.npz").unlink()  # after it was opened: its file cannot be saved
    status, _, body = lab.raw("GET", f"/api/runs/{opened['id']}/replay.html", headers=lab.headers())
    answer = json.loads(body)
    assert status == 400 and "no recording.npz" in answer["error"] and "\n" not in answer["error"]
    assert lab.get("/api/options")["recipe"] == "hinge"  # the lab still answers
    began = time.monotonic()
    result = run_cli("lab", str(bare), "--no-browser", "--output-root", str(root), timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "no recording.npz to replay" in line and "python -m recipes run hinge" in line
    assert time.monotonic() - began < 60  # said before Keras is loaded


def test_a_saved_replay_inlines_everything(lab, outputs):
    _, run, _ = outputs
    (opened,) = lab.post("/api/replays", {"folder": f"hinge/{run.name}"})
    status, headers, body = lab.raw(
        "GET", f"/api/runs/{opened['id']}/replay.html", headers=lab.headers()
    )
    assert status == 200 and "attachment" in headers["content-disposition"]
    page = body.decode("utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:|/)""", page)  # nothing to fetch
    assert "Content-Security-Policy" in page and 'src="/static/' not in page
    data = json.loads(re.search(r'id="replay-data">(.*?)</script>', page, re.DOTALL).group(1))
    events = [[name, event] for name, event in all_events(lab, opened["id"])]
    assert data == {"runs": [events]}


def test_a_hostile_class_name_cannot_close_the_script(outputs, tmp_path):
    _, run, _ = outputs
    folder = with_class_names(run, tmp_path, {-1: HOSTILE, 1: "a & b <i>"})
    page = replay_html([folder])
    assert HOSTILE not in page and "pwned" in page  # there, but only as escaped JSON
    scripts = re.findall(r"<script[^>]*>", page)
    assert len(scripts) == 1 + 6  # the data, and the page's six scripts: none injected
    data = re.search(r'id="replay-data">(.*?)</script>', page, re.DOTALL).group(1)
    assert "<" not in data and ">" not in data
    start = json.loads(data)["runs"][0][0][1]
    assert start["class_names"] == {"-1": HOSTILE, "1": "a & b <i>"}


def test_the_outputs_index_gives_each_recorded_run_its_replay(outputs):
    root, run, sweep = outputs
    from recipes.report.outputs_index import build_index

    page = build_index(root).read_text(encoding="utf-8")
    opened = re.findall(r'<span class="lab meta" data-open="([^"]+)" data-what="(\w+)">', page)
    sweep_record = json.loads((sweep / "sweep.json").read_text(encoding="utf-8"))
    in_sweep = [f"hinge/{Path(point['run_folder']).name}" for point in sweep_record["runs"]]
    expected = {(f"hinge/{run.name}", "run"), (f"sweeps/{sweep.name}", "sweep")}
    assert expected | {(folder, "run") for folder in in_sweep} <= set(opened)
    for folder, what in opened:  # and the lab's own runs: every run with a recording
        assert (root / folder / ("sweep.json" if what == "sweep" else "recording.npz")).is_file()
    assert f"python -m recipes lab {run}</code>" in page  # the command, until the lab serves it
    assert 'data-open="hinge/an-old-run"' not in page  # no recording: no replay offered


def test_the_lab_serves_the_outputs_read_only_with_its_token(lab, outputs):
    root, run, _ = outputs
    status, _, body = lab.raw("GET", "/outputs/", headers=lab.headers())
    assert status == 200 and b"keras-loss-recipes outputs" in body
    path = f"/outputs/hinge/{run.name}/history.csv"
    assert lab.raw("GET", path, headers=lab.headers())[0] == 200
    assert lab.raw("GET", path)[0] == 403  # no token
    for escape in ("/outputs/../run.json", "/outputs/%2e%2e/%2e%2e/etc/passwd"):
        assert lab.raw("GET", escape, headers=lab.headers())[0] == 404, escape
    post = lab.raw("POST", path, b"{}", lab.headers())[0]
    assert post == 405  # read-only
