"""The market: tender, bids, governance, scoring, make-or-buy and award.

One function serves every tier. For each package (a client's need, or a
prime's module) the buyer invites a shortlist of ``k`` vendors (``formation``);
each invited vendor bids from the centre it was invited through (``cost``,
``tax``, ``skill``); the buyer picks a governance mode per bid by expected total cost
(``governance``); bids and the buyer's own options (``make_or_buy``) are scored on seed 003's
criteria (``scoring``); the market clears under capacity and the vendor cap
(``award``). Everything is an array over packages × bids.
"""

from __future__ import annotations

import numpy as np

from . import contracts, cost, governance, make_or_buy, scoring, skill, tax
from .award import award
from .formation import candidate_centres, shortlist
from .tables import cells
from .world import PRIME, SUB, team_productivity


class Bids:
    """P×J matrices of one tender's options (J = k vendor bids + own options).

    Every column block is written by the tender (the k vendor bids, then each own
    option), so the matrices start uninitialised; a block the tender does not fill
    is set to the defaults by ``blank`` (no firm or centre, zeros). ``invited``,
    ``own``, ``transition`` and ``levy`` are written for one kind of column only and
    start at zero."""

    FLOATS = ("price", "coord", "total", "fail", "gap", "trust", "technical", "service",
              "team_stability", "data_security", "risk")

    def __init__(self, P, J):
        self.firm = np.empty((P, J), dtype=np.int64)
        self.centre = np.empty((P, J), dtype=np.int64)
        self.feasible = np.empty((P, J), dtype=bool)
        self.invited = np.zeros((P, J), dtype=bool)
        shape = (P, J)
        for name in self.FLOATS:
            setattr(self, name, np.empty(shape))
        self.levy = np.zeros(shape)
        self.transition = np.zeros(shape)
        self.mode = np.empty(shape, dtype=np.int8)
        self.location = np.empty(shape, dtype=np.int8)
        self.own = np.zeros(shape, dtype=bool)
        self.inhouse_cost = None  # P: the buyer's cost of doing the work in-house at home

    def blank(self, cols) -> None:
        """Columns ``cols`` (a slice) hold no option: no firm or centre, zeros elsewhere."""
        self.firm[:, cols] = -1
        self.centre[:, cols] = -1
        self.feasible[:, cols] = False
        for name in self.FLOATS:
            getattr(self, name)[:, cols] = 0.0
        self.mode[:, cols] = 0
        self.location[:, cols] = 0


def _team(model, centres, firms, fam, pk_b):
    """Skill gap, effort factor and productivity of centres (any shape) for broadcast packages,
    and the firms' capability in the family (gathers by ``take``: cheaper than ``a[idx]``)."""
    c, f, r = model.centres, model.firms, model.regions
    reg = c.region.take(centres)
    exp = cells(c.experience, centres, fam)
    capability = cells(f.capability, firms, fam)
    team = skill.team_skill(r.skill.take(reg), capability, exp)
    gap = skill.shortfall(pk_b["skill_required"], team)
    return reg, team, gap, team_productivity(r.infrastructure.take(reg), exp) * (1.0 - c.ramp_loss.take(centres)), capability


def tender(model, pk, supplier_kind, rng_shortlist, rng_choice):
    """Run one tender round. Returns (bids, choice) — choice indexes bid columns, −1 = none."""
    s = model.scenario
    P = pk["n"]
    k = s.world.shortlist_k
    own_cols = 2 if supplier_kind == PRIME else 1
    J = k + own_cols
    bids = Bids(P, J)
    if P == 0:
        return bids, np.zeros(0, dtype=np.int64)
    f, c, r, geo = model.firms, model.centres, model.regions, model.geography
    fam = pk["family"].astype(np.int64)
    eff_rate = tax.effective_rate(r)
    # per region, gathered where needed: the same floats as computing it on every gathered element
    stretch = 1.0 + s.world.bid_stretch * model.labour_slack

    # ---- 1 shortlist (formation): k vendors, each invited through one of its centres
    candidates = candidate_centres(model, supplier_kind)
    exclude_self = pk["buyer"] if supplier_kind == SUB else None
    vendor, centre = shortlist(model, pk, candidates, k, rng_shortlist, exclude_self)
    # the living incumbent takes the last place if not drawn; then an excluded vendor loses its place.
    # Both on the rows concerned only (by position): most packages have neither
    inc, inc_centre = np.asarray(pk["incumbent"]), np.asarray(pk["incumbent_centre"])
    put = np.flatnonzero((inc >= 0) & (inc_centre >= 0))
    if put.size:
        iv, ic = inc.take(put), inc_centre.take(put)
        drawn = (vendor.take(put, axis=0) == iv[:, None]) @ np.ones(k, dtype=bool)   # any along rows: ``any(axis=1)`` is 3x slower
        keep = np.flatnonzero(c.alive.take(ic) & f.alive.take(iv) & ~drawn)
        put = put.take(keep)
        vendor[put, k - 1], centre[put, k - 1] = iv.take(keep), ic.take(keep)
    excl = np.asarray(pk["exclude"])
    ex = np.flatnonzero(excl >= 0)
    if ex.size:
        row, col = np.nonzero(vendor.take(ex, axis=0) == excl.take(ex)[:, None])
        vendor[ex.take(row), col], centre[ex.take(row), col] = -1, -1

    # ---- 2 bids: each invited vendor prices the work at the centre it was invited through
    # (gathers by ``take``, results kept in contiguous P×k arrays and written once into the bids)
    sl = slice(0, k)
    vendor_pairs = None
    bidders = np.zeros(0, dtype=np.int64)   # the firm of every feasible vendor bid, for ``_count_bids``
    B = make_or_buy.package_columns(model, pk)   # P×1 columns, shared with the own options
    if candidates.size:
        valid = centre >= 0
        cc = np.maximum(centre, 0)
        vf = np.maximum(vendor, 0)
        reg, team, gap, prod, capability = _team(model, cc, vf, fam[:, None], B)
        is_sub = f.kind.take(vf) == SUB
        overhead = np.where(is_sub, s.cost.subcontractor_overhead, s.cost.overhead)
        wage = cost.staff_wage(cells(r.wage, reg, B["band"]), is_sub, s.cost)
        eff = skill.effort_factor(gap, s.cost.skill_effort_penalty)
        delivery = cost.delivery_cost(B["effort"], wage, overhead, prod, eff)
        price = tax.price_for_after_tax_margin(delivery, f.markup.take(vf), eff_rate.take(reg))
        dist = geo.communication_distance(B["space_home"], reg, B["tz_sens"], B["lang_sens"], s.cost.timezone_weight, s.cost.language_weight)
        coord = cost.coordination_cost(B["effort"], B["home_wage"], dist, B["complexity"], s.cost)
        spare = c.capacity.take(cc) * stretch.take(reg) - c.used.take(cc)
        ok = valid & (spare >= B["fte"]) & geo.data_allowed(B["space_home"], reg, B["sensitivity"])
        bids.centre[:, sl] = np.where(ok, centre, -1)
        bids.firm[:, sl] = vendor
        bids.invited[:, sl] = valid
        bids.feasible[:, sl] = ok
        bidders = vendor.take(np.flatnonzero(ok & (vendor >= 0)))   # positions: cheaper than a mask
        bids.price[:, sl] = price
        bids.coord[:, sl] = coord
        bids.gap[:, sl] = gap
        vendor_pairs = model.trust.find(pk["buyer"][:, None], vf)   # also the dependence check's pairs
        trust = model.trust.trust_of(vendor_pairs)
        bids.trust[:, sl] = trust
        capable = np.clip(team / B["required"], 0, 1)
        mode, total, fail = governance.choose_mode(
            price, coord, B["complexity"], B["codifiability"], capable, trust, s.governance, rng_choice,
        )
        bids.mode[:, sl], bids.fail[:, sl] = mode, fail
        new_pair = (vf != inc[:, None])
        transition = cost.transition_cost(price, new_pair, s.cost)
        bids.transition[:, sl] = transition
        location = cells(geo.location, B["home"], reg)
        bids.location[:, sl] = location
        offshore_levy = r.backlash_tax.take(B["home"]) * (location != 0)
        levy = offshore_levy * price
        bids.levy[:, sl] = levy
        bids.total[:, sl] = total + transition + levy
        bids.technical[:, sl] = scoring.technical_score(capability, gap, B["required"])
        bids.service[:, sl] = scoring.service_score(f.reputation.take(vf), dist)
        bids.team_stability[:, sl] = f.team_stability.take(vf)
        bids.data_security[:, sl] = scoring.security_score(f.security.take(vf), r.data_regime.take(reg), B["sensitivity"])
        bids.risk[:, sl] = r.risk.take(reg)
    else:
        bids.blank(sl)

    # ---- 3 the buyer's own options (make-or-buy)
    make_or_buy.add_own_options(model, pk, bids, k, supplier_kind, B)

    # ---- 4 scoring
    criteria = {
        "technical": bids.technical, "service": bids.service,
        "price": scoring.price_score(bids.total, bids.feasible, s.scoring.price_sensitivity),
        "team_stability": bids.team_stability, "data_security": bids.data_security,
    }
    score = scoring.score(criteria, bids.location, bids.risk, s.scoring, rng_choice, bids.feasible)
    make_or_buy.lean_home(model, pk, score, k, supplier_kind)

    # ---- 5 award under capacity and the vendor cap
    spare = np.maximum(c.capacity * np.where(c.own, 1.0, stretch.take(c.region)) - c.used, 0.0)
    spare[c.own & ~np.isfinite(c.capacity)] = np.inf
    if supplier_kind == PRIME and s.management.vendor_cap < 1:
        score[_over_dependence(model, pk, bids, k, vendor_pairs)] = -np.inf
    choice = award(score, np.maximum(bids.centre, 0), np.asarray(pk["fte"], dtype=float), spare)
    _count_bids(model, bids, choice, k, bidders)
    return bids, choice


def _over_dependence(model, pk, bids, k, vendor_pairs=None):
    """P×J: bids from vendors the client already depends on beyond its limit.

    Dependence rule (seed 003: keep alternatives): a client gives no new work to a
    vendor that already holds more than its limit of the client's outsourced monthly
    value. Awards are lumpy, so the rule looks at the share before the tender; a vendor
    within the limit may win a package of any size (two packages of one client in the
    same month are judged on the same shares).

    ``vendor_pairs``: the pair ids of the k vendor bids, found when their trust was read;
    where the buyer is the client (a client's tender) they are the same (client, vendor)
    pairs, and where every other column is an own option (never over the limit: ``~bids.own``
    below) only the k vendor columns are judged."""
    cap = model.scenario.management.vendor_cap
    client = pk["client"]
    client_value, n_contracts, pair_value = client_dependence(model, client)
    V = client_value.take(client)[:, None]
    limit = dependence_limit(cap, n_contracts.take(client))[:, None]
    if vendor_pairs is not None and np.array_equal(client, pk["buyer"]) and bids.own[:, k:].all():
        current = np.where(vendor_pairs >= 0, pair_value.take(np.maximum(vendor_pairs, 0)), 0.0) if pair_value.size else 0.0
        over = np.zeros(bids.firm.shape, dtype=bool)
        over[:, :k] = (V > 0) & (current > limit * V + 1e-9)   # the vendor columns' ``own`` is never set
        return over
    known = model.trust.find(client[:, None], np.maximum(bids.firm, 0))
    current = np.where(known >= 0, pair_value.take(np.maximum(known, 0)), 0.0) if pair_value.size else np.zeros(known.shape)
    return (V > 0) & (current > limit * V + 1e-9) & ~bids.own


def _outsourced_contract(L, new):
    """``contracts.kept_active`` test of the active outsourced client contracts (as in ``management``)."""
    return (L.tier[new] == 1) & ~L.own[new]


def client_dependence(model, clients=None):
    """Per client: outsourced monthly value and number of contracts; per trust-book pair
    (tier-1 links' buyer is the client, so pairs are (client, vendor)): the value it holds.

    The contracts are the active outsourced client contracts kept between months by
    ``contracts.kept_active`` (tier and ownership are fixed at signing; the same rows in the
    same order as picking them out of the active links). Given ``clients`` (firm rows), only
    their contracts are summed: their entries, and their pairs', are the same sums over the
    same links in the same order; the others are zero."""
    L = model.links
    held = contracts.kept_active(model, "_outsourced_contracts", _outsourced_contract)
    if clients is not None:
        theirs = np.zeros(model.firms.n, dtype=bool)
        theirs[clients] = True
        held = held.take(np.flatnonzero(theirs.take(L.client.take(held))))
    client, price = L.client.take(held), L.price_month.take(held)
    client_value = np.bincount(client, price, model.firms.n)
    n_contracts = np.bincount(client, minlength=model.firms.n)
    pair_value = np.bincount(L.pair.take(held), price, len(model.trust))
    return client_value, n_contracts, pair_value


def dependence_limit(cap, contracts):
    """Largest share one vendor may hold before it gets no more work: the cap, but never below
    an even split of the client's contracts (one contract is necessarily with one vendor)."""
    return np.maximum(cap, 1.0 / np.maximum(contracts, 1))


def _count_bids(model, bids, choice, k, bidders):
    """Bids and wins per vendor this month, for markup adaptation. ``bidders``: the firm of
    every feasible vendor bid (any order: they are counted)."""
    f = model.firms
    f.bids += np.bincount(bidders, minlength=f.n)
    rows = np.flatnonzero((choice >= 0) & (choice < k))
    f.wins += np.bincount(cells(bids.firm, rows, choice.take(rows)), minlength=f.n)
