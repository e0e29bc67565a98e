"""A loss file the lab's tests allow with --loss-file: the page may name it, nothing else."""

import keras


def halved_hinge(y_true, y_pred):
    """Half the hinge loss: trains as hinge does, at half the force."""
    return 0.5 * keras.ops.mean(keras.ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)
