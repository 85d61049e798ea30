"""Relocation: primes, and clients with captive centres, move delivery capacity
to where cost-adjusted attractiveness is best.

Once a year (a random month per firm) a prime compares the after-tax, risk-
and distance-adjusted unit cost of each of its centres with the best region that
still has people to hire; a client does the same for its captive centre at
cost. If another region is cheaper by more than the threshold, the firm plans
to move a share of that centre's capacity there, pays the set-up cost, and
the capacity moves ``relocation_lag_months`` later (opening a centre or
growing the one it has). Staff on running contracts stay until they end.
"""

from __future__ import annotations

import numpy as np

from . import cost, tax, workforce
from .world import PRIME


def demand_distance(model) -> np.ndarray:
    """Per region: mean time-zone and language distance to where clients are, weighted by demand."""
    s, geo = model.scenario, model.geography
    homes = np.array([s.demand.home_shares.get(rid, 0.0) for rid in model.region_ids])
    homes = homes / homes.sum() if homes.sum() > 0 else np.full(homes.size, 1.0 / homes.size)
    return homes @ (0.5 * (geo.tz + geo.lang))


def unit_cost_by_region(model, distance=None) -> np.ndarray:
    """After-tax, risk- and distance-adjusted USD per FTE-month of mid-band work, per region.

    ``distance``: ``demand_distance(model)``, when the caller has it already."""
    s, r = model.scenario, model.regions
    if distance is None:
        distance = demand_distance(model)
    base = cost.unit_cost(r.wage[:, 1], s.cost.overhead, (0.7 + 0.3 * r.infrastructure))
    gross = 1.0 + s.cost.initial_markup / (1.0 - tax.effective_rate(r))
    return base * gross * (1.0 + 0.5 * r.risk) * (1.0 + s.cost.coordination_rate * distance)


def relocate(model) -> np.ndarray:
    """Plan this month's moves and carry out those whose new site is ready.

    Returns the centres that received capacity this month."""
    plan(model)
    return release(model)


def _targets(model, unit):
    r = model.regions
    open_ = r.employed < r.talent_pool
    return int(np.argmin(np.where(open_, unit, np.inf))) if open_.any() else -1


def plan(model) -> None:
    """Annual reviews: primes (and clients with captive centres) whose dearest centre costs more than the
    threshold above the best open region decide to move a share of it there; they pay the set-up
    cost now, and the capacity moves ``relocation_lag_months`` later."""
    s, f, c, r = model.scenario, model.firms, model.centres, model.regions
    e, rng = s.evolution, model.streams.evolution
    reviewing = np.flatnonzero(f.alive & (rng.random(f.n) < 1.0 / 12.0))
    if reviewing.size == 0:
        return
    distance = demand_distance(model)
    provider_unit = unit_cost_by_region(model, distance)
    captive_unit = (cost.unit_cost(r.wage[:, 1], s.cost.inhouse_overhead, (0.7 + 0.3 * r.infrastructure))
                    * (1.0 + 0.5 * r.risk) * (1.0 + s.cost.coordination_rate * distance))
    for captive, unit in ((False, provider_unit), (True, captive_unit)):
        best = _targets(model, unit)
        if best < 0:
            continue
        if captive:
            owners = reviewing[(f.kind[reviewing] == 0) & (model.captive_centre[reviewing] >= 0)]
            centres = model.captive_centre[owners]
        else:
            owners = reviewing[f.kind[reviewing] == PRIME]
            # one flag per firm, read at each centre's firm: ``np.isin``'s answers without its sort
            owning = np.zeros(f.n, dtype=bool)
            owning[owners] = True
            centres = np.flatnonzero(owning.take(c.firm) & c.alive & ~c.own)
        centres = centres[c.alive[centres] & (c.region[centres] != best) & np.isfinite(c.capacity[centres])]
        dear = centres[unit[c.region[centres]] > unit[best] * (1.0 + e.relocation_threshold)]
        order = np.lexsort((-unit[c.region[dear]], c.firm[dear]))   # one move per firm: its dearest centre
        dear = dear[order]
        if dear.size:
            firm = c.firm[dear]
            dear = dear[np.concatenate(([True], firm[1:] != firm[:-1]))]
        fte = c.capacity[dear] * e.relocation_share
        dear, fte = dear[fte > 1.0], fte[fte > 1.0]
        firms = c.firm[dear]
        setup = fte * r.wage[best, 1] * e.relocation_setup_months
        ok = f.cash[firms] > setup
        dear, fte, firms, setup = dear[ok], fte[ok], firms[ok], setup[ok]
        if dear.size == 0:
            continue
        f.cash[firms] -= setup
        p = model.relocation_plans
        p["source"] = np.concatenate([p["source"], dear])
        p["region"] = np.concatenate([p["region"], np.full(dear.size, best)])
        p["fte"] = np.concatenate([p["fte"], fte])
        p["ready"] = np.concatenate([p["ready"], np.full(dear.size, model.month + int(e.relocation_lag_months))])
        p["captive"] = np.concatenate([p["captive"], np.full(dear.size, captive)])
        model.recorder.log("relocation_planned", firms, region=np.full(dear.size, best),
                           detail=f"capacity moves in {int(e.relocation_lag_months)} months")


def release(model) -> np.ndarray:
    """Move the capacity of plans whose new site is ready (staff on running contracts stay)."""
    f, c = model.firms, model.centres
    p = model.relocation_plans
    due = p["ready"] <= model.month
    if not due.any():
        return np.zeros(0, dtype=np.int64)
    source, region, fte, captive = p["source"][due], p["region"][due], p["fte"][due], p["captive"][due]
    for key in p:
        p[key] = p[key][~due]
    live = c.alive[source] & f.alive[c.firm[source]]
    source, region, fte, captive = source[live], region[live], fte[live], captive[live]
    moved = np.minimum(fte, np.maximum(c.capacity[source] - c.used[source], 0.0))
    keep = moved > 0.5
    source, region, moved, captive = source[keep], region[keep], moved[keep], captive[keep]
    if source.size == 0:
        return source
    firms = c.firm[source]
    c.capacity[source] -= moved
    # grow the firm's existing centre in the target region, or open one (lookup by (firm, region, own) key)
    R = len(model.regions)
    key = lambda firm, reg, own: (firm * R + reg) * 2 + own  # noqa: E731
    # only the moving firms' own centres can match: sort their keys, not those of every live centre
    moving = np.zeros(f.n, dtype=bool)
    moving[firms] = True
    live = np.flatnonzero(moving.take(c.firm) & c.alive & np.isfinite(c.capacity))
    live_keys = key(c.firm[live], c.region[live], c.own[live].astype(np.int64))
    order = np.argsort(live_keys, kind="stable")
    live_keys, live = live_keys[order], live[order]
    wanted = key(firms, region, captive.astype(np.int64))
    pos = np.clip(np.searchsorted(live_keys, wanted), 0, max(live_keys.size - 1, 0))
    targets = np.where((live_keys.size > 0) & (live_keys[pos] == wanted), live[pos] if live.size else -1, -1)
    new = targets < 0
    if new.any():
        rows = c.append(int(new.sum()), firm=firms[new], region=region[new], capacity=0.0, alive=True,
                        own=captive[new], opened=model.month, experience=c.experience[source[new]] * 0.5)
        targets[new] = rows
    np.add.at(c.capacity, targets, moved)
    workforce.hired(model, targets, moved)   # the new site's staff are new hires
    cap = captive & (model.captive_centre[firms] == source)
    model.captive_centre[firms[cap]] = targets[cap]  # a client's captive work now goes to the new site
    return targets
