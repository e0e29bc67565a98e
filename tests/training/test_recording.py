"""The boundary recorder: which epochs it records, what it keeps, and that the animation made
from it has one frame per recorded epoch."""

from __future__ import annotations

import re

import numpy as np
import pytest

from recipes.config.schema import PlotsConfig
from recipes.report import evolution, margins
from recipes.training.recording import (
    BoundaryRecording,
    boundary_recorder_callback,
    recorded_epochs,
)


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
    """A tiny -1/+1 model fitted 3 epochs with the recorder on (tanh output, like hinge)."""
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    features = rng.normal(size=(80, 2)).astype("float32")
    labels = np.where(features[:, 0] + features[:, 1] > 0, 1, -1)
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1, "tanh")]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="hinge")
    recorder = boundary_recorder_callback(features[:30], labels[:30], [1, 3], points_per_axis=12)
    history = model.fit(features, labels, epochs=3, batch_size=16, verbose=0, callbacks=[recorder])
    trained = model.predict(features[:30], verbose=0)
    recorder.recording.score(model)
    return model, recorder.recording, history.history, trained


def test_recorder_keeps_grid_and_point_scores_of_the_chosen_epochs(recorded_fit, tmp_path):
    model, recording, history, trained = recorded_fit
    assert recording.epochs == [1, 3] and recording.weights == []  # scored, weights dropped
    assert recording.xx.shape == (12, 12) and recording.grid_scores[0].shape == (12, 12, 1)
    assert recording.point_scores[0].shape == (30, 1)
    np.testing.assert_allclose(recording.losses, [history["loss"][0], history["loss"][2]])
    # the last recording is the trained model's scores; epoch 1 scored other weights
    np.testing.assert_allclose(recording.point_scores[-1], trained, atol=1e-5)
    assert not np.allclose(recording.point_scores[0], trained, atol=1e-3)
    # scoring gave the model its own weights back
    np.testing.assert_allclose(model.predict(recording.points, verbose=0), trained, atol=1e-6)
    # the grid spans the points with a margin
    assert recording.xx.min() < recording.points[:, 0].min()
    assert recording.yy.max() > recording.points[:, 1].max()
    loaded = BoundaryRecording.load(recording.save(tmp_path / "recording.npz"))
    assert loaded.epochs == [1, 3]
    np.testing.assert_array_equal(loaded.grid_scores[1], recording.grid_scores[1])


def test_animation_has_one_frame_per_recorded_epoch(recorded_fit, tmp_path):
    from PIL import Image

    _, recording, history, _ = recorded_fit
    config = PlotsConfig(dpi=50, animation="gif")
    spec = margins.margin_spec(config, "plus_minus_one", "tanh")
    written = evolution.write_evolution_figures(tmp_path, recording, history, spec, "test", config)
    assert [p.name for p in written] == ["boundary_epochs.png", "training.gif"]
    with Image.open(tmp_path / "training.gif") as animation:
        assert animation.n_frames == len(recording.epochs) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boundary_epochs.png", "training.gif"]


def test_animation_format_none_writes_only_the_small_multiples(recorded_fit, tmp_path):
    _, recording, history, _ = recorded_fit
    config = PlotsConfig(dpi=50, animation="none")
    spec = margins.margin_spec(config, "plus_minus_one", "tanh")
    evolution.write_evolution_figures(tmp_path, recording, history, spec, "test", config)
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
