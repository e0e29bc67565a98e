"""The floor of the hinge fit: its 3,600 Adam steps (batch 5) as one ``jax.lax.scan`` through
Keras' stateless API (``stateless_call`` + ``optimizer.stateless_apply``), with nothing else:
no metrics, no validation, no callbacks. Prints one line: ``floor_s=<compile + run seconds>``.
``make benchmark`` divides the recipe's fit seconds by it.

    KERAS_BACKEND=jax .venv/bin/python benchmarks/compiled_floor.py
"""

import os
import time

os.environ["KERAS_BACKEND"] = "jax"

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import make_circles  # noqa: E402

EPOCHS, BATCH = 30, 5

features, labels = make_circles(n_samples=1000, factor=0.1, random_state=0)
x = jax.numpy.asarray(features[250:850], "float32")
y = jax.numpy.asarray(np.where(labels[250:850] == 0, -1, 1), "float32")[:, None]
keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input((2,)),
        keras.layers.Dense(4, "relu", kernel_initializer="he_uniform"),
        keras.layers.Dense(2, "relu", kernel_initializer="he_uniform"),
        keras.layers.Dense(1, "tanh"),
    ]
)
optimizer = keras.optimizers.Adam(0.03)
optimizer.build(model.trainable_variables)
loss_function = keras.losses.Hinge()
order = np.concatenate([np.random.default_rng(e).permutation(600) for e in range(EPOCHS)])
order = jax.numpy.asarray(order.reshape(-1, BATCH))


def train(trainable, optimizer_variables, order):
    def step(carry, indices):
        trainable, optimizer_variables = carry

        def loss_of(trainable):
            prediction, _ = model.stateless_call(trainable, [], x[indices])
            return loss_function(y[indices], prediction)

        loss, gradients = jax.value_and_grad(loss_of)(trainable)
        return optimizer.stateless_apply(optimizer_variables, gradients, trainable), loss

    return jax.lax.scan(step, (trainable, optimizer_variables), order)


started = time.perf_counter()
trainable = [v.value for v in model.trainable_variables]
optimizer_variables = [v.value for v in optimizer.variables]
jax.block_until_ready(jax.jit(train)(trainable, optimizer_variables, order))
print(f"floor_s={time.perf_counter() - started:.4f}")
