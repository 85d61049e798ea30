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


def add_own_options(model, pk, bids, k, supplier_kind, B=None) -> None:
    """Fill the columns after the k vendor bids with the buyer's own options.

    ``B``: the packages' columns as P×1 arrays, as the tender prepared them (built here
    when not given). A client's two own options (in-house team, captive centre) are
    priced side by side as one P×2 block: the same element-wise arithmetic, half the calls."""
    s = model.scenario
    if B is None:
        B = package_columns(model, pk)
    if supplier_kind == PRIME:
        buyer = pk["buyer"]
        centres = np.stack((model.inhouse_centre.take(buyer), model.captive_centre.take(buyer)), axis=1)
        prod_factor = np.array([s.cost.inhouse_productivity, 1.0])
        own_options(model, pk, B, bids, slice(k, k + 2), centres, s.cost.inhouse_overhead, prod_factor)
        bids.inhouse_cost = bids.price[:, k] + bids.coord[:, k]
    else:
        centres = np.asarray(pk["keep_centre"])[:, None]
        own_options(model, pk, B, bids, slice(k, k + 1), centres, s.cost.overhead, 1.0, always_feasible=True)


def package_columns(model, pk) -> dict:
    """The packages' columns the bids and own options read, as P×1 arrays (computed once a tender)."""
    B = {key: np.asarray(pk[key])[:, None] for key in ("space_home", "tz_sens", "lang_sens", "effort",
                                                      "complexity", "fte", "sensitivity", "skill_required",
                                                      "codifiability", "home")}
    B["band"] = model.catalogue.skill_band[pk["work_type"]][:, None]
    B["home_wage"] = cells(model.regions.wage, B["space_home"], B["band"])
    B["required"] = np.maximum(B["skill_required"], 1e-9)
    return B


def lean_home(model, pk, score, k, supplier_kind) -> None:
    """Clients burned by data incidents give their own options a score bonus."""
    if supplier_kind == PRIME:
        burned = model.firms.burned.take(pk["buyer"])
        score[:, k:] += np.where(burned, model.scenario.management.insource_bias, 0.0)[:, None]


def own_options(model, pk, B, bids, cols, centres, overhead, prod_factor, always_feasible=False):
    """Score the buyer doing the work itself (hierarchy) at its own centres: ``centres`` is
    P×n (−1 = none), one column per own option, written into bid columns ``cols``;
    ``prod_factor`` a scalar or one value per option. An option no buyer has stays blank."""
    s, f, c, r, geo = model.scenario, model.firms, model.centres, model.regions, model.geography
    have = centres >= 0
    # which options any buyer has, column by column: ``any(axis=0)`` over P×2 runs its loop once per row
    present = [bool(h.any()) for h in have.T]
    if not any(present):
        bids.blank(cols)
        return
    cc = np.maximum(centres, 0)
    fam = pk["family"].astype(np.int64)[:, None]
    buyer = pk["buyer"]
    reg = c.region.take(cc)
    capability = cells(f.capability, buyer, fam[:, 0])[:, None]
    exp = cells(c.experience, cc, fam)
    team = skill.team_skill(r.skill.take(reg), capability, exp)
    gap = skill.shortfall(B["skill_required"], team)
    ramp = 1.0 - c.ramp_loss.take(cc)
    prod = team_productivity(r.infrastructure.take(reg), exp) * prod_factor * ramp
    eff = skill.effort_factor(gap, s.cost.skill_effort_penalty)
    wage = cost.staff_wage(cells(r.wage, reg, B["band"]), (f.kind.take(buyer) == SUB)[:, None], s.cost)
    price = cost.delivery_cost(B["effort"], wage, overhead, prod, eff)
    capacity, used = c.capacity.take(cc), c.used.take(cc)
    if always_feasible:  # a provider keeping a module: its busy staff could earn their margin elsewhere
        util = used / np.maximum(capacity, 1e-9)
        price = price + cost.opportunity_cost(price, f.markup.take(buyer)[:, None], util, s.evolution.target_utilisation)
    dist = geo.communication_distance(B["space_home"], reg, B["tz_sens"], B["lang_sens"], s.cost.timezone_weight, s.cost.language_weight)
    coord = cost.coordination_cost(B["effort"], B["home_wage"], dist, B["complexity"], s.cost)
    capable = np.clip(team / B["required"], 0, 1)
    total, fail = governance.cost_and_failure(governance.HIERARCHY, price, coord, B["complexity"], B["codifiability"], capable, 1.0, s.governance)
    spare_ok = (capacity - used >= B["fte"]) | ~np.isfinite(capacity) | always_feasible
    bids.firm[:, cols] = np.where(have, c.firm.take(cc), -1)
    bids.centre[:, cols] = np.where(have, cc, -1)
    bids.feasible[:, cols] = have & spare_ok
    bids.own[:, cols] = True
    bids.price[:, cols] = price
    bids.coord[:, cols] = coord
    bids.total[:, cols] = total
    bids.gap[:, cols] = gap
    bids.trust[:, cols] = 1.0
    bids.mode[:, cols] = governance.HIERARCHY
    bids.fail[:, cols] = fail
    loc = cells(geo.location, B["home"], reg)
    is_home_team = (reg == B["home"]) & (capacity == np.inf)
    bids.location[:, cols] = np.where(is_home_team, INHOUSE, loc)
    bids.technical[:, cols] = scoring.technical_score(capability, gap, B["skill_required"])
    bids.service[:, cols] = 0.8 * (1 - 0.5 * dist)
    bids.team_stability[:, cols] = 0.9
    security = f.security.take(buyer)[:, None] if always_feasible else 1.0
    bids.data_security[:, cols] = scoring.security_score(security, r.data_regime.take(reg), B["sensitivity"])
    bids.risk[:, cols] = np.where(reg == B["home"], 0.0, r.risk.take(reg))
    for j, there in enumerate(present):
        if not there:   # an option no buyer has is no option at all (as if never priced)
            bids.blank(slice(cols.start + j, cols.start + j + 1))
            bids.own[:, cols.start + j] = False
