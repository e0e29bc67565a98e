"""The recording: which epochs it records, what it keeps (scores on the grid and the points,
forces, the history and the names), its file, and that the animation made from it has one
frame per recorded epoch."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest

from recipes.config.schema import PlotsConfig
from recipes.errors import RecipeError
from recipes.recording import Recording, recorded_epochs
from recipes.records import RECORDING_FILE
from recipes.report import evolution
from recipes.training.recording import record


def test_short_runs_record_every_epoch_long_ones_log_spaced_ending_with_the_last():
    assert recorded_epochs(5) == [1, 2, 3, 4, 5]
    long = recorded_epochs(30)
    assert long[0] == 1 and long[-1] == 30 and 6 <= len(long) <= 10
    gaps = np.diff(long)
    assert gaps[-1] > gaps[0]  # denser early, where the boundary moves most
    assert recorded_epochs(1000)[-1] == 1000
    assert recorded_epochs(10, [10, 3, 3, 50]) == [3, 10]  # chosen, within the run, sorted


@pytest.fixture(scope="module")
def recorded_fit():
    """A tiny -1/+1 model fitted 3 epochs with the recorder on (tanh output, like hinge),
    its weights kept at epochs 1 and 3, then recorded."""
    import keras

    from recipes.training.recording import recorder

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    features = rng.normal(size=(80, 2)).astype("float32")
    labels = np.where(features[:, 0] + features[:, 1] > 0, 1.0, -1.0).astype("float32")
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1, "tanh")]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=keras.losses.Hinge())
    split = SimpleNamespace(
        x_train=features, y_train=labels, x_test=features[:30], y_test=labels[:30],
        x_val=None, label_kind="plus_minus_one", feature_names=["a", "b"],
        info={"class_names": {-1: "minus", 1: "plus"}},
    )  # fmt: skip
    config = SimpleNamespace(
        plots=PlotsConfig(evolution_epochs=[1, 3], evolution_grid=12),
        train=SimpleNamespace(epochs=3, steps=None, batch_size=16, validation_split=0.0),
    )
    callback = recorder(config, split)
    history = model.fit(features, labels, epochs=3, batch_size=16, verbose=0, callbacks=[callback])
    trained = model.predict(features[:30], verbose=0)
    assert [epoch for epoch, _ in callback.snapshots] == [1, 3]
    recording = record(callback.snapshots, model, split, "tanh", history.history, config)
    return model, recording, history.history, trained


def test_the_recording_keeps_grid_and_point_scores_and_forces_of_the_chosen_epochs(
    recorded_fit, tmp_path
):
    model, recording, history, trained = recorded_fit
    assert recording.epochs.tolist() == [1, 3]  # the end replaced the last epoch's weights
    assert recording.grid_scores.shape == (2, 12, 12, 1)
    assert recording.point_scores.shape == (2, 30, 1) and recording.point_forces.shape == (2, 30)
    np.testing.assert_allclose(recording.losses(), [history["loss"][0], history["loss"][2]])
    # the last is the trained model's scores; epoch 1 scored other weights
    np.testing.assert_allclose(recording.point_scores[-1], trained, atol=1e-5)
    assert not np.allclose(recording.point_scores[0], trained, atol=1e-3)
    # hinge through tanh: -y (1 - s^2) inside the margin, 0 beyond it
    scores, labels = recording.point_scores[-1][:, 0], recording.labels
    expected = np.where(labels * scores < 1, 1 - scores**2, 0.0)
    np.testing.assert_allclose(recording.point_forces[-1], expected, rtol=1e-3, atol=1e-6)
    # scoring gave the model its own weights back
    np.testing.assert_allclose(model.predict(recording.points, verbose=0), trained, atol=1e-6)
    # the grid spans the points with a margin
    assert recording.grid_x.min() < recording.points[:, 0].min()
    assert recording.grid_y.max() > recording.points[:, 1].max()
    assert recording.levels.high == 0.99 and recording.classes == [-1, 1]
    loaded = Recording.load(recording.save(tmp_path / RECORDING_FILE))
    assert loaded.epochs.tolist() == [1, 3] and loaded.class_names == {-1: "minus", 1: "plus"}
    assert loaded.feature_names == ["a", "b"] and loaded.output_kind == "tanh"
    np.testing.assert_array_equal(loaded.grid_scores, recording.grid_scores)
    np.testing.assert_array_equal(loaded.history["loss"], history["loss"])


def test_a_recording_of_another_schema_version_is_refused_in_one_line(tmp_path):
    path = tmp_path / RECORDING_FILE
    np.savez(path, schema_version=np.int64(99), epochs=np.array([1]))
    with pytest.raises(RecipeError, match="recording schema version 99, this project reads 1"):
        Recording.load(path)


def test_animation_has_one_frame_per_recorded_epoch(recorded_fit, tmp_path):
    from PIL import Image

    _, recording, _, _ = recorded_fit
    config = PlotsConfig(dpi=50, animation="gif")
    written = evolution.write_evolution_figures(tmp_path, recording, "test", config)
    assert [p.name for p in written] == ["boundary_epochs.png", "training.gif"]
    with Image.open(tmp_path / "training.gif") as animation:
        assert animation.n_frames == len(recording.epochs) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boundary_epochs.png", "training.gif"]


def test_animation_format_none_writes_only_the_small_multiples(recorded_fit, tmp_path):
    _, recording, _, _ = recorded_fit
    config = PlotsConfig(dpi=50, animation="none")
    evolution.write_evolution_figures(tmp_path, recording, "test", config)
    assert [p.name for p in tmp_path.iterdir()] == ["boundary_epochs.png"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("plots.animation=webm", "plots.animation: input should be 'auto', 'gif', 'mp4' or"),
        ("plots.evolution_epochs=[0,3]", "plots.evolution_epochs.0: input should be greater"),
        ("plots.evolution_epoch=[3]", "Did you mean 'evolution_epochs'"),
        ("plots.margin_band=[0.6,0.9]", "needs 0 < low < 0.5 < high < 1"),
    ],
)
def test_bad_recording_settings_are_one_clear_line(override, message):
    from recipes.config.resolve import resolve_recipe
    from recipes.errors import RecipeError

    with pytest.raises(RecipeError, match=re.escape(message)):
        resolve_recipe("hinge", [override])
