"""The hinge tutorial's script as its readers run it, in Keras 3 spelling: make_circles(1000,
factor=0.1) with 0 -> -1, the first 250 points for testing, Dense(4, relu, he_uniform) -
Dense(2, relu, he_uniform) - Dense(1, tanh), Adam 0.03, 30 epochs, batch 5, validation_split
0.2. Published: test accuracy 100% for both losses (test loss 1.128e-4 hinge, 4.163e-5 squared
hinge).

Without ``--seed``/``--seeds`` it is the baseline ``make benchmark`` times ``make hinge``
against (benchmarks/fast_path.py): TensorFlow backend, default ``compile`` and ``fit`` (3,600
steps of batch 5), mlxtend's decision regions through Keras' default predict, and the log-scale
loss plot; figures saved to a temporary folder instead of shown.

With ``--seed S`` / ``--seeds N`` it trains once per seed in this process, without the figures,
after ``keras.utils.set_random_seed(S)`` (the text sets no seed; this seeds Python, NumPy, so
``make_circles``' shuffle, and Keras' initialisers as a recipe run with ``seed: S`` does), and
prints one JSON line per seed: ``test_accuracy`` (the sign of the output against the -1/+1
target: what Keras 2's ``accuracy`` reported for this model, and the recipes' sign_accuracy;
Keras 3's ``accuracy`` compares 0/1 with -1 and is printed as ``keras3_accuracy``) and
``test_loss``. ``--loss squared_hinge`` is the text's second run, ``--backend`` the Keras backend
(default tensorflow, as in the text).

    .venv/bin/python benchmarks/tutorials/hinge.py
    .venv/bin/python benchmarks/tutorials/hinge.py --seeds 20 --loss squared_hinge
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seeds import chosen_seeds, emit_per_seed, seed_parser  # noqa: E402

parser = seed_parser("The hinge tutorial's Keras script; with seeds, one JSON line per seed.")
parser.add_argument(
    "--loss", default="hinge", help="hinge, squared_hinge or both: hinge,squared_hinge"
)
parser.add_argument("--backend", default="tensorflow", help="Keras backend (default tensorflow)")
parser.add_argument("--epochs", type=int, default=30, help="default 30, as in the text")
parser.add_argument(
    "--steps-per-execution",
    type=int,
    default=1,
    help="batches per compiled call (default 1, as in the text); more: the same updates, faster",
)
arguments = parser.parse_args()
seeded = arguments.seed is not None or arguments.seeds is not None
os.environ.setdefault("KERAS_BACKEND", arguments.backend)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.layers import Dense  # noqa: E402
from keras.models import Sequential  # noqa: E402
from sklearn.datasets import make_circles  # noqa: E402


def train(loss_function_used: str):
    num_samples_total = 1000
    training_split = 250
    X, targets = make_circles(n_samples=num_samples_total, factor=0.1)
    targets[np.where(targets == 0)] = -1
    X_training, X_testing = X[training_split:, :], X[:training_split, :]
    Targets_training, Targets_testing = targets[training_split:], targets[:training_split]

    model = Sequential()
    model.add(keras.Input((2,)))
    model.add(Dense(4, activation="relu", kernel_initializer="he_uniform"))
    model.add(Dense(2, activation="relu", kernel_initializer="he_uniform"))
    model.add(Dense(1, activation="tanh"))
    model.compile(
        loss=loss_function_used,
        optimizer=keras.optimizers.Adam(learning_rate=0.03),
        metrics=["accuracy"],
        steps_per_execution=arguments.steps_per_execution,  # 1 (Keras' default) in the text
    )
    history = model.fit(
        X_training,
        Targets_training,
        epochs=arguments.epochs,
        batch_size=5,
        verbose=0,
        validation_split=0.2,
    )
    test_results = model.evaluate(X_testing, Targets_testing, verbose=0)
    return model, history, test_results, (X_testing, Targets_testing)


def seeded_run(seed: int, loss: str) -> dict:
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model, _, test_results, (X_testing, Targets_testing) = train(loss)
    scores = model.predict(X_testing, verbose=0).ravel()
    return {
        "test_accuracy": float(np.mean(np.where(scores >= 0, 1, -1) == Targets_testing)),
        "test_loss": float(test_results[0]),
        "keras3_accuracy": float(test_results[1]),
    }


def figures_run() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from mlxtend.plotting import plot_decision_regions

    model, history, test_results, (X_testing, Targets_testing) = train(arguments.loss)

    class SignClassifier:  # Keras 3 models are not mlxtend classifiers: predict the sign
        def predict(self, features):
            return np.where(model.predict(features, verbose=0).ravel() >= 0, 1, -1)

    folder = tempfile.mkdtemp()
    plot_decision_regions(X_testing, Targets_testing, clf=SignClassifier(), legend=2)
    plt.savefig(os.path.join(folder, "boundary.png"))
    plt.close()
    plt.plot(history.history["loss"], label="Hinge loss (testing data)")
    plt.plot(history.history["val_loss"], label="Hinge loss (validation data)")
    plt.title("Hinge loss for circles")
    plt.ylabel("Hinge loss value")
    plt.yscale("log")
    plt.xlabel("No. epoch")
    plt.legend(loc="upper left")
    plt.savefig(os.path.join(folder, "loss.png"))
    print(f"test loss {test_results[0]:.4g}")


if seeded:
    for loss in arguments.loss.split(","):  # the text's two runs, one after the other
        emit_per_seed(
            "hinge",
            chosen_seeds(arguments),
            lambda seed, loss=loss: seeded_run(seed, loss),
            loss=loss,
            backend=keras.backend.backend(),
        )
else:
    figures_run()
