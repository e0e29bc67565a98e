"""Loss and metric values against hand-computed numbers."""

from __future__ import annotations

import numpy as np
import pytest

from recipes.components.labels import predicted_labels
from recipes.components.losses import LOSSES, get_loss
from recipes.components.metrics import get_metric
from recipes.errors import RecipeError


def _value(loss, y_true, y_pred) -> float:
    import keras

    return float(keras.ops.convert_to_numpy(loss(np.asarray(y_true), np.asarray(y_pred))))


def test_hinge_by_hand():
    # max(0, 1 - t*y): t=1,y=1 -> 0; t=1,y=-1 -> 2; t=1,y=0.9 -> 0.1; t=-1,y=0.5 -> 1.5
    y_true = np.array([1.0, 1.0, 1.0, -1.0], dtype="float32")
    y_pred = np.array([[1.0], [-1.0], [0.9], [0.5]], dtype="float32")
    assert _value(get_loss("hinge"), y_true, y_pred) == pytest.approx((0 + 2 + 0.1 + 1.5) / 4)


def test_squared_hinge_by_hand():
    y_true = np.array([1.0, 1.0, 1.0, -1.0], dtype="float32")
    y_pred = np.array([[1.0], [-1.0], [0.9], [0.5]], dtype="float32")
    expected = (0 + 4 + 0.01 + 2.25) / 4
    assert _value(get_loss("squared_hinge"), y_true, y_pred) == pytest.approx(expected, rel=1e-5)


def test_loss_class_reshapes_where_the_raw_function_would_broadcast():
    # DESIGN.md: keras.losses.hinge(y (N,), p (N, 1)) broadcasts to an (N, N) comparison.
    import keras

    y_true = np.array([1.0, -1.0], dtype="float32")
    y_pred = np.array([[1.0], [-1.0]], dtype="float32")
    assert _value(get_loss("hinge"), y_true, y_pred) == pytest.approx(0.0)
    raw = keras.ops.convert_to_numpy(keras.losses.hinge(y_true, y_pred))
    assert float(np.mean(raw)) == pytest.approx(1.0)  # the silent wrong value


def test_binary_crossentropy_by_hand():
    y_true = np.array([[1.0], [0.0]], dtype="float32")
    y_pred = np.array([[0.8], [0.4]], dtype="float32")
    expected = -(np.log(0.8) + np.log(0.6)) / 2
    assert _value(get_loss("binary_crossentropy"), y_true, y_pred) == pytest.approx(expected, 1e-5)


def test_aliases_and_unknown_names():
    assert LOSSES.canonical("mse") == "mean_squared_error"
    with pytest.raises(RecipeError, match="Did you mean 'hinge'"):
        get_loss("hing")


def test_sign_accuracy_is_the_true_accuracy_where_keras_accuracy_is_not():
    import keras

    y_true = np.array([[1.0], [-1.0], [1.0], [-1.0]], dtype="float32")
    y_pred = np.array([[0.99], [-0.99], [0.98], [-0.97]], dtype="float32")  # a perfect model
    sign = get_metric("sign_accuracy")
    sign.update_state(y_true, y_pred)
    assert float(sign.result()) == 1.0
    keras_accuracy = keras.metrics.BinaryAccuracy()
    keras_accuracy.update_state(y_true, y_pred)
    assert float(keras_accuracy.result()) == 0.5  # Keras 3 compares 0/1 predictions with -1


def test_predicted_labels_per_output_kind():
    scores = np.array([[-0.3], [0.0], [0.7]])
    assert predicted_labels(scores, "plus_minus_one", "tanh").tolist() == [-1, 1, 1]
    assert predicted_labels(scores, "binary", "logit").tolist() == [0, 1, 1]
    assert predicted_labels(np.array([0.3, 0.5, 0.9]), "binary", "probability").tolist() == [
        0,
        1,
        1,
    ]
    assert predicted_labels(np.eye(3)[[2, 0]], "categorical", "softmax").tolist() == [2, 0]


@pytest.mark.parametrize(("name", "params"), [("pseudo_huber", {"delta": 5.0}), ("hinge", {})])
def test_losses_survive_a_keras_serialization_round_trip(name, params):
    import keras

    loss = get_loss(name, params)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    y_true = np.array([[0.0], [1.0]], dtype="float32")
    y_pred = np.array([[0.5], [-2.0]], dtype="float32")
    assert _value(restored, y_true, y_pred) == pytest.approx(_value(loss, y_true, y_pred))


def test_every_loss_carries_the_name_the_registry_gives_it_and_keeps_it_when_reloaded():
    """Keras' losses, this project's and the PyTorch ones alike (Keras would call Huber
    'huber_loss' and FocalLoss 'focal_loss')."""
    import keras

    for name in LOSSES.names():
        loss = get_loss(name)
        assert loss.name == name
        assert keras.losses.deserialize(keras.losses.serialize(loss)).name == name


def test_every_metric_carries_the_name_the_registry_gives_it_each_time_it_is_built():
    """Keras would name a second AUC 'auc_1', and history.csv's column with it."""
    from recipes.components.metrics import METRICS

    for name in METRICS.names():
        assert get_metric(name).name == get_metric(name).name == name
