"""The loss gallery (``python -m recipes run loss_gallery``): a recipe kind that trains nothing.

It draws the loss curves of the TensorFlow tutorial (002) and recomputes the worked examples of
the PyTorch tutorials (001, 003), all through the same loss registry the training recipes use,
on whichever Keras backend is active, so the gallery shows exactly what the trainers optimise.

Run folder (``outputs/loss_gallery/<run-id>/``): ``config.yaml``, ``run.json``,
``regression_losses.png``, ``classification_losses.png``, ``curves.csv`` (loss, prediction,
target, value), ``examples.csv`` (published vs computed) and ``report.md``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from recipes.config import ResolvedRecipe
from recipes.run_folder import (
    RunRecord,
    atomic_write_text,
    write_csv,
)

POINTS = 100
REGRESSION_RANGE = (-1.0, 1.0)
REGRESSION_TARGET = 0.0
PSEUDO_HUBER_DELTAS = (0.25, 5.0)
CLASSIFICATION_RANGE = (-3.0, 5.0)
CLASSIFICATION_TARGET = 1.0
POSITIVE_WEIGHT = 0.5
# The focal example of tutorial 001 (gamma 2, alpha 0.75), also used for the focal curve.
FOCAL_PARAMS = {"gamma": 2.0, "alpha": 0.75}
# Float32 results agree with a published (itself float32) value to about 1e-7, not better.
FLOAT32_SLACK = 1e-7
CLASSIFICATION_Y_LIMITS = (-0.15, 4.6)
GALLERY_FIGURE_SIZE = (7.6, 5.0)

CURVES_FILE = "curves.csv"
EXAMPLES_FILE = "examples.csv"
REPORT_FILE = "report.md"
REGRESSION_FIGURE = "regression_losses.png"
CLASSIFICATION_FIGURE = "classification_losses.png"


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


@dataclass
class Example:
    """A worked example: a tutorial's published value next to the one Keras computes."""

    name: str
    source: str
    inputs: str
    computation: str
    computed: float
    published: float | None
    decimals: int
    reference: float | None = None
    note: str = ""

    @property
    def expected(self) -> float:
        """The published value, or (where the tutorial prints none) a float64 reference."""
        return self.published if self.published is not None else float(self.reference)

    @property
    def tolerance(self) -> float:
        """Half a unit in the last printed digit, plus float32 rounding."""
        return 0.5 * 10.0**-self.decimals + FLOAT32_SLACK

    @property
    def abs_diff(self) -> float:
        return abs(self.computed - self.expected)

    @property
    def match(self) -> bool:
        return math.isfinite(self.computed) and self.abs_diff <= self.tolerance


# ------------------------------------------------------------------------------ evaluation


def _keras() -> Any:
    import keras

    return keras


def _float32(values: Any) -> Any:
    return _keras().ops.convert_to_tensor(np.asarray(values, dtype="float32"), dtype="float32")


def _numpy(tensor: Any) -> np.ndarray:
    return np.asarray(_keras().ops.convert_to_numpy(tensor), dtype=float)


def registered(name: str) -> bool:
    """Whether the loss registry knows ``name`` (focal and symmetric CE may come later)."""
    from recipes.losses import LOSSES

    return name in LOSSES


def loss_params_for(name: str, wanted: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``wanted`` that the registered loss ``name`` accepts as parameters."""
    from recipes.losses import LOSSES

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
    from recipes.losses import get_loss

    loss = get_loss(name, params)
    unreduced = type(loss).from_config({**loss.get_config(), "reduction": "none"})
    return _numpy(unreduced(y_true, y_pred, sample_weight=sample_weight)).reshape(-1)


def mean_loss(name: str, params: dict[str, Any], y_true: Any, y_pred: Any) -> float:
    """The registry loss as a trainer sees it (default reduction: mean over the batch)."""
    from recipes.losses import get_loss

    return float(_numpy(get_loss(name, params)(y_true, y_pred)))


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
        _float32(np.full_like(chosen, target)),
        _float32(chosen),
        sample_weight=None if weights is None else _float32(weights),
    )
    if not np.isfinite(values[defined]).all():
        raise ValueError(f"loss gallery: '{name}' ({loss}) gave non-finite values")
    return Curve(name, label, loss, params, predictions, target, values, formula, style, note)


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
    for index, delta in enumerate(PSEUDO_HUBER_DELTAS):
        curves.append(
            _curve(
                name=f"pseudo_huber_delta_{delta:g}",
                label=f"Pseudo-Huber, δ = {delta:g}",
                loss="pseudo_huber",
                params={"delta": delta},
                formula="delta^2 * (sqrt(1 + ((y - p) / delta)^2) - 1)",
                style={"color": ("C2", "C3")[index % 2], "ls": "--", "lw": 2},
                **grid,
            )
        )
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


def classification_curves(points: int = POINTS) -> list[Curve]:
    """Hinge, squared hinge, sigmoid cross-entropy (plain and weighted), focal (when
    registered) and cross-entropy on probabilities over linspace(-3, 5, points), target 1."""
    predictions = np.linspace(*CLASSIFICATION_RANGE, points)
    target = CLASSIFICATION_TARGET
    grid = {"predictions": predictions, "target": target}
    logits = {"from_logits": True}
    curves = [
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
            sample_weight=POSITIVE_WEIGHT if target == 1 else 1.0,
            **grid,
        ),
    ]
    if registered("focal"):
        params = loss_params_for("focal", {**FOCAL_PARAMS, **logits})
        shown = {**FOCAL_PARAMS, **params}
        curves.append(
            _curve(
                name="focal_logits",
                label=f"focal, γ = {shown['gamma']:g}, α = {shown['alpha']:g} (on logits)",
                loss="focal",
                params=params,
                formula="-alpha (1 - p_t)^gamma log(p_t), p_t = sigmoid(p) for y = 1",
                style={"color": "C4", "ls": "-.", "lw": 2},
                **grid,
            )
        )
    curves.append(
        _curve(
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
    )
    return curves


# ------------------------------------------------------------------------- worked examples


def worked_examples() -> list[Example]:
    """The tutorials' worked examples recomputed through the registry (see module docstring)."""
    keras = _keras()
    ops = keras.ops
    examples: list[Example] = []

    # 001: BCELoss on sigmoid outputs vs BCEWithLogitsLoss on logits.
    logits = _float32([5.0, 3.0, 10.0, -5.0, -3.0, -10.0])
    labels = _float32([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    inputs = "y_pred = [5, 3, 10, -5, -3, -10], y_true = [1, 1, 1, 0, 0, 0]"
    examples.append(
        Example(
            name="bce_on_sigmoid",
            source="001 (torch nn.BCELoss)",
            inputs=inputs,
            computation="binary_crossentropy(y_true, sigmoid(y_pred))",
            computed=mean_loss("binary_crossentropy", {}, labels, ops.sigmoid(logits)),
            published=0.0184,
            decimals=4,
            note="on TensorFlow Keras reads the logits behind a sigmoid output, so this equals "
            "bce_on_logits exactly; JAX and PyTorch use the probability clipped to "
            "[1e-7, 1 - 1e-7] and differ in the 9th decimal",
        )
    )
    examples.append(
        Example(
            name="bce_on_logits",
            source="001 (torch nn.BCEWithLogitsLoss)",
            inputs=inputs,
            computation="binary_crossentropy(from_logits=True)(y_true, y_pred)",
            computed=mean_loss("binary_crossentropy", {"from_logits": True}, labels, logits),
            published=0.0184,
            decimals=4,
        )
    )

    # 001: CrossEntropyLoss == LogSoftmax + NLLLoss == KLDivLoss from one-hot targets.
    logits = _float32([[10.0, 0.0, -10.0], [8.0, 8.0, 8.0]])
    one_hot = ops.one_hot(ops.convert_to_tensor([0, 2]), 3)
    inputs = "logits = [[10, 0, -10], [8, 8, 8]], labels = [0, 2] (one-hot)"
    examples.append(
        Example(
            name="categorical_ce_on_logits",
            source="001 (torch nn.CrossEntropyLoss / NLLLoss)",
            inputs=inputs,
            computation="categorical_crossentropy(from_logits=True)(one_hot, logits)",
            computed=mean_loss("categorical_crossentropy", {"from_logits": True}, one_hot, logits),
            published=0.5493,
            decimals=4,
        )
    )
    examples.append(
        Example(
            name="kl_divergence_from_one_hot",
            source="001 (torch nn.KLDivLoss, batchmean)",
            inputs=inputs,
            computation="kl_divergence(one_hot, softmax(logits))",
            computed=mean_loss("kl_divergence", {}, one_hot, ops.softmax(logits)),
            published=0.5493,
            decimals=4,
            note="torch's KLDivLoss takes log-probabilities; Keras' KLDivergence takes "
            "probabilities (sum over classes, mean over samples, like batchmean)",
        )
    )

    # 002: tf.nn.softmax_cross_entropy_with_logits; the text prints no value.
    logits_002 = np.array([[1.0, -3.0, 10.0]])
    target_002 = np.array([[0.1, 0.02, 0.88]])
    shifted = logits_002 - logits_002.max()
    reference = float(-(target_002 * (shifted - np.log(np.exp(shifted).sum()))).sum())
    examples.append(
        Example(
            name="softmax_ce_002",
            source="002 (tf.nn.softmax_cross_entropy_with_logits)",
            inputs="logits = [[1, -3, 10]], target = [[0.1, 0.02, 0.88]]",
            computation="categorical_crossentropy(from_logits=True)(target, logits)",
            computed=mean_loss(
                "categorical_crossentropy",
                {"from_logits": True},
                _float32(target_002),
                _float32(logits_002),
            ),
            published=None,
            decimals=6,
            reference=reference,
            note="002 prints no value: compared with a float64 NumPy reference "
            "-sum(t * log_softmax(z))",
        )
    )

    # 003: KL divergence of two XOR-network outputs from the label [0, 1].
    for name, predicted, published in (
        ("kl_003_a", [0.07158904, 0.92822515], 0.07447962),
        ("kl_003_d", [0.11774177, 0.88200493], 0.12555622),
    ):
        # What the text's formula gives with 0 log 0 = 0, and the term Keras' clip of p to
        # [epsilon, 1] adds instead of that 0 (float64 NumPy: notes only, not the loss).
        textbook = -math.log(predicted[1])
        epsilon = 1e-7
        clip_term = epsilon * math.log(epsilon / predicted[0])
        examples.append(
            Example(
                name=name,
                source="003 (KL / relative entropy, eq. 10-1)",
                inputs=f"p = [0, 1], q = {predicted}",
                computation="kl_divergence([[0, 1]], [q])",
                computed=mean_loss(
                    "kl_divergence", {}, _float32([[0.0, 1.0]]), _float32([predicted])
                ),
                published=published,
                decimals=8,
                note=f"the text's formula with 0 log 0 = 0 gives {textbook:.8f}, "
                f"{textbook - published:.2g} above the published value; Keras clips p to "
                f"[1e-7, 1], so the 0 entry adds 1e-7 log(1e-7 / q_0) = {clip_term:.3g}, "
                "and the published value matches that to float32 rounding (so it was "
                "probably computed with such a clip)",
            )
        )

    examples += _focal_examples()
    examples += _symmetric_ce_examples()
    return examples


def _focal_examples() -> list[Example]:
    """001's focal example (gamma 2, alpha 0.75; probabilities), and the BCE beside it."""
    examples = []
    cases = {
        "easy": ([[0.9], [0.1]], 0.0005, 0.1054),
        "hard": ([[0.5], [0.5]], 0.0866, 0.6931),
    }
    y_true = _float32([[1.0], [0.0]])
    for case, (predicted, focal_published, bce_published) in cases.items():
        inputs = f"y_pred = {predicted}, y_true = [[1], [0]]"
        if registered("focal"):
            params = loss_params_for("focal", {**FOCAL_PARAMS, "from_logits": False})
            examples.append(
                Example(
                    name=f"focal_{case}",
                    source="001 (FocalLoss, gamma 2, alpha 0.75)",
                    inputs=inputs,
                    computation=f"focal({_format_params(params)})(y_true, y_pred)",
                    computed=mean_loss("focal", params, y_true, _float32(predicted)),
                    published=focal_published,
                    decimals=4,
                )
            )
        examples.append(
            Example(
                name=f"bce_{case}",
                source="001 (torch nn.BCELoss, beside FocalLoss)",
                inputs=inputs,
                computation="binary_crossentropy(y_true, y_pred)",
                computed=mean_loss("binary_crossentropy", {}, y_true, _float32(predicted)),
                published=bce_published,
                decimals=4,
            )
        )
    return examples


def _symmetric_ce_examples() -> list[Example]:
    """001's symmetric cross-entropy example: rce / ce for a clean and a noisy label.

    Needs a registered ``symmetric_crossentropy`` whose ``alpha`` (weight of ce) and ``beta``
    (weight of rce) can be set, so ce and rce are each the loss with the other weight 0.
    """
    if not registered("symmetric_crossentropy"):
        return []
    base = loss_params_for("symmetric_crossentropy", {"from_logits": False})
    if not {"alpha", "beta"} <= set(
        loss_params_for("symmetric_crossentropy", {"alpha": 1, "beta": 1})
    ):
        return []
    examples = []
    for case, label, published in (("clean", 1.0, 8.2502), ("noisy", 0.0, 4.5786)):
        y_true, y_pred = _float32([[label]]), _float32([[0.8]])
        ce = mean_loss(
            "symmetric_crossentropy", {**base, "alpha": 1.0, "beta": 0.0}, y_true, y_pred
        )
        rce = mean_loss(
            "symmetric_crossentropy", {**base, "alpha": 0.0, "beta": 1.0}, y_true, y_pred
        )
        examples.append(
            Example(
                name=f"sce_ratio_{case}",
                source="001 (SCE, rce(y, p) / ce(y, p), clamps 1e-4)",
                inputs=f"y = {label:g}, p = 0.8",
                computation="symmetric_crossentropy(alpha=0, beta=1) "
                "/ symmetric_crossentropy(alpha=1, beta=0)",
                computed=rce / ce,
                published=published,
                decimals=4,
            )
        )
    return examples


def _format_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in params.items())


# ------------------------------------------------------------------------------------ plots


def plot_loss_curves(
    curves: list[Curve],
    ax: Any = None,
    title: str | None = None,
    target: float | None = None,
    y_limits: tuple[float, float] | None = None,
    legend_loc: str = "best",
    probability_band: bool = False,
) -> Any:
    """Loss value against prediction, one line per curve; NaN (undefined) points are not drawn.

    A curve that leaves ``y_limits`` gets an arrow saying where it goes; ``probability_band``
    shades 0 < p < 1, the only place a prediction is a probability.
    """
    from recipes import plots

    ax = ax if ax is not None else plots.new_axes(GALLERY_FIGURE_SIZE)
    if probability_band:
        ax.axvspan(0, 1, color="0.85", alpha=0.6, lw=0, label="0 < p < 1 (a probability)")
    if target is not None:
        ax.axvline(target, color="0.45", lw=0.9, ls=(0, (1, 2)), label=f"target y = {target:g}")
    for curve in curves:
        ax.plot(curve.predictions, curve.values, label=curve.label, **curve.style)
    if y_limits is not None:
        ax.set_ylim(*y_limits)
        for curve in curves:
            above = curve.defined & (curve.values > y_limits[1])
            if above.any():
                last = int(np.flatnonzero(above)[-1])
                x = float(curve.predictions[last])
                ax.annotate(
                    f"{curve.label}: up to {np.nanmax(curve.values):.3g}\n"
                    f"at p = {curve.predictions[np.nanargmax(curve.values)]:g} (off the axis)",
                    xy=(x, y_limits[1]),
                    xytext=(x + 0.45, y_limits[1] - 0.12 * (y_limits[1] - y_limits[0])),
                    fontsize=8,
                    color=curve.style.get("color", "black"),
                    arrowprops={"arrowstyle": "->", "color": curve.style.get("color", "black")},
                )
    ax.set_xlabel("prediction p")
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    ax.legend(loc=legend_loc, framealpha=0.92, fontsize=8.5)
    if title:
        ax.set_title(title)
    return ax


def regression_figure(curves: list[Curve], backend: str, dpi: int = 120) -> Any:
    """The axes of regression_losses.png (legend at the top centre, above the valley)."""
    from recipes import plots

    return plot_loss_curves(
        curves,
        ax=plots.new_axes(GALLERY_FIGURE_SIZE, dpi=dpi),
        title=f"Regression losses against the prediction, target 0 ({backend})",
        legend_loc="upper center",
    )


def classification_figure(curves: list[Curve], backend: str, dpi: int = 120) -> Any:
    """The axes of classification_losses.png (legend at the top right, where every loss is
    near 0; the y-axis stops at 4.6 and says where the squared hinge goes)."""
    from recipes import plots

    return plot_loss_curves(
        curves,
        ax=plots.new_axes(GALLERY_FIGURE_SIZE, dpi=dpi),
        title=f"Classification losses against the prediction, target 1 ({backend})",
        target=CLASSIFICATION_TARGET,
        y_limits=CLASSIFICATION_Y_LIMITS,
        legend_loc="upper right",
        probability_band=True,
    )


# ------------------------------------------------------------------------------------ files


def curve_rows(curves: list[Curve]) -> list[list[Any]]:
    """Rows of curves.csv: one per defined point (undefined points are left out)."""
    return [
        [curve.name, repr(float(p)), repr(float(curve.target)), repr(float(v))]
        for curve in curves
        for p, v in zip(curve.predictions, curve.values, strict=True)
        if math.isfinite(v)
    ]


EXAMPLE_HEADER = [
    "example",
    "source",
    "inputs",
    "computation",
    "published",
    "reference",
    "computed",
    "abs_diff",
    "tolerance",
    "match",
    "note",
]


def example_rows(examples: list[Example]) -> list[list[Any]]:
    return [
        [
            e.name,
            e.source,
            e.inputs,
            e.computation,
            "" if e.published is None else repr(e.published),
            "" if e.reference is None else repr(e.reference),
            repr(e.computed),
            f"{e.abs_diff:.3g}",
            f"{e.tolerance:.3g}",
            e.match,
            e.note,
        ]
        for e in examples
    ]


def _cell(text: Any) -> str:
    """Text for a Markdown table cell (a literal ``|`` would end the cell)."""
    return str(text).replace("|", "\\|")


def render_report(
    examples: list[Example],
    curves: dict[str, list[Curve]],
    backend: str,
    versions: dict[str, str],
    run_id: str,
) -> str:
    """report.md: figures, the worked-examples table and what differs from the tutorials."""
    matched = sum(e.match for e in examples)
    lines = [
        "# Loss gallery",
        "",
        f"Run `{run_id}`, Keras {versions.get('keras', '?')} on the **{backend}** backend. Every "
        "value is computed by the loss registry (`recipes.losses.get_loss`) in float32, the "
        "loss a training recipe would compile with.",
        "",
        "## Regression losses (target 0)",
        "",
        f"![regression losses]({REGRESSION_FIGURE})",
        "",
        "## Classification losses (target 1)",
        "",
        f"![classification losses]({CLASSIFICATION_FIGURE})",
        "",
        "| figure | curve | registry loss | formula | note |",
        "|---|---|---|---|---|",
    ]
    for figure, figure_curves in curves.items():
        for curve in figure_curves:
            params = f" ({_format_params(curve.params)})" if curve.params else ""
            lines.append(
                f"| {figure} | {_cell(curve.label)} | `{curve.loss}`{params} | "
                f"`{_cell(curve.formula)}` | {_cell(curve.note)} |"
            )
    lines += [
        "",
        f"Curve values: `{CURVES_FILE}` (loss, prediction, target, value); points where a loss "
        "is not defined are left out.",
        "",
        f"## Worked examples: {matched} of {len(examples)} match",
        "",
        "A value matches when |computed - published| is at most half a unit in the published "
        f"last digit plus {FLOAT32_SLACK:g} (float32 rounding).",
        "",
        "| example | source | inputs | computation | published | computed | abs diff | match |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for e in examples:
        published = (
            f"{e.published:.{e.decimals}f}"
            if e.published is not None
            else f"— (reference {e.reference:.8f})"
        )
        lines.append(
            f"| {e.name} | {_cell(e.source)} | {_cell(e.inputs)} | `{_cell(e.computation)}` | "
            f"{published} | {e.computed:.8f} | "
            f"{e.abs_diff:.2g} | {'yes' if e.match else '**no**'} |"
        )
    lines += ["", "## Notes", ""]
    lines += [f"- **{e.name}**: {e.note}." for e in examples if e.note]
    lines += [
        "- In the classification figure the prediction p is the model's raw output: a score "
        "for the hinge losses, a logit for the sigmoid and focal losses, a probability only "
        "for the plain cross-entropy.",
        "- Pseudo-Huber is not a Keras loss: it is registered as `pseudo_huber` "
        "(`recipes.custom_objects.PseudoHuber`), so it can also be trained with.",
        f"- Weighted sigmoid cross-entropy (positive weight {POSITIVE_WEIGHT:g}) is "
        "`binary_crossentropy(from_logits=True)` with sample weight "
        f"{POSITIVE_WEIGHT:g} on positive samples, the same as TF1's "
        "`weighted_cross_entropy_with_logits` for 0/1 labels.",
        "- 002's cross-entropy on probabilities evaluates `log(p)` on predictions from -3 to 5; "
        "it is drawn only where 0 < p < 1. Keras clips a probability to [1e-7, 1 - 1e-7], so "
        "outside that interval it would return finite, meaningless values.",
    ]
    if not registered("focal"):
        lines.append("- `focal` is not registered yet: its curve and examples are left out.")
    if not registered("symmetric_crossentropy"):
        lines.append("- `symmetric_crossentropy` is not registered yet: its examples are left out.")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------ runner


def draw_gallery(
    recipe: ResolvedRecipe, folder: Path, record: RunRecord, durations: dict[str, float]
) -> dict[str, Any]:
    config = recipe.config
    clock = time.perf_counter()
    keras = _keras()
    from recipes import plots

    durations["import"] = time.perf_counter() - clock
    backend = keras.backend.backend()

    clock = time.perf_counter()
    regression = regression_curves()
    classification = classification_curves()
    write_csv(
        folder / CURVES_FILE,
        ["loss", "prediction", "target", "value"],
        curve_rows(regression + classification),
    )
    durations["curves"] = time.perf_counter() - clock

    clock = time.perf_counter()
    examples = worked_examples()
    write_csv(folder / EXAMPLES_FILE, EXAMPLE_HEADER, example_rows(examples))
    durations["examples"] = time.perf_counter() - clock

    clock = time.perf_counter()
    ax = regression_figure(regression, backend, dpi=config.plots.dpi)
    plots.save_figure(ax, folder / REGRESSION_FIGURE, dpi=config.plots.dpi)
    ax = classification_figure(classification, backend, dpi=config.plots.dpi)
    plots.save_figure(ax, folder / CLASSIFICATION_FIGURE, dpi=config.plots.dpi)
    durations["plots"] = time.perf_counter() - clock

    report = render_report(
        examples,
        {"regression": regression, "classification": classification},
        backend,
        record.data.get("versions", {}),
        folder.name,
    )
    atomic_write_text(folder / REPORT_FILE, report)
    summary = {
        "examples_matched": sum(e.match for e in examples),
        "examples_total": len(examples),
        "mismatched": [e.name for e in examples if not e.match],
        "curves": [curve.name for curve in regression + classification],
    }
    return {"gallery": summary, "outputs": sorted(p.name for p in folder.iterdir())}
