"""Relocation: primes move delivery capacity to where cost-adjusted attractiveness is best.

Once a year (a random month per firm) a prime compares the after-tax,
risk-adjusted unit cost of each of its centres with the best region that
still has people to hire. If another region is cheaper by more than the
threshold, it moves a share of that centre's capacity there (opening a centre
or growing the one it has), paying a set-up cost. Capacity already staffed on
contracts stays until they end.
"""

from __future__ import annotations

import numpy as np

from . import cost, tax
from .world import PRIME


def unit_cost_by_region(model) -> np.ndarray:
    """After-tax, risk-adjusted USD per FTE-month of mid-band work, per region."""
    s, r = model.scenario, model.regions
    base = cost.unit_cost(r.wage[:, 1], s.cost.overhead, (0.7 + 0.3 * r.infrastructure))
    gross = 1.0 + s.cost.initial_markup / (1.0 - tax.effective_rate(r))
    return base * gross * (1.0 + 0.5 * r.risk)


def relocate(model) -> np.ndarray:
    """Returns the ids of centres that received capacity this month."""
    s, f, c, r = model.scenario, model.firms, model.centres, model.regions
    e, rng = s.evolution, model.streams.evolution
    primes = np.flatnonzero((f.kind == PRIME) & f.alive)
    reviewing = primes[rng.random(primes.size) < 1.0 / 12.0]
    if reviewing.size == 0:
        return np.zeros(0, dtype=np.int64)
    unit = unit_cost_by_region(model)
    open_ = r.employed < r.talent_pool
    if not open_.any():
        return np.zeros(0, dtype=np.int64)
    best = int(np.argmin(np.where(open_, unit, np.inf)))
    centres = np.flatnonzero(np.isin(c.firm, reviewing) & c.alive & ~c.own & (c.region != best))
    dear = centres[unit[c.region[centres]] > unit[best] * (1.0 + e.relocation_threshold)]
    # one move per firm: its dearest centre
    order = np.lexsort((-unit[c.region[dear]], c.firm[dear]))
    dear = dear[order]
    dear = dear[np.r_[True, c.firm[dear][1:] != c.firm[dear][:-1]]] if dear.size else dear
    movable = np.maximum(c.capacity[dear] - c.used[dear], 0.0)
    moved = np.minimum(c.capacity[dear] * e.relocation_share, movable)
    dear, moved = dear[moved > 1.0], moved[moved > 1.0]
    if dear.size == 0:
        return dear
    firms = c.firm[dear]
    setup = moved * r.wage[best, 1] * e.relocation_setup_months
    affordable = f.cash[firms] > setup
    dear, moved, firms, setup = dear[affordable], moved[affordable], firms[affordable], setup[affordable]
    c.capacity[dear] -= moved
    f.cash[firms] -= setup
    # grow an existing centre in the target region, or open one
    existing = {int(fi): int(ci) for ci, fi in zip(np.flatnonzero(c.alive & ~c.own & (c.region == best)), c.firm[c.alive & ~c.own & (c.region == best)])}
    targets = np.array([existing.get(int(fi), -1) for fi in firms], dtype=np.int64)
    new = targets < 0
    if new.any():
        rows = c.append(int(new.sum()), firm=firms[new], region=best, capacity=0.0, alive=True, own=False,
                        opened=model.month, experience=c.experience[dear[new]] * 0.5)
        targets[new] = rows
    np.add.at(c.capacity, targets, moved)
    model.setup_costs = float(setup.sum())
    return targets
