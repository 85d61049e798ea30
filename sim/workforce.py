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
    """One month of attrition and ramp-up. ``staffed`` is FTE per centre and family this month."""
    e, c, r, f = model.scenario.evolution, model.centres, model.regions, model.firms
    provider = c.alive & ~c.own & np.isfinite(c.capacity)
    total = row_sum(staffed)
    mix = np.where(wide(total > 0), staffed / wide(np.maximum(total, 1e-12)), 1.0 / NF)
    tightness = r.employed / np.maximum(r.talent_pool, 1e-9)
    pressure = e.attrition_tightness * np.maximum(tightness - e.tightness_threshold, 0.0)
    annual = mix @ family_attrition(e) + pressure[c.region]
    c.attrition = np.where(provider, annual, 0.0)
    monthly = np.clip(c.attrition / 12.0, 0.0, 1.0)
    leavers = np.where(provider, np.where(provider, c.capacity, 0.0) * monthly, 0.0)
    # leavers take know-how with them; their replacements start the ramp
    c.experience *= wide(1.0 - 0.5 * monthly)
    c.new_staff = np.where(provider, c.new_staff * (1.0 - 1.0 / e.ramp_months) + leavers, 0.0)
    settle(model)
    # a firm's team stability: one minus its staff-weighted annual attrition
    weight = np.where(provider, c.capacity, 0.0)
    firm_cap = np.bincount(c.firm, weight, f.n)
    firm_attr = np.bincount(c.firm, weight * c.attrition, f.n) / np.maximum(firm_cap, 1e-12)
    f.team_stability = np.where((f.kind != CLIENT) & (firm_cap > 0), np.clip(1.0 - firm_attr, 0.0, 1.0), f.team_stability)


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
