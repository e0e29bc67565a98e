"""The tutorial scripts' own pieces (benchmarks/tutorials/): seed lists, torchkeras' binned AUC
against sklearn's exact one, and the MNIST text's losses on hand-computed values."""

from __future__ import annotations

import importlib
import math
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "benchmarks" / "tutorials"


@pytest.fixture(scope="module")
def scripts():
    sys.path.insert(0, str(SCRIPTS))
    try:
        yield importlib.import_module
    finally:
        sys.path.remove(str(SCRIPTS))


def test_seed_lists(scripts):
    seeds = scripts("seeds")
    assert seeds.seed_list("3") == [0, 1, 2]
    assert seeds.seed_list("4..6") == [4, 5, 6]
    assert seeds.seed_list("1,9") == [1, 9]


def test_torchkeras_auc_is_the_exact_auc_of_binned_scores(scripts):
    torch = pytest.importorskip("torch")
    from sklearn.metrics import roc_auc_score

    focal = scripts("focal_rings")
    generator = np.random.default_rng(0)
    labels = (generator.random(500) < 0.2).astype("float32")
    logits = generator.normal(size=500) + 2 * labels
    auc = focal.torchkeras_auc(torch.tensor(logits), torch.tensor(labels))
    assert auc == pytest.approx(roc_auc_score(labels, logits), abs=1e-3)
    # a constant score ties every pair: half credit, as in torchkeras
    assert focal.torchkeras_auc(torch.zeros(500), torch.tensor(labels)) == pytest.approx(0.5)


def test_mnist_text_losses_on_hand_computed_values(scripts):
    torch = pytest.importorskip("torch")
    mnist = scripts("mnist")
    p = torch.tensor([[0.7, 0.2, 0.1]])
    y = torch.tensor([[1.0, 0.0, 0.0]])
    # KLDivLoss reads p as log-probabilities: mean over elements of y * (log y - p) = -0.7 / 3
    assert float(mnist.LOSSES["kl"]()(p, y)) == pytest.approx(-0.7 / 3)
    # CosineEmbeddingLoss with target 1: 1 - cos(p, y) = 1 - 0.7 / |p|
    cosine = 1 - 0.7 / math.sqrt(0.49 + 0.04 + 0.01)
    assert float(mnist.LOSSES["cosine"]()(p, y)) == pytest.approx(cosine, rel=1e-6)
    # the text's log-cosh: mean over classes of log(cosh(p - y))
    expected = np.mean(np.log(np.cosh(np.array([-0.3, 0.2, 0.1]))))
    assert float(mnist.LOSSES["log_cosh"]()(p, y)) == pytest.approx(expected, rel=1e-5)
    # CrossEntropyLoss on probabilities: a second softmax, -log softmax(p)_0
    double = -math.log(math.exp(0.7) / (math.exp(0.7) + math.exp(0.2) + math.exp(0.1)))
    assert float(mnist.LOSSES["cross_entropy"]()(p, y)) == pytest.approx(double, rel=1e-6)
