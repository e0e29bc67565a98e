"""The best validation AUC any model can reach on the focal tutorial's rings.

How the rings are drawn (``datasets/rings.py``, as the tutorial's text): a point's
radius is ``mean + N(0, 1)`` (mean 5 for positives, 8 for negatives), its angle uniform and
independent. The class changes only the radius's distribution, so a point's density depends on
it only through its distance from the centre, ``|x|`` (the Jacobian 1 / (2 pi |x|) is the same
for both classes): ``|x|`` is a sufficient statistic. The likelihood ratio
phi(r - 5) / phi(r - 8) = exp((39 - 6 r) / 2) falls with r, so the best score is ``-|x|`` and
the best AUC is P(R_pos < R_neg) = P(N(-3, 2) < 0) = Phi(3 / sqrt(2)) = 0.98305 (ignoring the
fold at r < 0, which has probability 3e-7 for a positive). :func:`bayes_limit` computes it
three ways: the closed form, a quadrature over the folded radius |mean + N(0, 1)|, and the AUC
of ``-|x|`` on a large sample drawn by the project's own sampler.
"""

from __future__ import annotations

import math

import numpy as np


def bayes_limit(sample_size: int = 200_000, seed: int = 0) -> dict[str, float]:
    from scipy import integrate, stats
    from sklearn.metrics import roc_auc_score

    from recipes.datasets.rings import RingsParams, sample_ring

    params = RingsParams()
    gap = params.negative_radius - params.positive_radius
    closed = float(stats.norm.cdf(gap / (params.radius_noise * math.sqrt(2))))

    # |mean + N(0, noise)|: scipy's folded normal, shape mean / noise
    folded_positive, folded_negative = (
        stats.foldnorm(mean / params.radius_noise, scale=params.radius_noise)
        for mean in (params.positive_radius, params.negative_radius)
    )
    quadrature, _ = integrate.quad(
        lambda r: folded_positive.pdf(r) * folded_negative.sf(r), 0, 30, limit=200
    )
    generator = np.random.default_rng(seed)
    positive = sample_ring(sample_size, params.positive_radius, params.radius_noise, generator)
    negative = sample_ring(6 * sample_size, params.negative_radius, params.radius_noise, generator)
    radius = np.linalg.norm(np.concatenate([positive, negative]), axis=1)
    labels = np.concatenate([np.ones(sample_size), np.zeros(6 * sample_size)])
    monte_carlo = float(roc_auc_score(labels, -radius))
    return {
        "closed_form": closed,
        "quadrature": float(quadrature),
        "monte_carlo": monte_carlo,
        "monte_carlo_points": 7 * sample_size,
    }


def bayes_rule_on_validation(seeds: range) -> list[float]:
    """The best rule's AUC (score ``-|x|``) on each seed's own validation split of the recipe's
    data: how far a perfect model's validation AUC moves from seed to seed."""
    from sklearn.metrics import roc_auc_score

    from recipes.datasets.rings import RingsParams, make_rings

    splits = [make_rings(RingsParams(), seed) for seed in seeds]
    return [float(roc_auc_score(s.y_val, -np.linalg.norm(s.x_val, axis=1))) for s in splits]
