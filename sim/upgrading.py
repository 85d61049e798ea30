"""Upgrading (Humphrey & Schmitz), each kind recorded as an event.

- process: a firm's staff become productive enough (experience crosses a level);
- product: a provider moves up to higher-skill work (its knowledge-work capability
  crosses a level) — capability grows with the work a firm staffs (learning by doing);
- functional: a subcontractor with a strong track record, capability and cash
  starts to bid to clients directly (it becomes a prime: same row, new Mesa agent
  class); and a provider whose work was mostly business processes moves into
  knowledge work;
- inter-chain: a provider starts serving a family of work it never served.
"""

from __future__ import annotations

import numpy as np

from .tables import row_mean, row_sum
from .world import CLIENT, NF, PRIME, SUB, wide

PROCESS, PRODUCT, BPO_TO_KPO = 1, 2, 4
ITO, BPO, KPO = 0, 1, 2


def functional_upgrades(model) -> np.ndarray:
    e, f, c, r = model.scenario.evolution, model.firms, model.centres, model.regions
    subs = np.flatnonzero((f.kind == SUB) & f.alive)
    if subs.size == 0:
        return subs
    # the tests on the firm's own columns first: only the few that pass them need their staff summed
    subs = subs[
        (f.reputation[subs] >= e.upgrade_reputation)
        & (row_mean(f.capability[subs]) >= e.upgrade_capability)
        & (f.profit[subs] > 0)
    ]
    mine = np.zeros(f.n, dtype=bool)
    mine[subs] = True
    centres = np.flatnonzero(mine.take(c.firm) & ~c.own)
    capacity = np.bincount(c.firm.take(centres), c.capacity.take(centres), f.n)[subs]
    wage_bill = capacity * r.wage[f.home[subs], 1]
    upgraded = subs[f.cash[subs] >= e.upgrade_cash_months * wage_bill]
    if upgraded.size:
        f.kind[upgraded] = PRIME
        model.replace_agents(upgraded)
    return upgraded


def learn_and_record(model, staffed: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Firm-level learning by doing, then the upgrades it produced: [(detail, firms), ...]."""
    e, f, c = model.scenario.evolution, model.firms, model.centres
    providers = (f.kind != CLIENT) & f.alive
    by_firm = np.stack([np.bincount(c.firm, staffed[:, j], f.n) for j in range(NF)], axis=1)  # F×3 FTE
    total = row_sum(by_firm)
    # only providers learn (about one firm in four): the family shares and learning on their rows alone
    p = np.flatnonzero(providers)
    p_total = total.take(p)
    share = np.where(wide(p_total > 0), by_firm.take(p, axis=0) / wide(np.maximum(p_total, 1e-12)), 0.0)
    capability = f.capability.take(p, axis=0)
    f.capability[p] = capability + e.capability_rate * share * (1.0 - capability)
    events = []

    # the upgrades are tested on providers' rows only (``p``), the firms that can make them
    # process: experience in the work the firm actually does (staff-weighted by family) crosses the
    # level; summed over the provider firms' centres alone (each firm's sum runs over the same centres
    # in the same order as over all of them)
    pc = np.flatnonzero(providers.take(c.firm))
    exp = (np.bincount(c.firm.take(pc), row_sum(staffed.take(pc, axis=0) * c.experience.take(pc, axis=0)), f.n).take(p)
           / np.maximum(p_total, 1e-12))
    events.append(("process", _first(f, p.take(np.flatnonzero(exp >= e.process_upgrade_level)), PROCESS)))
    # product: knowledge-work capability crosses the level
    kpo = f.capability[:, KPO].take(p)
    events.append(("product", _first(f, p.take(np.flatnonzero(kpo >= e.product_upgrade_level)), PRODUCT)))
    # functional, BPO to KPO: a history of mostly business-process work, a real share of knowledge work now
    first_served = f.first_served.take(p)
    seasoned = (first_served > 0) & (model.month - first_served >= 12)  # a year of history to change from
    work_done = f.work_done.take(p, axis=0)
    history = row_sum(work_done)
    was_bpo = seasoned & (work_done[:, BPO] >= 0.75 * np.maximum(history, 1e-12))
    knowledge = share[:, KPO] >= 0.25
    events.append(("functional (BPO to KPO)", _first(f, p.take(np.flatnonzero(was_bpo & knowledge)), BPO_TO_KPO)))
    # inter-chain: after a year of serving, a family of work the firm never served
    # bit j set where family j was served (ITO, BPO, KPO): or-ed from the 0/1 bytes of the test, which
    # is twice as fast as numpy's integer matmul ``(by_firm > 0) @ (1 << np.arange(NF))`` (no BLAS)
    b = (by_firm > 0).view(np.int8)
    serving = b[:, ITO] | (b[:, BPO] << 1) | (b[:, KPO] << 2)
    new_family = p.take(np.flatnonzero(seasoned & ((serving.take(p) & ~f.served.take(p)) > 0)))
    f.served = f.served | serving
    f.first_served = np.where((f.first_served == 0) & (total > 0), model.month, f.first_served)
    f.work_done += by_firm
    events.append(("inter-chain", new_family))
    return events


def _first(f, firms, bit):
    """Of ``firms`` (sorted rows), those reaching an upgrade for the first time (each kind counts
    once per firm)."""
    new = firms.take(np.flatnonzero((f.upgraded.take(firms) & bit) == 0))
    f.upgraded[new] |= bit
    return new


def mark_starting_levels(model, firms) -> None:
    """Firms that start above an upgrade level have not upgraded: mark them so they never count."""
    e, f = model.scenario.evolution, model.firms
    firms = np.asarray(firms, dtype=np.int64)
    f.upgraded[firms] |= np.where(f.capability[firms, KPO] >= e.product_upgrade_level, PRODUCT, 0)
