"""Contracts and links: the chain's edges, signed from tender awards.

A link records buyer, supplier, delivering centre, tier, parent link,
governance mode, monthly price and FTE, term, SLA and its performance. A
client's in-house team and captive centre are links too (mode hierarchy), so
that every piece of work is delivered, paid and counted the same way.
"""

from __future__ import annotations

import numpy as np

from . import workforce
from .world import ACTIVE, SUB


def sign(model, pk, bids, choice) -> np.ndarray:
    """Create links for awarded packages; returns the new link rows."""
    won = np.flatnonzero(choice >= 0)
    if won.size == 0:
        return np.zeros(0, dtype=np.int64)
    chosen = won * bids.firm.shape[1] + choice[won]  # each winner's (package, option) cell, flat
    g = lambda name: np.asarray(pk[name])[won]
    b = lambda m: m.reshape(-1)[chosen]  # every bid matrix is P×J C-contiguous (market.Bids)
    term = g("term").astype(np.int64)
    own = b(bids.own)
    L, c = model.links, model.centres
    parent = g("parent").astype(np.int64)
    rows = L.append(
        won.size,
        buyer=g("buyer"), supplier=b(bids.firm), centre=b(bids.centre), client=g("client"), home=g("home"),
        tier=g("tier"), parent=parent, work_type=g("work_type"), family=g("family"), mode=b(bids.mode),
        location=b(bids.location), effort=g("effort"), fte=g("fte"), self_fte=g("fte"),
        price_month=b(bids.price) / term, coord_month=b(bids.coord) / term,
        transition=b(bids.transition), levy_month=b(bids.levy) / term,
        complexity=g("complexity"), codifiability=g("codifiability"), sensitivity=g("sensitivity"),
        skill_required=g("skill_required"), tz_sens=g("tz_sens"), lang_sens=g("lang_sens"),
        sla=model.scenario.delivery.sla_target, start=model.month, term=term, status=ACTIVE,
        retendered=g("retendered"), was_outsourced=g("was_outsourced"), depth=1, fail_propensity=b(bids.fail),
        previous_supplier=g("previous"),
    )
    L.root[rows] = np.where(parent >= 0, L.root[np.maximum(parent, 0)], rows)
    L.pair[rows] = model.trust.ids(L.buyer[rows], L.supplier[rows])
    L.automation[rows] = model.automation_factor[L.work_type[rows]]  # effort already cut by this much
    fix_terms(model, rows)
    L.own[rows] = own
    if bids.inhouse_cost is not None:
        # what the same work would cost the client in-house at home: its budget, and the savings baseline
        L.inhouse_month[rows] = np.where(parent >= 0, 0.0, bids.inhouse_cost[won] / term)
    # capacity is reserved where the work is delivered; unbounded in-house teams have no limit
    np.add.at(c.used, L.centre[rows], L.fte[rows])
    # providers hire for work they won beyond their staff (bids may stretch capacity)
    won_at = np.unique(L.centre[rows])
    won_at = won_at[np.isfinite(c.capacity[won_at])]  # a client's home team has no staffing limit
    before = c.capacity[won_at].copy()
    c.capacity[won_at] = np.maximum(before, c.used[won_at])
    grew = c.capacity[won_at] > before
    workforce.hired(model, won_at[grew], (c.capacity[won_at] - before)[grew])
    # modules reduce what the parent's supplier delivers itself
    sub = parent >= 0
    if sub.any():
        np.add.at(L.self_fte, parent[sub], -L.fte[rows[sub]])
        np.add.at(c.used, L.centre[parent[sub]], -L.fte[rows[sub]])
        _update_depth(model, rows[sub])
    return rows


def fix_terms(model, rows) -> None:
    """What a link's delivery depends on that is settled when it is signed: where the work is done,
    its skill band, the cost structure of the supplier, and the quality drag of distance, depth and
    the chosen governance mode. Delivery then only adds this month's skill gap, wages and noise."""
    s, L, f, c, geo = model.scenario, model.links, model.firms, model.centres, model.geography
    d = s.delivery
    supplier = L.supplier[rows]
    L.region[rows] = c.region[L.centre[rows]]
    L.band[rows] = model.catalogue.skill_band[L.work_type[rows]]
    own = L.own[rows]
    is_sub = f.kind[supplier] == SUB
    L.overhead_rate[rows] = np.where(own, s.cost.inhouse_overhead, np.where(is_sub, s.cost.subcontractor_overhead, s.cost.overhead))
    L.wage_factor[rows] = np.where(is_sub & ~own, 1.0 - s.cost.subcontractor_wage_discount, 1.0)
    home_team = own & ~np.isfinite(c.capacity[L.centre[rows]])
    L.prod_factor[rows] = np.where(home_team, s.cost.inhouse_productivity, 1.0)
    dist = geo.communication_distance(L.home[rows], L.region[rows], L.tz_sens[rows], L.lang_sens[rows],
                                      s.cost.timezone_weight, s.cost.language_weight)
    L.quality_base[rows] = (
        d.base_quality
        - d.governance_quality_penalty * L.fail_propensity[rows]
        - d.communication_quality_penalty * dist
        - d.depth_quality_penalty * (L.tier[rows] - 1)
    )
    L.incident_base[rows] = (
        d.incident_rate * L.sensitivity[rows] * (1 + d.incident_depth_factor * (L.tier[rows] - 1)) * (2 - f.security[supplier])
    )


def _update_depth(model, rows):
    """Each ancestor's depth = deepest tier of its subtree below it."""
    L = model.links
    current = rows
    while current.size:
        parent = L.parent[current]
        has = parent >= 0
        p, d = parent[has], L.depth[current[has]] + 1
        if p.size == 0:
            break
        np.maximum.at(L.depth, p, d.astype(L.depth.dtype))
        current = np.unique(p)


def end_links(model, rows, status) -> None:
    """Close links (completed or failed) and every module below them; free their capacity."""
    L, c = model.links, model.centres
    rows = np.asarray(rows, dtype=np.int64)
    rows = rows[L.status[rows] == ACTIVE]
    if rows.size == 0:
        return
    rows = np.unique(np.concatenate([rows, descendants(model, rows)]))
    rows = rows[L.status[rows] == ACTIVE]
    L.months_done[rows] = model.month - L.start[rows]  # months delivered before this month's close
    remaining = np.maximum(L.effort[rows] - L.delivered[rows], 0.0)
    if status != ACTIVE:
        L.failed[rows] += np.where(status == 2, remaining, 0.0)
    L.status[rows] = status
    np.add.at(c.used, L.centre[rows], -L.self_fte[rows])
    c.used = np.maximum(c.used, 0.0)


def descendants(model, rows) -> np.ndarray:
    L = model.links
    if model.active_links.size == 0:
        return np.zeros(0, dtype=np.int64)
    out = []
    active_children, their_parents = _active_modules(model)
    marked = np.zeros(L.n, dtype=bool)
    frontier = np.asarray(rows, dtype=np.int64)
    while frontier.size and active_children.size:
        marked[frontier] = True
        kids = active_children[marked[their_parents]]
        marked[frontier] = False   # only the frontier was marked: the flags are clear again
        if kids.size == 0:
            break
        out.append(kids)
        frontier = kids
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _active_modules(model) -> tuple[np.ndarray, np.ndarray]:
    """The active links that are modules, and their parents.

    ``descendants`` runs three or four times a month between refreshes of the active
    set, and a link's parent is fixed when it is signed, so the list is kept until
    ``model.active_links`` is replaced (it always is replaced, never changed in place)."""
    act = model.active_links
    kept = getattr(model, "_active_modules", None)   # None too in models pickled before it existed
    if kept is None or kept[0] is not act:
        parent = model.links.parent.take(act)
        at = np.flatnonzero(parent >= 0)
        kept = (act, act.take(at), parent.take(at))
        model._active_modules = kept
    return kept[1], kept[2]


def take_back(model, rows) -> None:
    """A buyer takes failed modules back into its own delivery (parent's self FTE grows)."""
    L, c = model.links, model.centres
    rows = np.asarray(rows, dtype=np.int64)
    parent = L.parent[rows]
    ok = (parent >= 0) & (L.status[np.maximum(parent, 0)] == ACTIVE)
    remaining_fte = L.fte[rows]
    np.add.at(L.self_fte, parent[ok], remaining_fte[ok])
    centres = L.centre[parent[ok]]
    np.add.at(c.used, centres, remaining_fte[ok])
    # the buyer staffs the returned work at once (emergency hiring)
    c.capacity[centres] = np.maximum(c.capacity[centres], c.used[centres])
