"""Make-or-buy: the buyer's own options sit in the same tender as the vendors' bids.

A client can do the work with its in-house team at home (hierarchy, unbounded
but paid at home wages and less productive at non-core work), in its own
captive centre abroad (hierarchy, capacity-limited), or outsource it to one of
the invited vendors. A prime deciding whether to split off a module can keep it
in its own delivery, at a cost that includes the margin its busy staff would
earn elsewhere. The own options are priced, governed and scored exactly like
bids, so make-or-buy is one comparison across all columns; a client burned by
repeated data incidents leans toward its own options.
"""

from __future__ import annotations

import numpy as np

from . import cost, governance, scoring, skill
from .geography import INHOUSE
from .tables import cells
from .world import PRIME, SUB, team_productivity


def add_own_options(model, pk, bids, k, supplier_kind) -> None:
    """Fill the columns after the k vendor bids with the buyer's own options."""
    s = model.scenario
    if supplier_kind == PRIME:
        buyer = pk["buyer"]
        own_option(model, pk, bids, k, model.inhouse_centre[buyer], s.cost.inhouse_overhead, s.cost.inhouse_productivity)
        own_option(model, pk, bids, k + 1, model.captive_centre[buyer], s.cost.inhouse_overhead, 1.0)
        bids.inhouse_cost = bids.price[:, k] + bids.coord[:, k]
    else:
        own_option(model, pk, bids, k, np.asarray(pk["keep_centre"]), s.cost.overhead, 1.0, always_feasible=True)


def lean_home(model, pk, score, k, supplier_kind) -> None:
    """Clients burned by data incidents give their own options a score bonus."""
    if supplier_kind == PRIME:
        burned = model.firms.burned[pk["buyer"]]
        score[:, k:] += np.where(burned, model.scenario.management.insource_bias, 0.0)[:, None]


def own_option(model, pk, bids, col, centres, overhead, prod_factor, always_feasible=False):
    """Score the buyer doing the work itself (hierarchy) at one of its own centres."""
    s, f, c, r, geo = model.scenario, model.firms, model.centres, model.regions, model.geography
    have = centres >= 0
    if not have.any():
        return
    cc = np.maximum(centres, 0)
    fam = pk["family"].astype(np.int64)
    band = model.catalogue.skill_band[pk["work_type"]]
    buyer = pk["buyer"]
    reg = c.region[cc]
    capability = cells(f.capability, buyer, fam)
    exp = cells(c.experience, cc, fam)
    team = skill.team_skill(r.skill[reg], capability, exp)
    gap = skill.shortfall(pk["skill_required"], team)
    prod = team_productivity(r.infrastructure[reg], exp) * prod_factor * (1.0 - c.ramp_loss[cc])
    eff = skill.effort_factor(gap, s.cost.skill_effort_penalty)
    wage = cost.staff_wage(cells(r.wage, reg, band), f.kind[buyer] == SUB, s.cost)
    price = cost.delivery_cost(pk["effort"], wage, overhead, prod, eff)
    if always_feasible:  # a provider keeping a module: its busy staff could earn their margin elsewhere
        util = c.used[cc] / np.maximum(c.capacity[cc], 1e-9)
        price = price + cost.opportunity_cost(price, f.markup[buyer], util, s.evolution.target_utilisation)
    dist = geo.communication_distance(pk["space_home"], reg, pk["tz_sens"], pk["lang_sens"], s.cost.timezone_weight, s.cost.language_weight)
    coord = cost.coordination_cost(pk["effort"], cells(r.wage, pk["space_home"], band), dist, pk["complexity"], s.cost)
    capable = np.clip(team / np.maximum(pk["skill_required"], 1e-9), 0, 1)
    total, fail = governance.cost_and_failure(governance.HIERARCHY, price, coord, pk["complexity"], pk["codifiability"], capable, 1.0, s.governance)
    spare_ok = (c.capacity[cc] - c.used[cc] >= pk["fte"]) | ~np.isfinite(c.capacity[cc]) | always_feasible
    bids.firm[:, col] = np.where(have, c.firm[cc], -1)
    bids.centre[:, col] = np.where(have, cc, -1)
    bids.feasible[:, col] = have & spare_ok
    bids.own[:, col] = True
    bids.price[:, col] = price
    bids.coord[:, col] = coord
    bids.total[:, col] = total
    bids.gap[:, col] = gap
    bids.trust[:, col] = 1.0
    bids.mode[:, col] = governance.HIERARCHY
    bids.fail[:, col] = fail
    loc = cells(geo.location, pk["home"], reg)
    is_home_team = (reg == pk["home"]) & (c.capacity[cc] == np.inf)
    bids.location[:, col] = np.where(is_home_team, INHOUSE, loc)
    bids.technical[:, col] = scoring.technical_score(capability, gap, pk["skill_required"])
    bids.service[:, col] = 0.8 * (1 - 0.5 * dist)
    bids.team_stability[:, col] = 0.9
    bids.data_security[:, col] = scoring.security_score(1.0, r.data_regime[reg], pk["sensitivity"]) if not always_feasible else scoring.security_score(f.security[buyer], r.data_regime[reg], pk["sensitivity"])
    bids.risk[:, col] = np.where(reg == pk["home"], 0.0, r.risk[reg])


