"""The lab's runs, through its HTTP API, against a real lab process: each is a real run (its
folder, record, history, recording and model, listed by the index, resumable), its events
match its folder, a new run stops the one training, a NaN loss fails it, and runs side by side
start from the same weights."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from conftest import PROJECT_ROOT, read_csv, run_cli
from lab_fixtures import all_events, first_epoch_then, module_lab, shrunk

from recipes import records
from recipes.recording import Recording
from recipes.records import RunRecord
from recipes.status import RunStatus

lab = module_lab()


def test_options_give_the_recipes_config_and_every_choice(lab):
    options = lab.get("/api/options")
    assert options["recipe"] == "hinge" and options["config"]["loss"] == {"name": "hinge"}
    assert "hinge" in options["recipes"] and "mnist_losses" not in options["recipes"]
    choices = options["choices"]
    focal = next(loss for loss in choices["losses"] if loss["name"] == "focal")
    assert {"gamma", "alpha"} <= set(focal["parameters"])
    assert {"circles", "rings"} <= set(choices["datasets"])
    assert "lab_losses.py:halved_hinge" in choices["loss_files"]
    assert "relu" in choices["activations"] and "adam" in choices["optimizers"]
    assert lab.get("/api/options?recipe=focal_rings")["config"]["loss"]["name"] == "focal"


def test_check_gives_the_command_or_checks_one_line_with_its_key(lab):
    answer = lab.post("/api/check", {"recipe": "hinge", "overrides": {"loss": "squared_hinge"}})
    assert answer == {"command": "python -m recipes run hinge --set loss=squared_hinge"}
    typo = {"recipe": "hinge", "overrides": {"train.epoch": 3}}
    status, answer = lab.call("POST", "/api/check", typo)
    assert status == 400 and answer["key"] == "train.epoch" and "epochs" in answer["error"]
    assert "\n" not in answer["error"]


def test_a_lab_run_is_a_real_run_and_its_events_match_its_folder(lab):
    run = lab.post("/api/runs", shrunk(loss="squared_hinge"))
    events = all_events(lab, run["id"])
    names = [name for name, _ in events]
    assert names == ["start", "epoch", "epoch", "epoch", "end"]
    start, end = events[0][1], events[-1][1]
    assert end["status"] == "completed" and end["folder"] == run["folder"]
    assert start["command"] == lab.post("/api/check", shrunk(loss="squared_hinge"))["command"]
    folder = PROJECT_ROOT / run["folder"]
    for name in ("config.yaml", "run.json", "history.csv", "recording.npz", "model.keras"):
        assert (folder / name).is_file(), name
    record = records.read(folder / "run.json", RunRecord)
    written = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record.model_dump(mode="json", exclude_unset=True) == written  # every field typed
    assert record.status == RunStatus.COMPLETED and record.figures.status == "pending"
    assert record.recipe == "hinge" and record.overrides == [
        text.strip() for text in start["command"].split("--set ")[1:]
    ]
    history = read_csv(folder / "history.csv")
    epochs = [data for name, data in events if name == "epoch"]
    for row, data in zip(history, epochs, strict=True):
        assert data["epoch"] == int(row["epoch"])
        assert data["loss"] == pytest.approx(float(row["loss"]), rel=1e-6)
        assert data["val_loss"] == pytest.approx(float(row["val_loss"]), rel=1e-6)
        assert data["accuracy"] == data["sign_accuracy"]
    recording = Recording.load(folder / "recording.npz")
    last = epochs[-1]
    assert np.allclose(start["grid_x"], recording.grid_x, atol=1e-4)
    assert np.allclose(start["points"], recording.points, atol=1e-4)
    assert start["labels"] == recording.labels.tolist()
    assert start["margin_levels"] == recording.margin_levels.tolist()
    shown = recording.levels.shown(recording.grid_scores[-1])
    assert np.allclose(last["grid_scores"], shown, atol=1e-4)
    assert np.allclose(last["point_forces"], recording.point_forces[-1], rtol=1e-3, atol=1e-5)
    assert last["hardest_share"] == pytest.approx(record.forces.hardest_10pct_share, rel=1e-3)
    assert end["metrics"] == json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert end["metrics"]["final_loss"] == pytest.approx(last["loss"], rel=1e-6)
    assert run["id"] in (lab.root / "index.html").read_text(encoding="utf-8")


def test_the_runs_config_yaml_trains_unchanged(lab, tmp_path):
    run = lab.post("/api/runs", shrunk(loss="squared_hinge", seed=3))
    all_events(lab, run["id"])
    path = f"/api/runs/{run['id']}/config.yaml"
    status, headers, body = lab.raw("GET", path, headers=lab.headers())
    assert status == 200 and "attachment" in headers["content-disposition"]
    path = tmp_path / "from_the_lab.yaml"
    path.write_bytes(body)
    import recipes

    given = yaml.safe_load(body)
    assert recipes.check(path, backend="jax").as_mapping() == given
    assert given["loss"]["name"] == "squared_hinge" and given["seed"] == 3


def test_a_late_client_gets_every_event(lab):
    run = lab.post("/api/runs", shrunk())
    first = all_events(lab, run["id"])
    again = all_events(lab, run["id"])  # after the end: every event, the same
    assert first == again and again[-1][0] == "end"


def interrupted_by_a_new_run(lab):
    """A long run stopped by a new one after its first epoch: its folder, the new run's id."""
    long = lab.post("/api/runs", shrunk(**{"train.epochs": 150, "train.checkpoint_every_s": 0}))
    first_epoch_then(lab, long["id"], lambda: None)
    replacement = lab.post("/api/runs", shrunk())
    end = all_events(lab, long["id"])[-1][1]
    assert end["status"] == "interrupted" and "a new run was started" in end["reason"]
    return PROJECT_ROOT / long["folder"], replacement["id"]


def test_a_new_run_stops_the_one_training(lab):
    folder, replacement = interrupted_by_a_new_run(lab)
    assert all_events(lab, replacement)[-1][1]["status"] == "completed"
    record = records.read(folder / "run.json", RunRecord)  # the typed record reads it whole
    assert record.status == RunStatus.INTERRUPTED and "new run" in record.reason
    assert 1 <= len(read_csv(folder / "history.csv")) < 150
    assert (folder / "backup" / "training_metadata.json").is_file()


@pytest.mark.slow  # a second process resumes the run: about 15 s
def test_an_interrupted_lab_run_resumes_from_the_command_line(lab):
    folder, _ = interrupted_by_a_new_run(lab)
    result = run_cli("resume", str(folder), timeout=300, env={"KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-2000:]
    resumed = records.read(folder / "run.json", RunRecord)
    assert resumed.status == RunStatus.COMPLETED and resumed.resumed_from_epoch >= 1
    assert resumed.resumes[0].previous_status == RunStatus.INTERRUPTED
    assert len(read_csv(folder / "history.csv")) == 150


def test_stop_records_the_run_interrupted(lab):
    run = lab.post("/api/runs", shrunk(**{"train.epochs": 400}))
    stopped = first_epoch_then(lab, run["id"], lambda: lab.post(f"/api/runs/{run['id']}/stop"))
    assert stopped == run
    end = all_events(lab, run["id"])[-1][1]
    assert end["status"] == "interrupted" and end["reason"] == "stopped from the lab's page"
    assert records.read_run(PROJECT_ROOT / run["folder"]).status == RunStatus.INTERRUPTED


def test_a_nan_loss_ends_the_run_failed_with_its_reason(lab):
    nan = {"model.output": "logit", "loss": "mse", "optimizer.learning_rate": 1e30}
    run = lab.post("/api/runs", shrunk(**nan))
    events = all_events(lab, run["id"])
    end = events[-1][1]
    assert end["status"] == "failed" and "loss became nan" in end["reason"]
    assert any(data.get("loss") is None for name, data in events if name == "epoch")
    assert records.read_run(PROJECT_ROOT / run["folder"]).status == RunStatus.FAILED


def test_runs_side_by_side_start_from_the_same_weights(lab):
    pair = lab.post("/api/runs", [shrunk(), shrunk(loss="squared_hinge")])
    assert len(pair) == 2 and pair[0]["id"] != pair[1]["id"]
    first, second = (all_events(lab, run["id"]) for run in pair)
    assert first[0][1]["initial_weights"] == second[0][1]["initial_weights"]
    assert first[-1][1]["status"] == second[-1][1]["status"] == "completed"
    assert first[1][1]["loss"] != second[1][1]["loss"]  # the losses differ, not the start
    other_seed = lab.post("/api/runs", shrunk(seed=7))
    assert (
        all_events(lab, other_seed["id"])[0][1]["initial_weights"]
        != (first[0][1]["initial_weights"])
    )


def test_a_loss_file_allowed_by_name_trains(lab):
    loss = {"name": "lab_losses.py:halved_hinge", "labels": "plus_minus_one"}
    run = lab.post("/api/runs", shrunk(loss=loss))
    end = all_events(lab, run["id"])[-1][1]
    assert end["status"] == "completed", end
    config = yaml.safe_load((PROJECT_ROOT / run["folder"] / "config.yaml").read_text())
    assert config["loss"]["name"].endswith("lab_losses.py:halved_hinge")
