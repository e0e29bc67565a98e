"""The gallery's loss curves: each registry loss evaluated over a range of predictions.

Everything goes through the loss registry (:mod:`recipes.components.losses`), in float32, on
whichever Keras backend is active, so a curve shows exactly what a trainer would optimise. The
small tensor helpers and registry look-ups here are shared with :mod:`.examples`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

POINTS = 100
REGRESSION_RANGE = (-1.0, 1.0)
REGRESSION_TARGET = 0.0
PSEUDO_HUBER_DELTAS = (0.25, 5.0)
CLASSIFICATION_RANGE = (-3.0, 5.0)
CLASSIFICATION_TARGET = 1.0
POSITIVE_WEIGHT = 0.5
# The focal example of tutorial 001 (gamma 2, alpha 0.75), also used for the focal curve.
FOCAL_PARAMS = {"gamma": 2.0, "alpha": 0.75}


@dataclass
class Curve:
    """One loss evaluated over a range of predictions for a fixed target.

    ``values`` is NaN where the loss is not defined (never drawn, not written to curves.csv).
    """

    name: str
    label: str
    loss: str
    params: dict[str, Any]
    predictions: np.ndarray
    target: float
    values: np.ndarray
    formula: str
    style: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def defined(self) -> np.ndarray:
        return np.isfinite(self.values)


# ------------------------------------------------------------------------- tensor helpers


def keras_module() -> Any:
    """Keras, imported on first use (so importing the gallery does not load it)."""
    import keras

    return keras


def float32(values: Any) -> Any:
    """``values`` as a float32 tensor of the active backend."""
    return keras_module().ops.convert_to_tensor(
        np.asarray(values, dtype="float32"), dtype="float32"
    )


def to_numpy(tensor: Any) -> np.ndarray:
    """A backend tensor as a float64 NumPy array."""
    return np.asarray(keras_module().ops.convert_to_numpy(tensor), dtype=float)


def format_params(params: dict[str, Any]) -> str:
    """``key=value, ...``, as shown in a computation or the report."""
    return ", ".join(f"{key}={value}" for key, value in params.items())


# ----------------------------------------------------------------------- registry look-ups


def loss_params_for(name: str, wanted: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``wanted`` that the registered loss ``name`` accepts as parameters."""
    from recipes.components.losses import LOSSES

    fields = getattr(LOSSES.entry(name).params, "model_fields", {})
    return {key: value for key, value in wanted.items() if key in fields}


def per_sample_loss(
    name: str,
    params: dict[str, Any],
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
) -> np.ndarray:
    """Per-sample values of the registry loss ``name`` (the same instance a trainer compiles
    with, rebuilt from its config with ``reduction="none"``)."""
    from recipes.components.losses import get_loss

    loss = get_loss(name, params)
    unreduced = type(loss).from_config({**loss.get_config(), "reduction": "none"})
    return to_numpy(unreduced(y_true, y_pred, sample_weight=sample_weight)).reshape(-1)


def mean_loss(name: str, params: dict[str, Any], y_true: Any, y_pred: Any) -> float:
    """The registry loss as a trainer sees it (default reduction: mean over the batch)."""
    from recipes.components.losses import get_loss

    return float(to_numpy(get_loss(name, params)(y_true, y_pred)))


# --------------------------------------------------------------------------------- curves


def _curve(
    name: str,
    label: str,
    loss: str,
    params: dict[str, Any],
    predictions: np.ndarray,
    target: float,
    formula: str,
    style: dict[str, Any],
    defined: np.ndarray | None = None,
    sample_weight: float | None = None,
    note: str = "",
) -> Curve:
    """Evaluate ``loss`` at every prediction (as a column of samples) against ``target``.

    Points outside ``defined`` are never passed to Keras (which would clip them into a finite
    but meaningless value); they stay NaN.
    """
    defined = np.ones(len(predictions), bool) if defined is None else defined
    values = np.full(len(predictions), np.nan)
    chosen = predictions[defined].reshape(-1, 1)
    weights = None if sample_weight is None else np.full(len(chosen), sample_weight, "float32")
    values[defined] = per_sample_loss(
        loss,
        params,
        float32(np.full_like(chosen, target)),
        float32(chosen),
        sample_weight=None if weights is None else float32(weights),
    )
    if not np.isfinite(values[defined]).all():
        raise ValueError(f"loss gallery: '{name}' ({loss}) gave non-finite values")
    return Curve(name, label, loss, params, predictions, target, values, formula, style, note)


def _pseudo_huber_curves(grid: dict[str, Any]) -> list[Curve]:
    """Pseudo-Huber for each of PSEUDO_HUBER_DELTAS (a registry loss of this project)."""
    return [
        _curve(
            name=f"pseudo_huber_delta_{delta:g}",
            label=f"Pseudo-Huber, δ = {delta:g}",
            loss="pseudo_huber",
            params={"delta": delta},
            formula="delta^2 * (sqrt(1 + ((y - p) / delta)^2) - 1)",
            style={"color": ("C2", "C3")[index % 2], "ls": "--", "lw": 2},
            **grid,
        )
        for index, delta in enumerate(PSEUDO_HUBER_DELTAS)
    ]


def regression_curves(points: int = POINTS) -> list[Curve]:
    """L1, L2, Pseudo-Huber (delta 0.25, 5), Keras' Huber and log-cosh over
    linspace(-1, 1, points) with target 0 (tutorial 002)."""
    grid = {"predictions": np.linspace(*REGRESSION_RANGE, points), "target": REGRESSION_TARGET}
    curves = [
        _curve(
            name="l1",
            label="L1 |y - p|  (mae)",
            loss="mean_absolute_error",
            params={},
            formula="|y - p|",
            style={"color": "C0", "lw": 2},
            **grid,
        ),
        _curve(
            name="l2",
            label="L2 (y - p)²  (mse)",
            loss="mean_squared_error",
            params={},
            formula="(y - p)^2",
            style={"color": "C1", "lw": 2},
            **grid,
        ),
    ]
    curves += _pseudo_huber_curves(grid)
    curves += [
        _curve(
            name="huber_delta_1",
            label="Huber (Keras), δ = 1  (≈ Pseudo-Huber δ = 5)",
            loss="huber",
            params={"delta": 1.0},
            formula="(y - p)^2 / 2 if |y - p| <= delta else delta * |y - p| - delta^2 / 2",
            style={"color": "C4", "ls": ":", "lw": 2.4},
            note="equals (y - p)^2 / 2 on this range, as Pseudo-Huber with delta 5 nearly does "
            "(0.495 at |y - p| = 1), so the two curves overlap",
            **grid,
        ),
        _curve(
            name="log_cosh",
            label="log-cosh (Keras)",
            loss="log_cosh",
            params={},
            formula="log(cosh(p - y))",
            style={"color": "C5", "ls": "-.", "lw": 2},
            **grid,
        ),
    ]
    return curves


def _hinge_curves(grid: dict[str, Any]) -> list[Curve]:
    """Hinge and squared hinge (the prediction is a score)."""
    return [
        _curve(
            name="hinge",
            label="hinge",
            loss="hinge",
            params={},
            formula="max(0, 1 - y * p), y in {-1, 1}",
            style={"color": "C0", "lw": 2},
            **grid,
        ),
        _curve(
            name="squared_hinge",
            label="squared hinge",
            loss="squared_hinge",
            params={},
            formula="max(0, 1 - y * p)^2",
            style={"color": "C1", "lw": 2},
            note="reaches 16 at p = -3, above the plotted range",
            **grid,
        ),
    ]


def _sigmoid_crossentropy_curves(grid: dict[str, Any]) -> list[Curve]:
    """Sigmoid cross-entropy on logits, plain and with POSITIVE_WEIGHT on positive samples."""
    logits = {"from_logits": True}
    return [
        _curve(
            name="sigmoid_crossentropy",
            label="sigmoid cross-entropy (on logits)",
            loss="binary_crossentropy",
            params=logits,
            formula="-y log(sigmoid(p)) - (1 - y) log(1 - sigmoid(p))",
            style={"color": "C2", "lw": 2},
            **grid,
        ),
        _curve(
            name=f"weighted_sigmoid_crossentropy_pos_weight_{POSITIVE_WEIGHT:g}",
            label=f"weighted sigmoid CE, positive weight {POSITIVE_WEIGHT:g}",
            loss="binary_crossentropy",
            params=logits,
            formula=f"binary_crossentropy(from_logits) with sample_weight {POSITIVE_WEIGHT:g} "
            "where y = 1 (tf.nn.weighted_cross_entropy_with_logits)",
            style={"color": "C3", "ls": "--", "lw": 2},
            sample_weight=POSITIVE_WEIGHT if grid["target"] == 1 else 1.0,
            **grid,
        ),
    ]


def _focal_curves(grid: dict[str, Any]) -> list[Curve]:
    """The focal loss on logits with FOCAL_PARAMS."""
    params = loss_params_for("focal", {**FOCAL_PARAMS, "from_logits": True})
    shown = {**FOCAL_PARAMS, **params}
    return [
        _curve(
            name="focal_logits",
            label=f"focal, γ = {shown['gamma']:g}, α = {shown['alpha']:g} (on logits)",
            loss="focal",
            params=params,
            formula="-alpha (1 - p_t)^gamma log(p_t), p_t = sigmoid(p) for y = 1",
            style={"color": "C4", "ls": "-.", "lw": 2},
            **grid,
        )
    ]


def _probability_crossentropy_curve(grid: dict[str, Any]) -> Curve:
    """Cross-entropy on the prediction as a probability: evaluated only where 0 < p < 1."""
    predictions = grid["predictions"]
    return _curve(
        name="crossentropy_probability",
        label="cross-entropy on p (drawn for 0 < p < 1)",
        loss="binary_crossentropy",
        params={},
        formula="-y log(p) - (1 - y) log(1 - p)",
        style={"color": "C5", "lw": 2, "marker": "o", "ms": 3.5},
        defined=(predictions > 0) & (predictions < 1),
        note="defined only for 0 < p < 1; Keras would clip other values to [1e-7, 1 - 1e-7]",
        **grid,
    )


def classification_curves(points: int = POINTS) -> list[Curve]:
    """Hinge, squared hinge, sigmoid cross-entropy (plain and weighted), focal and
    cross-entropy on probabilities over linspace(-3, 5, points), target 1."""
    grid = {
        "predictions": np.linspace(*CLASSIFICATION_RANGE, points),
        "target": CLASSIFICATION_TARGET,
    }
    return (
        _hinge_curves(grid)
        + _sigmoid_crossentropy_curves(grid)
        + _focal_curves(grid)
        + [_probability_crossentropy_curve(grid)]
    )
