"""Vendor scoring: seed 003's multi-criteria evaluation.

Five criteria, each 0–1 (technical capability, service capability and track
record, price, team stability, data security) weighted by user-settable
weights (defaults 20/25/20/15/20), then adjusted for location (onshore,
nearshore, offshore multipliers) and country risk. In-house and captive
options are scored by the same function, which makes make-or-buy one
comparison across all columns.
"""

from __future__ import annotations

import numpy as np

from .rng import gumbel


def weights(params) -> np.ndarray:
    w = np.array([params.technical, params.service, params.price, params.team_stability, params.data_security])
    return w / w.sum()


def price_score(total_cost, feasible, sensitivity):
    """1 for the cheapest feasible option of a tender, falling with the relative premium."""
    # the row minima as a column-wise reduction of the transposed copy: ``min(axis=1)`` over rows of
    # ~11 options runs its inner loop once per row (several times slower); a minimum is exact in any order
    masked = np.where(feasible, total_cost, np.inf)
    cheapest = masked.T.copy().min(axis=0)[:, None]
    cheapest = np.where(np.isfinite(cheapest), cheapest, 1.0)
    return np.exp(-sensitivity * (total_cost / cheapest - 1.0))


def technical_score(capability, gap, required):
    return 0.5 * capability + 0.5 * np.clip(1.0 - gap / np.maximum(required, 1e-9), 0.0, 1.0)


def service_score(reputation, distance):
    return reputation * (1.0 - 0.5 * distance)


def security_score(security, data_regime, sensitivity):
    """Matters in proportion to the data's sensitivity."""
    protection = security * (0.5 + 0.5 * data_regime)
    return 1.0 - sensitivity * (1.0 - protection)


def score(criteria: dict, location, risk, params, rng, feasible):
    """Weighted score per option; infeasible options get −inf."""
    w = weights(params)
    base = (
        w[0] * criteria["technical"] + w[1] * criteria["service"] + w[2] * criteria["price"]
        + w[3] * criteria["team_stability"] + w[4] * criteria["data_security"]
    )
    # ``take`` with clipped indices: ``a[np.minimum(location, 3)]`` for location ≥ 0, in one cheaper call
    loc_mult = np.array([params.onshore, params.nearshore, params.offshore, 1.0]).take(location, mode="clip")
    total = base * loc_mult * (1.0 - params.country_risk * risk)
    total = total + gumbel(rng, total.shape, params.choice_noise)
    return np.where(feasible, total, -np.inf)
