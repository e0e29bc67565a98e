"""The focal-loss tutorial's full example (PyTorch + torchkeras), as its text gives it, in plain
PyTorch: the imbalanced rings, the 2-4-8-1 net, FocalLoss (gamma 2, alpha 0.75) on sigmoid
probabilities + L2Loss(net, 0.001) + L1Loss(net, 0.001) on the weights (not the biases), Adam
0.002, batch 100, 20 epochs, early stopping on val AUC (patience 3), 70/30 random split.
Published: ``val_auc=0.9819``, the last epoch's validation AUC on torchkeras' progress bar.

What torchkeras' ``KerasModel.fit`` does is written out here (torchkeras is not installed):
one pass over ``dl_train`` per epoch, then ``dl_val`` with torchkeras' ``AUC`` (sigmoid scores
binned into 10,001 bins: :func:`torchkeras_auc`); the weights of the best val AUC are saved
and, after ``len(history) - best > patience``, training stops and the best weights are loaded.

Departures, none changing what is computed: ``torch.manual_seed(seed)`` first (the text sets
no seed), ``num_workers=0`` (the text's 2 worker processes load the same batches), and no
plots. Per seed it prints ``val_auc`` (last epoch, the published number), ``best_val_auc``,
``val_auc_exact`` (sklearn's exact AUC of the last epoch's scores), ``epochs_run``.

    .venv/bin/python benchmarks/tutorials/focal_rings.py --seeds 20
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from seeds import chosen_seeds, emit_per_seed, seed_parser
from sklearn.metrics import roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class FocalLoss(nn.Module):
    def __init__(self, gamma=2.0, alpha=0.75):
        super().__init__()
        self.gamma = gamma
        self.alpha = alpha

    def forward(self, y_pred, y_true):
        bce = torch.nn.BCELoss(reduction="none")(y_pred, y_true)
        p_t = (y_true * y_pred) + ((1 - y_true) * (1 - y_pred))
        alpha_factor = y_true * self.alpha + (1 - y_true) * (1 - self.alpha)
        modulating_factor = torch.pow(1.0 - p_t, self.gamma)
        loss = torch.mean(alpha_factor * modulating_factor * bce)
        return loss


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.fc2 = nn.Linear(4, 8)
        self.fc3 = nn.Linear(8, 1)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        y = self.fc3(x)
        return y


def L2Loss(model, alpha):
    l2_loss = torch.tensor(0.0, requires_grad=True)
    for name, param in model.named_parameters():
        if "bias" not in name:  # biases are usually not regularized
            l2_loss = l2_loss + (0.5 * alpha * torch.sum(torch.pow(param, 2)))
    return l2_loss


def L1Loss(model, beta):
    l1_loss = torch.tensor(0.0, requires_grad=True)
    for name, param in model.named_parameters():
        if "bias" not in name:
            l1_loss = l1_loss + beta * torch.sum(torch.abs(param))
    return l1_loss


def torchkeras_auc(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """torchkeras.metrics.AUC: ``int(10000 * sigmoid)`` bins, positives and negatives counted
    per bin, the area summed from the top bin down (a bin's ties counted half)."""
    bins = (10000 * torch.sigmoid(logits)).reshape(-1).int().numpy()
    positive = labels.reshape(-1).numpy() >= 0.5
    tp = np.bincount(bins[positive], minlength=10001).astype(float)
    fp = np.bincount(bins[~positive], minlength=10001).astype(float)
    tp_reverse, fp_reverse = tp[::-1], fp[::-1]
    tp_reverse_cum = np.cumsum(tp_reverse) - tp_reverse / 2.0
    return float(np.sum(tp_reverse_cum / tp.sum() * fp_reverse / fp.sum()))


def make_data():
    n_positive, n_negative = 1000, 6000
    # positives on the small ring
    r_p = 5.0 + torch.normal(0.0, 1.0, size=[n_positive, 1])
    theta_p = 2 * np.pi * torch.rand([n_positive, 1])
    Xp = torch.cat([r_p * torch.cos(theta_p), r_p * torch.sin(theta_p)], axis=1)
    Yp = torch.ones_like(r_p)
    # negatives on the large ring
    r_n = 8.0 + torch.normal(0.0, 1.0, size=[n_negative, 1])
    theta_n = 2 * np.pi * torch.rand([n_negative, 1])
    Xn = torch.cat([r_n * torch.cos(theta_n), r_n * torch.sin(theta_n)], axis=1)
    Yn = torch.zeros_like(r_n)
    X = torch.cat([Xp, Xn], axis=0)
    Y = torch.cat([Yp, Yn], axis=0)
    return X, Y


def train(seed: int, epochs: int = 20, patience: int = 3) -> dict:
    torch.manual_seed(seed)
    X, Y = make_data()
    ds = TensorDataset(X, Y)
    ds_train, ds_val = torch.utils.data.random_split(
        ds, [int(len(ds) * 0.7), len(ds) - int(len(ds) * 0.7)]
    )
    dl_train = DataLoader(ds_train, batch_size=100, shuffle=True, num_workers=0)
    dl_val = DataLoader(ds_val, batch_size=100, num_workers=0)
    features, labels = next(iter(dl_train))  # the text's look at one batch (draws a shuffle)
    net = Net()  # the text builds one net for torchkeras' summary ...

    net = Net()  # ... and a new one to train

    def focal_loss_with_regularization(y_pred, y_true):
        y_probs = torch.sigmoid(y_pred)
        focal = FocalLoss()(y_probs, y_true)
        l2_loss = L2Loss(net, 0.001)  # the coefficients as the text sets them
        l1_loss = L1Loss(net, 0.001)
        total_loss = focal + l2_loss + l1_loss
        return total_loss

    optimizer = torch.optim.Adam(net.parameters(), lr=0.002)
    history, best_state, val_logits = [], None, None
    for _epoch in range(epochs):
        net.train()
        for features, labels in dl_train:
            loss = focal_loss_with_regularization(net(features), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        net.eval()
        with torch.no_grad():
            val_logits = torch.cat([net(features) for features, _ in dl_val])
        val_labels = torch.cat([labels for _, labels in dl_val])
        history.append(torchkeras_auc(val_logits, val_labels))
        best = int(np.argmax(history))
        if best == len(history) - 1:
            best_state = copy.deepcopy(net.state_dict())  # torchkeras: save ckpt_path
        if len(history) - best > patience:
            break
    net.load_state_dict(best_state)
    exact = roc_auc_score(val_labels.numpy().ravel(), val_logits.numpy().ravel())
    return {
        "val_auc": history[-1],
        "best_val_auc": max(history),
        "val_auc_exact": float(exact),
        "epochs_run": len(history),
    }


if __name__ == "__main__":
    torch.set_num_threads(1)  # a tiny net: threads only add overhead
    parser = seed_parser("The focal-loss tutorial's PyTorch code, one JSON line per seed.")
    parser.add_argument("--epochs", type=int, default=20, help="default 20, as in the text")
    arguments = parser.parse_args()
    emit_per_seed(
        "focal_rings", chosen_seeds(arguments), lambda seed: train(seed, arguments.epochs)
    )
