"""An example of your own loss (configs/compare_losses.yaml trains with it): binary
cross-entropy on logits with the positives' loss weighted by ``positive_weight``."""

import keras


def cost_sensitive_bce(y_true, y_pred, positive_weight=4.0):
    """-w y log(sigmoid(p)) - (1 - y) log(1 - sigmoid(p)), one value per sample."""
    log_p = keras.ops.log_sigmoid(y_pred)
    log_not_p = keras.ops.log_sigmoid(-y_pred)
    per_point = -positive_weight * y_true * log_p - (1.0 - y_true) * log_not_p
    return keras.ops.mean(per_point, axis=-1)
