"""The project's own losses (focal, symmetric cross entropy) against the focal-loss tutorial's
published numbers (001_*.txt), hand-computed values and Keras' BinaryFocalCrossentropy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recipes.components.losses import LOSSES, get_loss
from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError


def _value(loss, y_true, y_pred) -> float:
    import keras

    return float(keras.ops.convert_to_numpy(loss(np.asarray(y_true), np.asarray(y_pred))))


def _logit(probability):
    probability = np.asarray(probability, dtype="float64")
    return np.log(probability / (1 - probability)).astype("float32")


# The tutorial's worked example: y = [1, 0]; easy p = [0.9, 0.1], hard p = [0.5, 0.5].
Y_PAIR = np.array([[1.0], [0.0]], dtype="float32")
EASY = np.array([[0.9], [0.1]], dtype="float32")
HARD = np.array([[0.5], [0.5]], dtype="float32")


@pytest.mark.parametrize(
    ("probabilities", "focal_expected", "bce_expected"),
    [(EASY, 0.0005, 0.1054), (HARD, 0.0866, 0.6931)],
    ids=["easy", "hard"],
)
def test_focal_matches_the_tutorial_worked_example(probabilities, focal_expected, bce_expected):
    focal = get_loss("focal", {"from_logits": False})
    bce = get_loss("binary_crossentropy")
    # The tutorial prints 4 decimals (torch tensor repr).
    assert round(_value(focal, Y_PAIR, probabilities), 4) == focal_expected
    assert round(_value(bce, Y_PAIR, probabilities), 4) == bce_expected
    # The same numbers from logits (the default, and what the ring recipe's model emits).
    from_logits = _value(get_loss("focal"), Y_PAIR, _logit(probabilities))
    assert round(from_logits, 4) == focal_expected


def test_focal_by_hand():
    # easy: positive 0.75 * 0.1^2 * -log(0.9), negative 0.25 * 0.1^2 * -log(0.9); mean of both
    easy = (0.75 + 0.25) * 0.01 * -math.log(0.9) / 2
    # hard: 0.5^2 * log(2) weighted 0.75 and 0.25
    hard = (0.75 + 0.25) * 0.25 * math.log(2) / 2
    focal = get_loss("focal", {"from_logits": False})
    assert _value(focal, Y_PAIR, EASY) == pytest.approx(easy, rel=1e-5)
    assert _value(focal, Y_PAIR, HARD) == pytest.approx(hard, rel=1e-5)
    # The tutorial's ratios focal/BCE: 0.00474 (easy) and 0.12496 (hard).
    assert easy / -math.log(0.9) == pytest.approx(0.005, abs=1e-4)
    assert hard / math.log(2) == pytest.approx(0.125)


def test_focal_alpha_weights_positives_and_gamma_zero_is_weighted_bce():
    logits = np.array([[2.0], [-1.0], [0.3]], dtype="float32")
    positives = np.ones((3, 1), dtype="float32")
    negatives = np.zeros((3, 1), dtype="float32")
    bce = get_loss("binary_crossentropy", {"from_logits": True})
    weighted = get_loss("focal", {"gamma": 0.0, "alpha": 0.75})
    assert _value(weighted, positives, logits) == pytest.approx(
        0.75 * _value(bce, positives, logits), rel=1e-5
    )
    assert _value(weighted, negatives, logits) == pytest.approx(
        0.25 * _value(bce, negatives, logits), rel=1e-5
    )


def test_focal_reshapes_labels_like_keras_losses():
    logits = np.array([[2.0], [-1.0], [0.3], [-4.0]], dtype="float32")
    labels = np.array([1.0, 0.0, 0.0, 1.0], dtype="float32")
    focal = get_loss("focal")
    assert _value(focal, labels, logits) == pytest.approx(
        _value(focal, labels.reshape(-1, 1), logits), rel=1e-6
    )


@pytest.mark.parametrize("from_logits", [True, False])
def test_focal_agrees_with_keras_binary_focal_crossentropy(from_logits):
    """Same formula as keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True)."""
    import keras

    generator = np.random.default_rng(0)
    logits = generator.normal(0.0, 4.0, size=(2000, 1)).astype("float32")
    labels = (generator.random((2000, 1)) < 0.3).astype("float32")
    outputs = (
        logits if from_logits else (1 / (1 + np.exp(-logits.astype("float64")))).astype("float32")
    )
    keras_focal = keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=0.75, gamma=2.0, from_logits=from_logits, reduction=None
    )
    ours = get_loss("focal", {"from_logits": from_logits})
    ours_per_sample = keras.ops.convert_to_numpy(ours.call(labels, outputs))
    keras_per_sample = keras.ops.convert_to_numpy(keras_focal(labels, outputs))
    # Probabilities are clipped to [1e-7, 1 - 1e-7] on the Keras path, which moves samples
    # with |logit| > ~16 by up to 0.02 on JAX; nothing else differs.
    moderate = np.abs(logits.reshape(-1)) < 12
    np.testing.assert_allclose(
        ours_per_sample[moderate], keras_per_sample[moderate], rtol=1e-3, atol=1e-6
    )


def test_focal_from_logits_stays_exact_for_saturated_logits():
    # y = 1, logit -30: -log(sigmoid(-30)) = 30 + log(1 + e^-30) ~ 30, (1 - p)^2 ~ 1, so 0.75 * 30.
    # Keras' probability clip would give 0.75 * -log(1e-7) = 12.09 (on JAX).
    focal = get_loss("focal")
    assert _value(focal, [[1.0]], [[-30.0]]) == pytest.approx(22.5, rel=1e-5)
    assert _value(focal, [[0.0]], [[50.0]]) == pytest.approx(0.25 * 50, rel=1e-5)
    assert _value(focal, [[1.0]], [[50.0]]) == pytest.approx(0.0, abs=1e-20)


def test_focal_gradient_does_not_vanish_for_confidently_wrong_samples():
    import keras

    backend = keras.backend.backend()
    focal = get_loss("focal")
    labels = np.array([[1.0]], dtype="float32")
    logit = np.array([[-30.0]], dtype="float32")
    if backend == "tensorflow":
        import tensorflow as tf

        variable = tf.Variable(logit)
        with tf.GradientTape() as tape:
            value = focal(labels, variable)
        gradient = float(tape.gradient(value, variable).numpy().reshape(()))
    elif backend == "jax":
        import jax

        gradient = float(jax.grad(lambda z: focal(labels, z))(logit).reshape(()))
    else:
        pytest.skip(f"no gradient helper for backend {backend}")
    assert gradient == pytest.approx(-0.75, rel=1e-4)  # d/dz of 0.75 * softplus(-z)


def _ce_and_rce(y: float, p: float) -> tuple[float, float]:
    labels = np.array([[y]], dtype="float32")
    probability = np.array([[p]], dtype="float32")
    ce = get_loss("symmetric_crossentropy", {"alpha": 1.0, "beta": 0.0, "from_logits": False})
    rce = get_loss("symmetric_crossentropy", {"alpha": 0.0, "beta": 1.0, "from_logits": False})
    return _value(ce, labels, probability), _value(rce, labels, probability)


@pytest.mark.parametrize(
    ("y", "p", "ratio"), [(1.0, 0.8, 8.2502), (0.0, 0.8, 4.5786)], ids=["clean", "noisy"]
)
def test_symmetric_crossentropy_ratios_match_the_tutorial(y, p, ratio):
    ce, rce = _ce_and_rce(y, p)
    assert rce / ce == pytest.approx(ratio, abs=2e-4)


def test_symmetric_crossentropy_by_hand():
    eps = 1e-4
    y, p = 1 - eps, 0.8  # y = 1 clipped
    ce = -y * math.log(p) - (1 - y) * math.log(1 - p)
    rce = -p * math.log(y) - (1 - p) * math.log(1 - y)
    ce_value, rce_value = _ce_and_rce(1.0, 0.8)
    assert ce_value == pytest.approx(ce, rel=1e-4)
    assert rce_value == pytest.approx(rce, rel=1e-4)
    both = get_loss("symmetric_crossentropy", {"alpha": 0.1, "beta": 1.0, "from_logits": False})
    assert _value(both, [[1.0]], [[0.8]]) == pytest.approx(0.1 * ce + rce, rel=1e-4)


def test_symmetric_crossentropy_from_logits_applies_a_sigmoid_and_is_bounded():
    labels = np.array([[1.0], [0.0], [1.0]], dtype="float32")
    probabilities = np.array([[0.8], [0.3], [0.6]], dtype="float32")
    from_logits = get_loss("symmetric_crossentropy")
    from_probabilities = get_loss("symmetric_crossentropy", {"from_logits": False})
    assert _value(from_logits, labels, _logit(probabilities)) == pytest.approx(
        _value(from_probabilities, labels, probabilities), rel=1e-5
    )
    # A confidently wrong sample: both terms are capped by the 1e-4 clip.
    bound = 2 * -math.log(1e-4)
    assert _value(from_logits, [[1.0]], [[-1000.0]]) <= bound + 1e-4


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("focal", {"gamma": 1.5, "alpha": 0.6, "from_logits": False}),
        ("symmetric_crossentropy", {"alpha": 0.5, "beta": 2.0, "clip": 1e-3}),
    ],
)
def test_custom_losses_serialize_and_come_back_equal(name, params):
    import keras

    loss = get_loss(name, params)
    config = keras.saving.serialize_keras_object(loss)
    assert config["registered_name"].startswith("recipes>")
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()
    for key, value in params.items():
        assert getattr(restored, key) == value
    labels = np.array([[1.0], [0.0]], dtype="float32")
    scores = np.array([[0.7], [0.2]], dtype="float32")
    assert _value(restored, labels, scores) == pytest.approx(_value(loss, labels, scores))


def test_losses_are_registered_with_aliases_and_checked_parameters():
    assert {"focal", "symmetric_crossentropy"} <= set(LOSSES.names())
    assert LOSSES.canonical("focal_loss") == "focal"
    assert LOSSES.canonical("sce") == "symmetric_crossentropy"
    with pytest.raises(RecipeError, match=r"loss\.gama: unknown key\. Did you mean 'gamma'\?"):
        resolve_recipe("focal_rings", ["loss.gama=1"])
    with pytest.raises(RecipeError, match=r"loss\.alpha"):
        resolve_recipe("focal_rings", ["loss.alpha=1.5"])
