"""Functional upgrading (Humphrey & Schmitz): a subcontractor becomes a prime.

A tier-2 firm with a strong track record, enough capability and cash starts
to bid to clients directly. Its row keeps its history; its kind and its Mesa
agent class change. (Process and product upgrading come with the evolution
issue.)
"""

from __future__ import annotations

import numpy as np

from .world import PRIME, SUB


def functional_upgrades(model) -> np.ndarray:
    e, f, c, r = model.scenario.evolution, model.firms, model.centres, model.regions
    subs = np.flatnonzero((f.kind == SUB) & f.alive)
    if subs.size == 0:
        return subs
    capacity = np.bincount(c.firm[~c.own], c.capacity[~c.own], f.n)[subs]
    wage_bill = capacity * r.wage[f.home[subs], 1]
    ready = (
        (f.reputation[subs] >= e.upgrade_reputation)
        & (f.capability[subs].mean(axis=1) >= e.upgrade_capability)
        & (f.cash[subs] >= e.upgrade_cash_months * wage_bill)
        & (f.profit[subs] > 0)
    )
    upgraded = subs[ready]
    if upgraded.size:
        f.kind[upgraded] = PRIME
        model.replace_agents(upgraded)
    return upgraded
