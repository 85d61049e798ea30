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
from .world import CLIENT, FAILED, NF, PRIME, SUB


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
        cell = v["centre"] * NF + v["family"]
        staffed = np.bincount(cell, v["self_fte"], c.n * NF).reshape(c.n, NF)
        share = staffed / np.maximum(c.capacity, 1e-9)[:, None]
        share[~np.isfinite(share)] = 0.0
        c.experience += e.experience_rate * np.clip(share, 0, 1) * (1.0 - c.experience)
        workforce.update(model, staffed)
        out["upgrades"] = upgrading.learn_and_record(model, staffed)

        # ---- reputation: the share of a vendor's links that met their SLA this month
        ok = ~delivered["breach"] & ~delivered["incident"]
        vendors = v["supplier"]
        n_links = np.bincount(vendors, minlength=f.n)
        n_ok = np.bincount(vendors, ok, f.n)
        has = (n_links > 0) & (f.kind != CLIENT)
        f.reputation = np.where(has, f.reputation + e.reputation_rate * (n_ok / np.maximum(n_links, 1) - f.reputation), f.reputation)

        # ---- trust per (buyer, supplier) pair
        at_out = v["at_outsourced"]
        model.trust.update(L.pair.take(v["outsourced_links"]), ok.take(at_out), e.trust_rate, e.trust_loss)

    # ---- markups follow win rate and utilisation
    providers = f.kind != CLIENT
    rate = np.where(f.bids > 0, f.wins / np.maximum(f.bids, 1), f.win_rate)
    f.win_rate = 0.8 * f.win_rate + 0.2 * rate
    provider_centre = np.flatnonzero(~c.own)
    owner = c.firm[provider_centre]
    capacity = np.bincount(owner, c.capacity[provider_centre], f.n)
    used = np.bincount(owner, c.used[provider_centre], f.n)
    util = used / np.maximum(capacity, 1e-9)
    # a fair share of wins is one tender in k (k bidders each); judge win rates against that
    fair = 1.0 / model.scenario.world.shortlist_k
    up = (util > e.target_utilisation) | (f.win_rate > 2.0 * fair)
    down = (util < e.target_utilisation - 0.25) & (f.win_rate < 0.5 * fair)
    step = np.where(up, e.markup_step, np.where(down, -e.markup_step, 0.0))
    f.markup = np.where(providers & f.alive, np.clip(f.markup + step, e.min_markup, e.max_markup), f.markup)
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
        out["retender"] = fail_firms(model, broke)

    # ---- entry of subcontractors where providers made money
    out["entered"] = _entry(model)

    # ---- restructuring: relocation of capacity, functional upgrading
    out["relocated"] = relocation.relocate(model)
    out["upgraded"] = upgrading.functional_upgrades(model)
    return out


def _hire(model) -> None:
    e, c, r = model.scenario.evolution, model.centres, model.regions
    provider = c.alive & ~c.own & np.isfinite(c.capacity)
    target = c.used / e.target_utilisation
    gap = np.where(provider, target - c.capacity, 0.0)
    hires = np.where(gap > 0, gap * e.hire_rate, 0.0)
    free = np.maximum(r.talent_pool - r.employed, 0.0)
    wanted = np.bincount(c.region, hires, len(r))
    scale = np.where(wanted > 0, np.minimum(1.0, free / np.maximum(wanted, 1e-9)), 1.0)
    hires *= scale[c.region]
    fires = np.where(gap < 0, -gap * e.layoff_rate, 0.0)
    # a firm keeps a core team at headquarters; other centres can shrink to their contracts
    floor = np.maximum(c.used, np.where(c.hq, e.core_team_fte, 0.0))
    before = c.capacity.copy()
    c.capacity = np.where(provider, np.maximum(c.capacity + hires - fires, floor), c.capacity)
    grew = np.flatnonzero(provider & (c.capacity > np.where(provider, before, np.inf)))
    workforce.hired(model, grew, c.capacity[grew] - before[grew])
    # a remote centre left with no staff and no work closes
    empty = provider & ~c.hq & (c.capacity < 0.5) & (c.used <= 0.0)
    c.alive = c.alive & ~empty
    c.capacity = np.where(empty, 0.0, c.capacity)
    staffed = np.flatnonzero(provider)
    r.employed = np.bincount(c.region[staffed], c.capacity[staffed], len(r))


def fail_firms(model, firms) -> dict:
    """Firms exit: their contracts fail, buyers re-tender, suppliers below lose their work."""
    from .management import _retender_packages

    L, f, c = model.links, model.firms, model.centres
    # one flag per firm, read at each link's firm: the same answers as ``np.isin``, without its sort
    leaving = np.zeros(f.n, dtype=bool)
    leaving[firms] = True
    act = model.active_links
    as_supplier = act.take(np.flatnonzero(leaving.take(L.supplier.take(act))))
    tier1 = as_supplier[L.tier[as_supplier] == 1]
    modules = as_supplier[L.tier[as_supplier] > 1]
    retender = _retender_packages(model, tier1, exclude=True)
    contracts.end_links(model, tier1, FAILED)   # and every module below them: the ripple
    contracts.end_links(model, modules, FAILED)
    contracts.take_back(model, modules)
    model.refresh_active()
    act = model.active_links
    as_buyer = act.take(np.flatnonzero(leaving.take(L.buyer.take(act))))
    contracts.end_links(model, as_buyer, FAILED)
    f.alive[firms] = False
    f.exited[firms] = model.month
    dead = leaving.take(c.firm)
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
    entered = []
    if e.entry_rate <= 0:
        return np.zeros(0, dtype=np.int64)
    for kind in (PRIME, SUB):
        live = (f.kind == kind) & f.alive
        if not live.any():
            continue
        home_profit = np.bincount(f.home[live], f.profit[live], len(r))
        home_count = np.bincount(f.home[live], minlength=len(r))
        margin_ok = (home_profit > 0) & (home_count > 0)
        exits = np.bincount(f.home[(f.kind == kind) & ~f.alive], minlength=len(r))
        expected = e.entry_rate * home_count * margin_ok * (np.clip(exits / np.maximum(home_count, 1), 0.0, 1.0) + 0.05)
        # greenfield: where a region has no firm of this kind left, founders with local talent still start one
        expected = expected + np.where(home_count == 0, e.greenfield_entry, 0.0)
        count = rng.poisson(expected)
        if count.sum():
            entered.append(model.add_providers(kind, np.repeat(np.arange(len(r)), count)))
    return np.concatenate(entered) if entered else np.zeros(0, dtype=np.int64)
