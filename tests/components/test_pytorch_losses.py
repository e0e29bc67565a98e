"""The MNIST tutorial's PyTorch losses (recipes/components/pytorch_losses.py) against the
formulas worked out by hand, and against ``torch.nn`` itself (values and gradients with
respect to the probabilities) on random softmax outputs. MSE and log-cosh, which the recipe
leaves to Keras, are checked against PyTorch's numbers too."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recipes.components.gradients import output_gradient
from recipes.components.losses import PYTORCH_LOSS_NAMES, get_loss, loss_label_encoding

# two samples, three classes: the true classes are 0 and 2
P = np.array([[0.7, 0.2, 0.1], [0.5, 0.3, 0.2]], dtype="float32")
Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype="float32")


def _value(name: str, y_true=Y, y_pred=P) -> float:
    import keras

    return float(keras.ops.convert_to_numpy(get_loss(name)(y_true, y_pred)))


def test_cross_entropy_on_probabilities_softmaxes_them_again():
    # sample 1: -(0.7 - log(e^0.7 + e^0.2 + e^0.1)); sample 2: -(0.2 - log(e^0.5 + e^0.3 + e^0.2))
    first = -(0.7 - math.log(math.exp(0.7) + math.exp(0.2) + math.exp(0.1)))
    second = -(0.2 - math.log(math.exp(0.5) + math.exp(0.3) + math.exp(0.2)))
    assert (first, second) == pytest.approx((0.7679495, 1.2398311), abs=1e-6)
    assert _value("torch_cross_entropy_on_probabilities") == pytest.approx(
        (first + second) / 2, rel=1e-6
    )


def test_kl_div_on_probabilities_is_minus_the_true_probability_over_all_elements():
    # one-hot y: y log y = 0 everywhere; -y p leaves -0.7 and -0.2; mean over 2 x 3 elements
    assert _value("torch_kl_div_on_probabilities") == pytest.approx(-(0.7 + 0.2) / 6, rel=1e-6)
    soft = np.array([[0.5, 0.5, 0.0]], dtype="float32")  # 0 log 0 = 0; 0.5 log 0.5 twice
    expected = (0.5 * math.log(0.5) - 0.5 * 0.7 + 0.5 * math.log(0.5) - 0.5 * 0.2) / 3
    assert _value("torch_kl_div_on_probabilities", soft, P[:1]) == pytest.approx(expected)


def test_binary_cross_entropy_averages_every_element_and_floors_logs_at_minus_100():
    elements = [-math.log(0.7), -math.log(0.8), -math.log(0.9)]  # sample 1
    elements += [-math.log(0.5), -math.log(0.7), -math.log(0.2)]  # sample 2
    assert _value("torch_binary_cross_entropy") == pytest.approx(sum(elements) / 6, rel=1e-6)
    certain = np.array([[0.0, 1.0]], dtype="float32")  # both wrong with certainty: log 0 -> -100
    assert _value("torch_binary_cross_entropy", Y[:1, :2], certain) == pytest.approx(100.0)


def test_bce_with_logits_on_probabilities_sigmoids_them():
    def softplus(x: float) -> float:
        return math.log1p(math.exp(x))

    # -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) = softplus(x) - x y
    elements = [softplus(0.7) - 0.7, softplus(0.2), softplus(0.1)]
    elements += [softplus(0.5), softplus(0.3), softplus(0.2) - 0.2]
    value = _value("torch_bce_with_logits_on_probabilities")
    assert value == pytest.approx(sum(elements) / 6, rel=1e-6)
    # 0.40318, 0.79814, 0.74440, 0.97408, 0.85436, 0.59814 by hand: near log 2 whatever p is
    assert value == pytest.approx(0.72872, abs=1e-5)


def test_cosine_embedding_is_one_minus_the_cosine():
    first = 1 - 0.7 / math.sqrt(0.49 + 0.04 + 0.01)
    second = 1 - 0.2 / math.sqrt(0.25 + 0.09 + 0.04)
    assert _value("torch_cosine_embedding") == pytest.approx((first + second) / 2, rel=1e-6)
    assert _value("torch_cosine_embedding", Y, Y) == pytest.approx(0.0, abs=1e-6)


def test_every_pytorch_loss_trains_on_one_hot_rows():
    for name in PYTORCH_LOSS_NAMES:
        assert loss_label_encoding(name) == "categorical"
        assert get_loss(name).name == name


# --- against torch.nn itself, on ten classes as the tutorial has them

BATCH, CLASSES = 16, 10


def _torch_losses(torch):
    """The tutorial's calls: name -> function(probabilities, one-hot targets) -> scalar."""
    nn = torch.nn
    ones = torch.ones(BATCH)
    return {
        "torch_cross_entropy_on_probabilities": lambda p, y: nn.CrossEntropyLoss()(p, y),
        "torch_kl_div_on_probabilities": lambda p, y: nn.KLDivLoss(reduction="mean")(p, y),
        "torch_binary_cross_entropy": lambda p, y: nn.BCELoss()(p, y),
        "torch_bce_with_logits_on_probabilities": lambda p, y: nn.BCEWithLogitsLoss()(p, y),
        "torch_cosine_embedding": lambda p, y: nn.CosineEmbeddingLoss()(p, y, ones),
        "mean_squared_error": lambda p, y: nn.MSELoss()(p, y),
        "log_cosh": lambda p, y: torch.mean(torch.log(torch.cosh(p - y))),
    }


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def softmax_batch():
    rng = np.random.default_rng(7)
    logits = rng.normal(0, 3, size=(BATCH, CLASSES))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    targets = np.eye(CLASSES)[rng.integers(0, CLASSES, BATCH)]
    return probabilities.astype("float32"), targets.astype("float32")


@pytest.mark.parametrize("name", [*PYTORCH_LOSS_NAMES, "mean_squared_error", "log_cosh"])
def test_the_value_and_gradient_are_torch_nns(name, torch, softmax_batch):
    import warnings

    probabilities, targets = softmax_batch
    p = torch.tensor(probabilities, requires_grad=True)
    with warnings.catch_warnings():  # KLDivLoss warns that 'mean' is not 'batchmean'
        warnings.simplefilter("ignore")
        expected = _torch_losses(torch)[name](p, torch.tensor(targets))
    (expected_gradient,) = torch.autograd.grad(expected, p)
    value, gradient = output_gradient(get_loss(name), targets, probabilities)
    assert float(value) == pytest.approx(float(expected.detach()), rel=1e-5, abs=1e-7)
    np.testing.assert_allclose(gradient, expected_gradient.numpy(), rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("name", PYTORCH_LOSS_NAMES)
def test_each_pytorch_loss_is_saved_and_reloaded_by_name(name):
    import keras

    loss = get_loss(name)
    again = keras.losses.deserialize(keras.losses.serialize(loss))
    assert type(again) is type(loss) and again.name == name
    assert float(keras.ops.convert_to_numpy(again(Y, P))) == pytest.approx(_value(name))
