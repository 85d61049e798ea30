"""Learning and evolution within the engine: experience, reputation, trust,
markups, hiring, failure and entry.

- Experience: centres learn by doing, in proportion to the work they staff.
- Reputation: a vendor's track record against SLAs (seed 003's criterion).
- Trust: grows with each good month of a relationship, collapses on breach.
- Markups adapt to win rate and utilisation.
- Hiring: centres staff toward target utilisation, limited by the talent pool.
- Failure: a provider whose cash runs out exits; its contracts fail, its
  clients re-tender, its subcontractors lose their modules (the ripple).
- Entry: where providers in a region made money last month, new
  subcontractors enter, replacing the exits.
- Relocation (``relocation``) and functional upgrading (``upgrading``).
"""

from __future__ import annotations

import numpy as np

from . import contracts, relocation, upgrading, workforce
from .world import ACTIVE, CLIENT, FAILED, NF, PRIME, SUB, wide


def advance(model, delivered: dict) -> dict:
    s, L, f, c = model.scenario, model.links, model.firms, model.centres
    e = s.evolution
    act = delivered["links"]
    none = np.zeros(0, dtype=np.int64)
    out = {"exited": none, "failed": none, "entered": none, "retender": None, "relocated": none, "upgraded": none,
           "upgrades": []}

    if act.size:
        # ---- experience: a centre learns a family in proportion to the FTE it staffs in it
        v = delivered["view"]
        cell = v["centre_family"]   # centre × NF + family, built by delivery
        staffed = np.bincount(cell, v["self_fte"], c.n * NF).reshape(c.n, NF)
        share = staffed / wide(np.maximum(c.capacity, 1e-9))
        share[~np.isfinite(share)] = 0.0
        c.experience += e.experience_rate * np.clip(share, 0, 1) * (1.0 - c.experience)
        workforce.update(model, staffed)
        out["upgrades"] = upgrading.learn_and_record(model, staffed)

        # ---- reputation: the share of a vendor's links that met their SLA this month; counted over the
        # outsourced links only, as the others are clients' own teams (and clients earn no reputation)
        at_out = v["at_outsourced"]
        ok = (~delivered["breach"] & ~delivered["incident"]).take(at_out)
        vendors = v["supplier"].take(at_out)
        n_links = np.bincount(vendors, minlength=f.n)
        n_ok = np.bincount(vendors, ok, f.n)
        has = (n_links > 0) & (f.kind != CLIENT)
        f.reputation = np.where(has, f.reputation + e.reputation_rate * (n_ok / np.maximum(n_links, 1) - f.reputation), f.reputation)

        # ---- trust per (buyer, supplier) pair
        model.trust.update(L.pair.take(v["outsourced_links"]), ok, e.trust_rate, e.trust_loss)

    # ---- markups follow win rate and utilisation
    providers = f.kind != CLIENT
    rate = np.where(f.bids > 0, f.wins / np.maximum(f.bids, 1), f.win_rate)
    f.win_rate = 0.8 * f.win_rate + 0.2 * rate
    provider_centre = np.flatnonzero(~c.own)
    owner = c.firm[provider_centre]
    capacity = np.bincount(owner, c.capacity[provider_centre], f.n)
    used = np.bincount(owner, c.used[provider_centre], f.n)
    # only live providers' markups move (about one firm in ten): the tests on their rows alone
    p = np.flatnonzero(providers & f.alive)
    util = used.take(p) / np.maximum(capacity.take(p), 1e-9)
    # a fair share of wins is one tender in k (k bidders each); judge win rates against that
    fair = 1.0 / model.scenario.world.shortlist_k
    win_rate = f.win_rate.take(p)
    up = (util > e.target_utilisation) | (win_rate > 2.0 * fair)
    down = (util < e.target_utilisation - 0.25) & (win_rate < 0.5 * fair)
    step = np.where(up, e.markup_step, np.where(down, -e.markup_step, 0.0))
    f.markup[p] = np.clip(f.markup.take(p) + step, e.min_markup, e.max_markup)
    f.bids = 0.0
    f.wins = 0.0

    # ---- hiring toward target utilisation, limited by the region's talent pool
    _hire(model)

    # ---- failure: providers out of cash exit, and the ripple runs down their chains
    # exit when the cash is gone, or when owners give up after sustained losses
    f.loss_months = np.where(f.profit < 0, f.loss_months + 1, 0)
    insolvent = providers & f.alive & (f.cash < 0)
    closed = providers & f.alive & ~insolvent & (f.loss_months >= e.exit_after_loss_months)
    broke = np.flatnonzero(insolvent | closed)
    if broke.size:
        out["exited"] = broke
        out["failed"] = np.flatnonzero(insolvent)
        out["retender"] = fail_firms(model, broke, delivered)

    # ---- entry of subcontractors where providers made money
    out["entered"] = _entry(model)

    # ---- restructuring: relocation of capacity, functional upgrading
    out["relocated"] = relocation.relocate(model)
    out["upgraded"] = upgrading.functional_upgrades(model)
    return out


def _hire(model) -> None:
    e, c, r = model.scenario.evolution, model.centres, model.regions
    # providers' centres only (about a third of all centres; the others neither hire nor fire, and
    # their zeros add nothing to the regions' sums)
    p = np.flatnonzero(c.alive & ~c.own & np.isfinite(c.capacity))
    region, used, before, hq = c.region.take(p), c.used.take(p), c.capacity.take(p), c.hq.take(p)
    gap = used / e.target_utilisation - before
    hires = np.where(gap > 0, gap * e.hire_rate, 0.0)
    free = np.maximum(r.talent_pool - r.employed, 0.0)
    wanted = np.bincount(region, hires, len(r))
    scale = np.where(wanted > 0, np.minimum(1.0, free / np.maximum(wanted, 1e-9)), 1.0)
    hires *= scale.take(region)
    fires = np.where(gap < 0, -gap * e.layoff_rate, 0.0)
    # a firm keeps a core team at headquarters; other centres can shrink to their contracts
    floor = np.maximum(used, np.where(hq, e.core_team_fte, 0.0))
    capacity = np.maximum(before + hires - fires, floor)
    c.capacity[p] = capacity
    grew = np.flatnonzero(capacity > before)
    workforce.hired(model, p.take(grew), capacity.take(grew) - before.take(grew))
    # a remote centre left with no staff and no work closes
    empty = p.take(np.flatnonzero(~hq & (capacity < 0.5) & (used <= 0.0)))
    c.alive[empty] = False
    c.capacity[empty] = 0.0
    r.employed = np.bincount(region, c.capacity.take(p), len(r))


def fail_firms(model, firms, delivered: dict | None = None) -> dict:
    """Firms exit: their contracts fail, buyers re-tender, suppliers below lose their work.

    ``delivered``: this month's delivery, whose view has the active links' suppliers and buyers
    gathered already (used while the active set is still the one delivered)."""
    from .management import _retender_packages

    L, f, c = model.links, model.firms, model.centres
    # one flag per firm, read at each link's firm: the same answers as ``np.isin``, without its sort
    leaving = np.zeros(f.n, dtype=bool)
    leaving[firms] = True
    act = model.active_links
    if delivered is not None and delivered["links"] is act:   # a link's parties never change
        supplier, buyer = delivered["view"]["supplier"], delivered["view"]["buyer"]
    else:
        supplier, buyer = L.supplier.take(act), L.buyer.take(act)
    as_supplier = act.take(np.flatnonzero(leaving.take(supplier)))
    as_buyer = act.take(np.flatnonzero(leaving.take(buyer)))
    tier1 = as_supplier[L.tier[as_supplier] == 1]
    modules = as_supplier[L.tier[as_supplier] > 1]
    retender = _retender_packages(model, tier1, exclude=True)
    contracts.end_links(model, tier1, FAILED)   # and every module below them: the ripple
    contracts.end_links(model, modules, FAILED)
    contracts.take_back(model, modules)
    # what they buy and the ripple left running (no link was signed since): mostly nothing, as a
    # firm's modules hang below the links it supplies; only then is the active set refreshed here
    as_buyer = as_buyer[L.status[as_buyer] == ACTIVE]
    if as_buyer.size:
        model.refresh_active()
        contracts.end_links(model, as_buyer, FAILED)
    f.alive[firms] = False
    f.exited[firms] = model.month
    dead = np.flatnonzero(leaving.take(c.firm))   # positions: faster writes than through a mask
    c.alive[dead] = False
    c.capacity[dead] = 0.0
    c.used[dead] = 0.0
    model.refresh_active()
    model.on_exit(firms)
    return retender


def _entry(model) -> np.ndarray:
    """New primes and subcontractors where firms of their kind made money last month.

    Entrants replace part of the kind's exits in that home region and add a
    little on top, only where that kind's providers were profitable in total;
    a region left with none of a kind sees greenfield founders."""
    e, f, r = model.scenario.evolution, model.firms, model.regions
    rng = model.streams.evolution
    drawn = []   # both kinds are drawn, then added together (``ChainModel.open_providers``)
    if e.entry_rate <= 0:
        return np.zeros(0, dtype=np.int64)
    for kind in (PRIME, SUB):
        of_kind = f.kind == kind
        live = np.flatnonzero(of_kind & f.alive)
        if live.size == 0:
            continue
        home = f.home.take(live)
        home_profit = np.bincount(home, f.profit.take(live), len(r))
        home_count = np.bincount(home, minlength=len(r))
        margin_ok = (home_profit > 0) & (home_count > 0)
        exits = np.bincount(f.home[of_kind & ~f.alive], minlength=len(r))
        expected = e.entry_rate * home_count * margin_ok * (np.clip(exits / np.maximum(home_count, 1), 0.0, 1.0) + 0.05)
        # greenfield: where a region has no firm of this kind left, founders with local talent still start one
        expected = expected + np.where(home_count == 0, e.greenfield_entry, 0.0)
        count = rng.poisson(expected)
        if count.sum():
            drawn.append(model.draw_providers(kind, np.repeat(np.arange(len(r)), count)))
    return model.open_providers(drawn) if drawn else np.zeros(0, dtype=np.int64)
