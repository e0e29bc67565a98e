"""The hinge tutorial's script as its readers run it, in Keras 3 spelling: the baseline
``make benchmark`` times ``make hinge`` against. TensorFlow backend, default ``compile`` and
``fit`` (3,600 steps of batch 5), mlxtend's decision regions through Keras' default predict,
and the log-scale loss plot; figures saved to a temporary folder instead of shown.

    .venv/bin/python benchmarks/tutorial_hinge.py
"""

import os
import tempfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from keras.layers import Dense  # noqa: E402
from keras.models import Sequential  # noqa: E402
from mlxtend.plotting import plot_decision_regions  # noqa: E402
from sklearn.datasets import make_circles  # noqa: E402

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
    loss="hinge", optimizer=keras.optimizers.Adam(learning_rate=0.03), metrics=["accuracy"]
)
history = model.fit(
    X_training, Targets_training, epochs=30, batch_size=5, verbose=0, validation_split=0.2
)
test_results = model.evaluate(X_testing, Targets_testing, verbose=0)


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
