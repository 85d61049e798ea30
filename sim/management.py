"""Contract management: seed 003's five steps after the tender.

Needs → tender → contract (SLA, term) → process management → review. At
the end of a term the work is needed again with probability
``need_continues`` (otherwise it is finished). Every
``review_months`` a buyer reviews each link: too many SLA breaches or a data
incident in the period and it terminates — a client re-tenders the rest of
the work without that vendor (switching, or bringing it home), a prime takes
the module back into its own delivery. A client gives no new work to a vendor
that already holds more than its dependence limit (``market.dependence_limit``). At the end of a term a
well-performing contract is renewed (sometimes put out to tender anyway,
the incumbent invited); a poor one is re-tendered without the incumbent.
A client burned by repeated incidents leans toward in-house options.
"""

from __future__ import annotations

import numpy as np

from . import contracts, governance, skill
from .demand import concat, make_packages
from .governance import HIERARCHY
from .market import client_dependence, dependence_limit
from .world import ACTIVE, COMPLETED, FAILED

RENEWED_AS_IS = (
    "buyer", "supplier", "centre", "client", "home", "tier", "work_type", "family", "mode", "location",
    "complexity", "codifiability", "sensitivity", "skill_required", "tz_sens", "lang_sens", "sla",
    "coord_month", "levy_month", "inhouse_month", "fail_propensity", "own", "pair",
    "region", "band", "quality_base", "incident_base", "overhead_rate", "wage_factor", "prod_factor",
)
"""Link columns a renewal carries over unchanged (some are rescaled or reset right after)."""


def settle_and_review(model) -> dict:
    """End contracts whose term is over, review the rest; returns packages to re-tender and renewals."""
    s, L, f = model.scenario, model.links, model.firms
    m = s.management
    rng = model.streams.management
    act = model.active_links
    events = {"switched": 0, "renewed": np.zeros(0, dtype=np.int64)}

    # ---- quarterly (or other period) review of every link that has run a full period
    due = act.take(_on_review_cycle(model.month - L.start.take(act), m.review_months))
    due = due.take(np.flatnonzero(~L.own.take(due)))  # vendors are reviewed; own teams are managed
    bad = due[(L.breaches_period[due] >= m.breach_limit) | ((L.incidents_period[due] > 0) & (L.sensitivity[due] >= 0.6))]
    L.breaches_period[due] = 0
    L.incidents_period[due] = 0
    f.burned = f.incidents >= m.insource_after_incidents

    terminated_clients = bad[(L.tier[bad] == 1)]
    terminated_modules = bad[(L.tier[bad] > 1)]
    retender = _retender_packages(model, terminated_clients, exclude=True)
    contracts.end_links(model, terminated_clients, FAILED)
    contracts.end_links(model, terminated_modules, FAILED)
    contracts.take_back(model, terminated_modules)
    events["switched"] = int(terminated_clients.size)

    # ---- contracts reaching the end of their term
    model.refresh_active()
    act = model.active_links
    ending = act.take(np.flatnonzero((L.start.take(act) + L.term.take(act) <= model.month) & (L.tier.take(act) == 1)))
    # most work is finished at the end of its term; some is needed again (run-type services)
    continues = rng.random(ending.size) < m.need_continues
    months_done = model.month - L.start[ending]
    good = (L.breaches[ending] <= months_done * 0.25) & (L.incidents[ending] == 0)
    renew = continues & good & (rng.random(ending.size) < m.renew_probability) & ~_over_cap(model, ending)
    renewals = _renewal_packages(model, ending[renew])
    retender = concat(retender, _retender_packages(model, ending[continues & ~renew & good], exclude=False))
    retender = concat(retender, _retender_packages(model, ending[continues & ~good], exclude=True))
    contracts.end_links(model, ending, COMPLETED)
    if renewals.size:
        c = model.centres
        np.add.at(c.used, L.centre[renewals], L.fte[renewals])
        c.capacity[L.centre[renewals]] = np.maximum(c.capacity[L.centre[renewals]], c.used[L.centre[renewals]])
    model.refresh_active()
    events["renewed"] = renewals
    events["retender"] = retender
    return events


def _on_review_cycle(age: np.ndarray, period: int) -> np.ndarray:
    """Positions of the links whose age is a positive multiple of the review period.

    Read from a small table indexed by age rather than computed with ``%`` (integer division is
    the slowest arithmetic numpy does) and picked with ``flatnonzero`` (a boolean mask that keeps
    about a third of 40k links mispredicts on most of them)."""
    if age.size == 0:
        return np.zeros(0, dtype=np.int64)
    cycle = np.zeros(max(int(age.max()), 0) + 1, dtype=bool)
    cycle[period::period] = True
    return np.flatnonzero(cycle.take(age, mode="clip"))   # clip: a link not yet started (age < 0) reads age 0


def _over_cap(model, rows) -> np.ndarray:
    """Contracts whose vendor holds more than the dependence limit of its client's outsourced
    value: not renewed, put out to tender instead (keep alternatives)."""
    L, cap = model.links, model.scenario.management.vendor_cap
    client_value, contracts, pair_value = client_dependence(model)
    share = pair_value[L.pair[rows]] / np.maximum(client_value[L.client[rows]], 1e-12)
    return ~L.own[rows] & (share > dependence_limit(cap, contracts[L.client[rows]]) + 1e-9)


def _retender_packages(model, rows, exclude: bool) -> dict:
    """The remaining (or next term's) work of ended client contracts, back on the market."""
    L, cat = model.links, model.catalogue
    rows = rows[L.client[rows] >= 0]
    remaining = np.maximum(L.effort[rows] - L.delivered[rows], 0.0)
    ended = L.start[rows] + L.term[rows] <= model.month
    # a contract that ran its course is needed again for a new term; a terminated one for what is left
    term = np.where(ended, cat.term[L.work_type[rows]], np.maximum(L.start[rows] + L.term[rows] - model.month, 1)).astype(np.int64)
    effort = np.where(ended, L.fte[rows] * term * model.automation_factor[L.work_type[rows]], remaining)
    keep = effort > 1e-6
    rows, term, effort = rows[keep], term[keep], effort[keep]
    outsourced = L.mode[rows] != HIERARCHY
    supplier = L.supplier[rows]
    return make_packages(
        model, L.client[rows], L.work_type[rows], effort, term,
        exclude=np.where(exclude & outsourced, supplier, -1),
        incumbent=np.where(~exclude & outsourced, supplier, -1),
        incumbent_centre=np.where(~exclude & outsourced, L.centre[rows], -1),
        retendered=np.ones(rows.size, dtype=bool), was_outsourced=outsourced,
        previous=np.where(outsourced, supplier, -1),
    )


def _renewal_packages(model, rows) -> np.ndarray:
    """Renew good contracts with the same supplier and centre for a new term; returns the new links."""
    L = model.links
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    cat = model.catalogue
    term = cat.term[L.work_type[rows]].astype(np.int64)
    fte = L.fte[rows] * model.automation_factor[L.work_type[rows]]
    # the new rows are written as they are appended: one gather per column, no scatter
    new = L.append(rows.size, **{name: getattr(L, name).take(rows, axis=0) for name in RENEWED_AS_IS})
    scale = fte / np.maximum(L.fte[rows], 1e-12)
    L.fte[new] = fte
    L.self_fte[new] = fte
    L.effort[new] = fte * term
    L.price_month[new] = L.price_month[rows] * scale
    L.coord_month[new] = L.coord_month[rows] * scale
    L.levy_month[new] = L.levy_month[rows] * scale
    L.inhouse_month[new] = L.inhouse_month[rows] * scale
    L.parent[new] = -1
    L.root[new] = new
    L.start[new] = model.month
    L.term[new] = term
    L.status[new] = ACTIVE
    L.depth[new] = 1
    L.retendered[new] = False
    L.was_outsourced[new] = L.mode[rows] != HIERARCHY
    L.previous_supplier[new] = L.supplier[rows]
    L.automation[new] = model.automation_factor[L.work_type[rows]]
    _regovern(model, new)
    return new


def _regovern(model, rows) -> None:
    """At renewal the parties choose the mode again: trust built on the old contract now counts."""
    L, f, c, r, s = model.links, model.firms, model.centres, model.regions, model.scenario
    out = rows[~L.own[rows]]
    if out.size == 0:
        return
    fam = L.family[out].astype(np.int64)
    centre = L.centre[out]
    team = skill.team_skill(r.skill[c.region[centre]], f.capability[L.supplier[out], fam], c.experience[centre, fam])
    capable = np.clip(team / np.maximum(L.skill_required[out], 1e-9), 0, 1)
    trust = model.trust.get(L.buyer[out], L.supplier[out])
    price = L.price_month[out] * L.term[out]
    mode, _, fail = governance.choose_mode(
        price, L.coord_month[out] * L.term[out], L.complexity[out], L.codifiability[out], capable, trust,
        s.governance, model.streams.governance,
    )
    L.mode[out] = mode
    L.fail_propensity[out] = fail
    contracts.fix_terms(model, out)
