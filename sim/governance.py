"""Governance: each link's mode is chosen by comparing expected total cost.

Modes follow Gereffi, Humphrey and Sturgeon (2005): market, modular,
relational, captive, and hierarchy (a client's own team or captive centre, a
prime's own delivery). Nothing maps work types to modes. For every bid the
buyer computes, per mode,

    price × (1 + monitoring + failure_loss × failure propensity + lock-in)
    + coordination × the mode's coordination factor

from the work's complexity and codifiability (its tacit content), the
supplier's capability and the pair's trust, adds Gumbel noise (bounded
rationality) and takes the cheapest. The same function serves a client
choosing how to govern a prime and a prime governing its subcontractors
(prime-led network governance).
"""

from __future__ import annotations

import numpy as np

from .rng import gumbel

MARKET, MODULAR, RELATIONAL, CAPTIVE, HIERARCHY = range(5)
OUTSOURCED_MODES = (MARKET, MODULAR, RELATIONAL, CAPTIVE)


def tacit(complexity, codifiability):
    """Information that must pass between the parties but cannot be written down."""
    return complexity * (1.0 - codifiability)


def failure_propensity(mode, complexity, codifiability, capability, trust):
    """0–1 tendency of a mode to fail on this work with this supplier.

    Markets cannot carry tacit information; modular links need capable
    turnkey suppliers; relational links carry tacit knowledge once trust has
    built; captive links let a buyer steer a weak supplier on codified work
    but not on tacit work; hierarchy absorbs tacit work best.
    """
    return _propensity(mode, tacit(complexity, codifiability), 1.0 - capability, trust)


def _propensity(mode, t, weak, trust, out=None):
    """``failure_propensity`` from the tacit content ``t`` and the supplier's weakness
    (1 − capability), which ``choose_mode`` computes once for all modes."""
    if mode == MARKET:
        p = t * 1.0 + weak * 0.3
    elif mode == MODULAR:
        p = t * 0.6 + weak * 0.6
    elif mode == RELATIONAL:
        p = t * 0.9 * (1.0 - trust) + weak * 0.3
    elif mode == CAPTIVE:
        p = t * 0.8 + weak * 0.1
    else:
        p = t * 0.2 + weak * 0.2
    return np.clip(p, 0.0, 1.0, out=out)


def coordination_factor(mode, trust, complexity=1.0):
    """Trust saves coordination where there is most to coordinate: on complex work."""
    if mode == RELATIONAL:
        return 1.0 - 0.6 * trust * (0.3 + 0.7 * complexity)
    return {MARKET: 1.0, MODULAR: 0.7, CAPTIVE: 1.3, HIERARCHY: 0.8}[mode]


def monitoring_share(mode, trust, params):
    if mode == RELATIONAL:
        # relationships need upkeep (joint teams, visits) that trust halves but never removes
        return params.monitoring_relational * (1.0 - 0.5 * trust) + params.relational_setup * (1.0 - trust)
    return {
        MARKET: params.monitoring_market,
        MODULAR: params.monitoring_modular,
        CAPTIVE: params.monitoring_captive,
        HIERARCHY: params.monitoring_hierarchy,
    }[mode]


SPECIFICITY = {MARKET: 0.0, MODULAR: 0.3, RELATIONAL: 1.0, CAPTIVE: 0.7, HIERARCHY: 0.0}


def lockin_share(mode, complexity, codifiability, params):
    return params.lockin_rate * SPECIFICITY[mode] * tacit(complexity, codifiability)


def _expected(mode, price, coordination, complexity, t, weak, trust, params, out=None, fail_out=None):
    """Expected total cost and failure propensity of ``mode``, from the tacit content and the
    supplier's weakness (computed once per bid, not once per mode); written into ``out`` and
    ``fail_out`` when given, in the same order of operations as ever (the same numbers)."""
    fail = _propensity(mode, t, weak, trust, out=fail_out)
    # price × (1 + monitoring + failure_loss × fail + lock-in) + coordination × factor, with the
    # share summed in place (a + b = b + a exactly). A mode without specificity adds a lock-in of
    # exactly zero and a coordination factor of 1.0 multiplies by one: neither changes a bit of
    # the cost, so both are skipped.
    share = np.multiply(params.failure_loss, fail)
    share += monitoring_share(mode, trust, params)
    if SPECIFICITY[mode]:
        share += params.lockin_rate * SPECIFICITY[mode] * t
    share += 1.0   # fail's shape holds those of t and trust, so these stay in place
    factor = coordination_factor(mode, trust, complexity)
    coord = coordination if _is_one(factor) else coordination * factor
    if out is None:
        return np.multiply(price, share) + coord, fail
    # the product written straight into ``out`` and the coordination added there: the same two roundings
    np.multiply(price, share, out=out)
    return np.add(out, coord, out=out), fail


def _is_one(factor) -> bool:
    return isinstance(factor, float) and factor == 1.0


def expected_cost(mode, price, coordination, complexity, codifiability, capability, trust, params):
    """Expected total USD of governing this bid in ``mode``."""
    t = tacit(complexity, codifiability)
    return _expected(mode, price, coordination, complexity, t, 1.0 - capability, trust, params)[0]


def cost_and_failure(mode, price, coordination, complexity, codifiability, capability, trust, params):
    """``expected_cost`` and ``failure_propensity`` of one mode together: the propensity is
    part of the expected cost, so it is computed once (the same numbers as the two calls)."""
    t = tacit(complexity, codifiability)
    return _expected(mode, price, coordination, complexity, t, 1.0 - capability, trust, params)


def choose_mode(price, coordination, complexity, codifiability, capability, trust, params, rng, modes=OUTSOURCED_MODES):
    """Cheapest mode per bid (with Gumbel noise): returns (mode, expected total cost, failure propensity).

    Each mode's costs are written straight into one preallocated block and the
    winners are read back with a single flat ``take``: ``np.stack`` of
    broadcast copies and ``take_along_axis`` (three-array fancy indexing) cost
    several times more for the same numbers."""
    shape = np.broadcast(price, coordination, complexity, codifiability, capability, trust).shape
    t, weak = tacit(complexity, codifiability), 1.0 - capability
    costs = np.empty((len(modes), *shape))
    fails = np.empty((len(modes), *shape))
    for i, m in enumerate(modes):
        _expected(m, price, coordination, complexity, t, weak, trust, params, out=costs[i], fail_out=fails[i])
    noisy = gumbel(rng, costs.shape, params.noise) * price   # float32 noise times the price: float64, as before
    np.subtract(costs, noisy, out=noisy)
    pick = _first_min(noisy)
    # modes 0, 1, 2, … in order (the outsourced modes) are their own positions: a cast, not a gather
    chosen = pick.astype(np.int8) if tuple(modes) == tuple(range(len(modes))) else np.asarray(modes, dtype=np.int8).take(pick)
    cell = pick.reshape(-1) * pick.size + np.arange(pick.size)
    return chosen, costs.reshape(-1).take(cell).reshape(shape), fails.reshape(-1).take(cell).reshape(shape)


def _first_min(values):
    """``np.argmin(values, axis=0)`` for finite values, by comparing whole rows.

    ``argmin`` along the first axis of a few modes runs its inner loop once per bid
    (four elements each) and costs two to three times these few passes. Strict ``<``
    keeps the first of equal minima, as ``argmin`` does."""
    best, pick = values[0], None
    for i in range(1, values.shape[0]):
        better = values[i] < best
        pick = better.astype(np.int64) if pick is None else np.where(better, i, pick)   # i = 1: 0 or 1
        if i + 1 < values.shape[0]:
            best = np.where(better, values[i], best)
    return np.zeros(values.shape[1:], dtype=np.int64) if pick is None else pick
