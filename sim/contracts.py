"""Contracts and links: the chain's edges, signed from tender awards.

A link records buyer, supplier, delivering centre, tier, parent link,
governance mode, monthly price and FTE, term, SLA and its performance. A
client's in-house team and captive centre are links too (mode hierarchy), so
that every piece of work is delivered, paid and counted the same way.
"""

from __future__ import annotations

import numpy as np

from . import workforce
from .world import ACTIVE, FAILED, SUB


def sign(model, pk, bids, choice) -> np.ndarray:
    """Create links for awarded packages; returns the new link rows."""
    won = np.flatnonzero(choice >= 0)
    if won.size == 0:
        return np.zeros(0, dtype=np.int64)
    chosen = won * bids.firm.shape[1] + choice.take(won)  # each winner's (package, option) cell, flat
    g = lambda name: np.asarray(pk[name]).take(won)
    b = lambda m: m.reshape(-1).take(chosen)  # every bid matrix is P×J C-contiguous (market.Bids)
    term = g("term").astype(np.int64)
    own = b(bids.own)
    L, c = model.links, model.centres
    parent = g("parent").astype(np.int64)
    fte = g("fte")
    rows = L.append(
        won.size,
        buyer=g("buyer"), supplier=b(bids.firm), centre=b(bids.centre), client=g("client"), home=g("home"),
        tier=g("tier"), parent=parent, work_type=g("work_type"), family=g("family"), mode=b(bids.mode),
        location=b(bids.location), effort=g("effort"), fte=fte, self_fte=fte,
        price_month=b(bids.price) / term, coord_month=b(bids.coord) / term,
        transition=b(bids.transition), levy_month=b(bids.levy) / term,
        complexity=g("complexity"), codifiability=g("codifiability"), sensitivity=g("sensitivity"),
        skill_required=g("skill_required"), tz_sens=g("tz_sens"), lang_sens=g("lang_sens"),
        sla=model.scenario.delivery.sla_target, start=model.month, term=term, status=ACTIVE,
        retendered=g("retendered"), was_outsourced=g("was_outsourced"), depth=1, fail_propensity=b(bids.fail),
        previous_supplier=g("previous"),
    )
    # the appended rows are one run: slices read and write them without index arrays (the reads are
    # views, so each is used before its column is written again)
    new = slice(int(rows[0]), int(rows[-1]) + 1)
    L.root[new] = np.where(parent >= 0, L.root[np.maximum(parent, 0)], rows)
    L.pair[new] = model.trust.ids(L.buyer[new], L.supplier[new])
    L.automation[new] = model.automation_factor[L.work_type[new]]  # effort already cut by this much
    L.own[new] = own   # before ``fix_terms``: a client's own team is costed with in-house overhead and productivity
    fix_terms(model, new)
    if bids.inhouse_cost is not None:
        # what the same work would cost the client in-house at home: its budget, and the savings baseline
        L.inhouse_month[new] = np.where(parent >= 0, 0.0, bids.inhouse_cost.take(won) / term)
    # capacity is reserved where the work is delivered; unbounded in-house teams have no limit
    centre, fte = L.centre[new], L.fte[new]
    np.add.at(c.used, centre, fte)
    # providers hire for work they won beyond their staff (bids may stretch capacity)
    won_at = sorted_unique(centre)
    won_at = won_at[np.isfinite(c.capacity[won_at])]  # a client's home team has no staffing limit
    before = c.capacity[won_at]
    after = np.maximum(before, c.used[won_at])
    c.capacity[won_at] = after
    grew = np.flatnonzero(after > before)
    workforce.hired(model, won_at.take(grew), (after - before).take(grew))
    # modules reduce what the parent's supplier delivers itself
    sub = np.flatnonzero(parent >= 0)
    if sub.size:
        taken = -fte.take(sub)
        np.add.at(L.self_fte, parent.take(sub), taken)
        np.add.at(c.used, L.centre[parent.take(sub)], taken)
        _update_depth(model, rows.take(sub))
    return rows


def fix_terms(model, rows) -> None:
    """What a link's delivery depends on that is settled when it is signed: where the work is done,
    its skill band, the cost structure of the supplier, and the quality drag of distance, depth and
    the chosen governance mode. Delivery then only adds this month's skill gap, wages and noise.
    ``rows``: link rows, or a slice of them."""
    s, L, f, c, geo = model.scenario, model.links, model.firms, model.centres, model.geography
    d = s.delivery
    supplier, centre = L.supplier[rows], L.centre[rows]
    region = c.region[centre]
    L.region[rows] = region
    L.band[rows] = model.catalogue.skill_band[L.work_type[rows]]
    own = L.own[rows]
    is_sub = f.kind[supplier] == SUB
    L.overhead_rate[rows] = np.where(own, s.cost.inhouse_overhead, np.where(is_sub, s.cost.subcontractor_overhead, s.cost.overhead))
    L.wage_factor[rows] = np.where(is_sub & ~own, 1.0 - s.cost.subcontractor_wage_discount, 1.0)
    home_team = own & ~np.isfinite(c.capacity[centre])
    L.prod_factor[rows] = np.where(home_team, s.cost.inhouse_productivity, 1.0)
    dist = geo.communication_distance(L.home[rows], region, L.tz_sens[rows], L.lang_sens[rows],
                                      s.cost.timezone_weight, s.cost.language_weight)
    below = L.tier[rows] - 1
    L.quality_base[rows] = (
        d.base_quality
        - d.governance_quality_penalty * L.fail_propensity[rows]
        - d.communication_quality_penalty * dist
        - d.depth_quality_penalty * below
    )
    L.incident_base[rows] = (
        d.incident_rate * L.sensitivity[rows] * (1 + d.incident_depth_factor * below) * (2 - f.security[supplier])
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
        current = sorted_unique(p)


def end_links(model, rows, status) -> None:
    """Close links (completed or failed) and every module below them; free their capacity."""
    L, c = model.links, model.centres
    rows = np.asarray(rows, dtype=np.int64)
    rows = rows[L.status[rows] == ACTIVE]
    if rows.size == 0:
        return
    model._links_ended = getattr(model, "_links_ended", 0) + 1   # the active set changed (``refresh_active``)
    rows = sorted_unique(np.concatenate([rows, descendants(model, rows)]))   # descendants: active ones only
    L.months_done[rows] = model.month - L.start[rows]  # months delivered before this month's close
    if status == FAILED:
        # the work left undone is lost (a completed contract adds nothing: its column stays 0)
        L.failed[rows] += np.maximum(L.effort[rows] - L.delivered[rows], 0.0)
    L.status[rows] = status
    np.add.at(c.used, L.centre[rows], -L.self_fte[rows])
    np.maximum(c.used, 0.0, out=c.used)


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """``np.unique`` of a 1-D integer array (sorted distinct values), without its per-call overhead
    (a few hundred to a few thousand rows here, often already distinct)."""
    a = np.sort(a)
    if a.size > 1:
        differs = a[1:] != a[:-1]
        if not differs.all():
            a = a[np.concatenate([[True], differs])]
    return a


def descendants(model, rows) -> np.ndarray:
    """Active links below ``rows`` (their modules, the modules' modules, …), generation by generation.

    Only a link whose ``depth`` is above 1 has ever had a module below it (``_update_depth`` raises
    every ancestor's when one is signed, and nothing lowers it), so only those are searched: most
    ending contracts have none, and a generation of leaves is not searched for children."""
    L = model.links
    out = []
    rows = np.asarray(rows, dtype=np.int64)
    frontier = rows.take(np.flatnonzero(L.depth.take(rows) > 1))
    if frontier.size == 0:
        return np.zeros(0, dtype=np.int64)
    active_children, their_parents = _active_modules(model)
    if active_children.size == 0:
        return np.zeros(0, dtype=np.int64)
    marked = np.zeros(L.n, dtype=bool)
    while frontier.size:
        marked[frontier] = True
        kids = active_children[marked[their_parents]]
        marked[frontier] = False   # only the frontier was marked: the flags are clear again
        if kids.size == 0:
            break
        out.append(kids)
        frontier = kids.take(np.flatnonzero(L.depth.take(kids) > 1))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _active_modules(model) -> tuple[np.ndarray, np.ndarray]:
    """The active links that are modules (sorted rows), and their parents.

    ``end_links`` is the only place a link stops being active and it ends every active module
    below a link with it, so no active module hangs below an ended one."""
    modules = kept_active(model, "_active_modules", lambda L, new: L.parent[new] >= 0)
    return modules, model.links.parent.take(modules)


def kept_active(model, name: str, test) -> np.ndarray:
    """The active links (sorted rows) that pass ``test``, a property fixed when a link is signed;
    ``test(links, new)`` gives it for the rows in the slice ``new``.

    Kept on the model under ``name`` with the table's length, rather than picked out of the 40k
    active links at each call: rows are only ever appended (active) and a link that has ended
    never becomes active again, so only the rows appended since the last call are tested, and
    the kept rows that are no longer active are dropped (a few thousand rows instead of 40k)."""
    L = model.links
    kept = getattr(model, name, None)   # None on a new model, and in models pickled before
    if isinstance(kept, tuple) and len(kept) == 2:
        rows, seen = kept
    else:
        rows, seen = np.zeros(0, dtype=np.int64), 0
    if seen < L.n:
        rows = np.concatenate([rows, seen + np.flatnonzero(test(L, slice(seen, L.n)))])
    rows = rows.take(np.flatnonzero(L.status.take(rows) == ACTIVE))
    setattr(model, name, (rows, L.n))
    return rows


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
