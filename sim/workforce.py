"""Workforce: attrition and the experience curve of new staff.

Staff leave every year — about 17-28% in Indian IT and 25-55% in BPO by
public figures, more where the labour market is tight. Leavers take know-how
with them (experience erodes) and are replaced by new hires; new staff start
at about half productivity and reach parity over ``ramp_months`` (8-12 in
practice). A centre's ramp-up loss and its attrition feed its productivity,
delivered quality and its firm's team stability (a seed 003 criterion).
"""

from __future__ import annotations

import numpy as np

from .tables import row_sum
from .world import CLIENT, NF, wide


def family_attrition(params) -> np.ndarray:
    """Annual attrition by family (ITO, BPO, KPO)."""
    return np.array([params.attrition_ito, params.attrition_bpo, params.attrition_kpo])


def update(model, staffed: np.ndarray) -> None:
    """One month of attrition and ramp-up. ``staffed`` is FTE per centre and family this month.

    Only providers' centres (about one centre in ten) have attrition and new staff: the others'
    are zero, their experience is multiplied by one, and they add zeros to their firms' sums.
    So everything is computed on the providers' rows alone (the same values, in the same order
    of summation), and the other rows are written only where they must be zero."""
    e, c, r, f = model.scenario.evolution, model.centres, model.regions, model.firms
    p = np.flatnonzero(c.alive & ~c.own & np.isfinite(c.capacity))
    staffed_p = staffed.take(p, axis=0)
    total = row_sum(staffed_p)
    mix = np.where(wide(total > 0), staffed_p / wide(np.maximum(total, 1e-12)), 1.0 / NF)
    tightness = r.employed / np.maximum(r.talent_pool, 1e-9)
    pressure = e.attrition_tightness * np.maximum(tightness - e.tightness_threshold, 0.0)
    if p.size > 1:
        weighted = mix @ family_attrition(e)
    else:   # numpy multiplies a single row another way (not bit for bit the same): pad it to two
        weighted = (np.concatenate([mix, mix]) @ family_attrition(e))[: p.size]
    annual = weighted + pressure.take(c.region.take(p))
    c.attrition.fill(0.0)
    c.attrition[p] = annual
    monthly = np.clip(annual / 12.0, 0.0, 1.0)
    capacity = c.capacity.take(p)
    leavers = capacity * monthly
    # leavers take know-how with them; their replacements start the ramp
    c.experience[p] = c.experience.take(p, axis=0) * wide(1.0 - 0.5 * monthly)
    new_staff = c.new_staff.take(p) * (1.0 - 1.0 / e.ramp_months) + leavers
    c.new_staff.fill(0.0)
    c.new_staff[p] = new_staff
    settle(model)
    # a firm's team stability: one minus its staff-weighted annual attrition
    firm = c.firm.take(p)
    firm_cap = np.bincount(firm, capacity, f.n)
    firm_attr = np.bincount(firm, capacity * annual, f.n)
    q = np.flatnonzero((firm_cap > 0) & (f.kind != CLIENT))
    f.team_stability[q] = np.clip(1.0 - firm_attr.take(q) / np.maximum(firm_cap.take(q), 1e-12), 0.0, 1.0)


def hired(model, centres, fte) -> None:
    """New hires join the ramp (hiring toward utilisation, or staffing a won contract)."""
    np.add.at(model.centres.new_staff, centres, fte)
    settle(model, centres)


def settle(model, changed=None) -> None:
    """New staff within each centre's capacity, and the output they cost while they ramp up.

    A centre's result depends only on its capacity and new staff (and the new-staff productivity),
    and settling twice changes nothing: so besides ``changed`` (the centres whose new staff moved)
    only the centres whose capacity moved since the last settle are recomputed, a few hundred of
    ~13k most of the time (``changed=None``: all of them)."""
    e, c = model.scenario.evolution, model.centres
    capacity = c.capacity
    # capacity and productivity at the last settle (None before the first, and in older pickles)
    last, productivity = getattr(model, "last_settle", None) or (None, None)
    if (changed is None or last is None or last.size > capacity.size
            or productivity != e.new_staff_productivity):
        new_staff, ramp_loss = _ramp(e, c.new_staff, capacity)
        c.new_staff = new_staff
        c.ramp_loss = ramp_loss
    else:
        n0 = last.size
        rows = np.concatenate([np.flatnonzero(capacity[:n0] != last), np.arange(n0, capacity.size),
                               np.asarray(changed, dtype=np.int64)])
        new_staff, ramp_loss = _ramp(e, c.new_staff.take(rows), capacity.take(rows))
        c.new_staff[rows] = new_staff
        c.ramp_loss[rows] = ramp_loss
    model.last_settle = (capacity.copy(), e.new_staff_productivity)


def _ramp(e, new_staff, capacity):
    finite = np.isfinite(capacity)
    new_staff = np.minimum(np.maximum(new_staff, 0.0), np.where(finite, capacity, 0.0))
    share = np.where(capacity > 0, new_staff / np.maximum(np.where(finite, capacity, 1.0), 1e-12), 0.0)
    return new_staff, (1.0 - e.new_staff_productivity) * np.clip(share, 0.0, 1.0)
