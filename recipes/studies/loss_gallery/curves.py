"""The gallery's loss curves: each registry loss evaluated over a range of predictions.

Everything goes through the loss registry (:mod:`recipes.components.losses`), in float32, on
whichever Keras backend is active, so a curve shows exactly what a trainer would optimise.
:func:`evaluate` is the one path from a loss to its values and derivatives over a range, for
the fixed curves and for the given losses (``gallery.losses``: :func:`derivative_curves`, a
user's ``file.py:function`` included); the registry look-ups are shared with :mod:`.examples`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

POINTS = 100
REGRESSION_RANGE = (-1.0, 1.0)
REGRESSION_TARGET = 0.0
PSEUDO_HUBER_DELTAS = (0.25, 5.0)
CLASSIFICATION_RANGE = (-3.0, 5.0)
CLASSIFICATION_TARGET = 1.0
POSITIVE_WEIGHT = 0.5
GIVEN_POINTS = 161  # the given losses' scores, a step of 0.05: the hinge's kink at p = 1 is one
# The focal example of tutorial 001 (gamma 2, alpha 0.75), also used for the focal curve.
FOCAL_PARAMS = {"gamma": 2.0, "alpha": 0.75}


# ----------------------------------------------------------------------------- formatting


def format_params(params: dict[str, Any]) -> str:
    """``key=value, ...``, as shown in a computation or the report."""
    return ", ".join(f"{key}={value}" for key, value in params.items())


# ----------------------------------------------------------------------- registry look-ups


def mean_loss(name: str, params: dict[str, Any], y_true: Any, y_pred: Any) -> float:
    """The registry loss as a trainer sees it (default reduction: mean over the batch)."""
    from recipes.components.losses import get_loss

    return float(get_loss(name, params)(y_true, y_pred))  # a scalar of any backend


def loss_derivative(
    name: str, params: dict[str, Any], scores: np.ndarray, target: float
) -> tuple[np.ndarray, np.ndarray]:
    """(per-point values, d value / d score) of the named loss at each score, one output
    column, every point with target ``target``: the backend's own autodiff
    (:func:`recipes.components.gradients.output_gradient`), never a finite difference, so a
    kink (hinge at the margin) is the value the optimiser sees, not an average across it."""
    from recipes.components.gradients import output_gradient
    from recipes.components.losses import get_loss

    loss = get_loss(name, params)
    y_pred = np.asarray(scores, dtype="float32").reshape(-1, 1)
    values, gradient = output_gradient(loss.call, np.full_like(y_pred, target), y_pred)
    # + 0.0: a loss that has stopped pushing reads 0, not -0
    return np.asarray(values, float).reshape(-1), np.asarray(gradient, float).reshape(-1) + 0.0


# --------------------------------------------------------------------------------- curves


@dataclass(frozen=True)
class CurveSpec:
    """What a curve draws: a registry loss with its parameters, how it is named and styled."""

    name: str
    label: str
    loss: str
    params: dict[str, Any]
    formula: str
    style: dict[str, Any]
    note: str = ""
    sample_weight: float | None = None  # on every point (the target is the positive class)
    probability_only: bool = False  # evaluated only where 0 < p < 1


@dataclass(frozen=True, kw_only=True)
class Curve(CurveSpec):
    """A curve evaluated over a range of predictions for a fixed target; ``values`` and
    ``derivatives`` (d value / d prediction) are NaN where the loss is not defined (never
    drawn, not written to curves.csv)."""

    predictions: np.ndarray
    target: float
    values: np.ndarray
    derivatives: np.ndarray


def _focal_spec() -> CurveSpec:
    """The focal loss on logits with FOCAL_PARAMS."""
    params = {**FOCAL_PARAMS, "from_logits": True}
    label = f"focal, γ = {params['gamma']:g}, α = {params['alpha']:g} (on logits)"
    formula = "-alpha (1 - p_t)^gamma log(p_t), p_t = sigmoid(p) for y = 1"
    return CurveSpec(
        "focal_logits", label, "focal", params, formula, {"color": "C4", "ls": "-.", "lw": 2}
    )


def regression_specs() -> list[CurveSpec]:
    """L1, L2, Pseudo-Huber (delta 0.25, 5), Keras' Huber and log-cosh (tutorial 002)."""
    pseudo_huber = [
        CurveSpec(
            f"pseudo_huber_delta_{delta:g}",
            f"Pseudo-Huber, δ = {delta:g}",
            "pseudo_huber",
            {"delta": delta},
            "delta^2 * (sqrt(1 + ((y - p) / delta)^2) - 1)",
            {"color": ("C2", "C3")[index % 2], "ls": "--", "lw": 2},
        )
        for index, delta in enumerate(PSEUDO_HUBER_DELTAS)
    ]
    return [
        CurveSpec(
            "l1",
            "L1 |y - p|  (mae)",
            "mean_absolute_error",
            {},
            "|y - p|",
            {"color": "C0", "lw": 2},
        ),
        CurveSpec(
            "l2",
            "L2 (y - p)²  (mse)",
            "mean_squared_error",
            {},
            "(y - p)^2",
            {"color": "C1", "lw": 2},
        ),
        *pseudo_huber,
        CurveSpec(
            "huber_delta_1",
            "Huber (Keras), δ = 1  (≈ Pseudo-Huber δ = 5)",
            "huber",
            {"delta": 1.0},
            "(y - p)^2 / 2 if |y - p| <= delta else delta * |y - p| - delta^2 / 2",
            {"color": "C4", "ls": ":", "lw": 2.4},
            note="equals (y - p)^2 / 2 on this range, as Pseudo-Huber with delta 5 nearly does "
            "(0.495 at |y - p| = 1), so the two curves overlap",
        ),
        CurveSpec(
            "log_cosh",
            "log-cosh (Keras)",
            "log_cosh",
            {},
            "log(cosh(p - y))",
            {"color": "C5", "ls": "-.", "lw": 2},
        ),
    ]


def classification_specs() -> list[CurveSpec]:
    """Hinge, squared hinge, sigmoid cross-entropy on logits (plain, and with POSITIVE_WEIGHT
    on positive samples), focal, and cross-entropy on the prediction as a probability."""
    logits = {"from_logits": True}
    return [
        CurveSpec(
            "hinge",
            "hinge",
            "hinge",
            {},
            "max(0, 1 - y * p), y in {-1, 1}",
            {"color": "C0", "lw": 2},
        ),
        CurveSpec(
            "squared_hinge",
            "squared hinge",
            "squared_hinge",
            {},
            "max(0, 1 - y * p)^2",
            {"color": "C1", "lw": 2},
            note="reaches 16 at p = -3, above the plotted range",
        ),
        CurveSpec(
            "sigmoid_crossentropy",
            "sigmoid cross-entropy (on logits)",
            "binary_crossentropy",
            logits,
            "-y log(sigmoid(p)) - (1 - y) log(1 - sigmoid(p))",
            {"color": "C2", "lw": 2},
        ),
        CurveSpec(
            f"weighted_sigmoid_crossentropy_pos_weight_{POSITIVE_WEIGHT:g}",
            f"weighted sigmoid CE, positive weight {POSITIVE_WEIGHT:g}",
            "binary_crossentropy",
            logits,
            f"binary_crossentropy(from_logits) with sample_weight {POSITIVE_WEIGHT:g} "
            "where y = 1 (tf.nn.weighted_cross_entropy_with_logits)",
            {"color": "C3", "ls": "--", "lw": 2},
            sample_weight=POSITIVE_WEIGHT,
        ),
        _focal_spec(),
        CurveSpec(
            "crossentropy_probability",
            "cross-entropy on p (drawn for 0 < p < 1)",
            "binary_crossentropy",
            {},
            "-y log(p) - (1 - y) log(1 - p)",
            {"color": "C5", "lw": 2, "marker": "o", "ms": 3.5},
            note="defined only for 0 < p < 1; Keras would clip other values to [1e-7, 1 - 1e-7]",
            probability_only=True,
        ),
    ]


def evaluate(spec: CurveSpec, predictions: np.ndarray, target: float) -> Curve:
    """The curve's loss and its derivative at every prediction (as a column of samples)
    against ``target``: :func:`loss_derivative` of the loss a trainer compiles.

    Points a probability-only loss does not define are never passed to Keras (which would
    clip them into a finite but meaningless value); they stay NaN.
    """
    defined = np.ones(len(predictions), bool)
    if spec.probability_only:
        defined = (predictions > 0) & (predictions < 1)
    values = np.full(len(predictions), np.nan)
    derivatives = values.copy()
    per_point, slope = loss_derivative(spec.loss, spec.params, predictions[defined], target)
    # a sample weight multiplies each point's loss, as Keras applies it
    weight = 1.0 if spec.sample_weight is None else spec.sample_weight
    values[defined] = per_point * weight
    derivatives[defined] = slope * weight
    if not (np.isfinite(values[defined]).all() and np.isfinite(derivatives[defined]).all()):
        raise ValueError(f"loss gallery: '{spec.name}' ({spec.loss}) is not finite on the range")
    return Curve(
        **vars(spec),
        predictions=predictions,
        target=target,
        values=values,
        derivatives=derivatives,
    )


def regression_curves(points: int = POINTS) -> list[Curve]:
    """The regression curves over linspace(-1, 1, points), target 0."""
    predictions = np.linspace(*REGRESSION_RANGE, points)
    return [evaluate(spec, predictions, REGRESSION_TARGET) for spec in regression_specs()]


def classification_curves(points: int = POINTS) -> list[Curve]:
    """The classification curves over linspace(-3, 5, points), target 1."""
    predictions = np.linspace(*CLASSIFICATION_RANGE, points)
    return [evaluate(spec, predictions, CLASSIFICATION_TARGET) for spec in classification_specs()]


def derivative_curves(losses: list[Any], points: int = GIVEN_POINTS) -> list[Curve]:
    """The given losses (``gallery.losses``): a :class:`Curve` for each loss component
    (``name``, ``params``), named by its short name and labelled with its parameters (but
    ``labels``), over the classification range with the positive class as the target (y = 1
    in both the 0/1 and the -1/+1 encodings): how hard each pushes a point with score p."""
    from recipes.components.user_loss import short_name

    scores = np.linspace(*CLASSIFICATION_RANGE, points)
    curves = []
    for index, loss in enumerate(losses):
        name = short_name(loss.name)
        shown = {key: value for key, value in loss.params.items() if key != "labels"}
        label = f"{name} ({format_params(shown)})" if shown else name
        style = {"color": f"C{index % 10}", "lw": 2}
        spec = CurveSpec(name, label, loss.name, dict(loss.params), formula="", style=style)
        curves.append(evaluate(spec, scores, CLASSIFICATION_TARGET))
    return curves
