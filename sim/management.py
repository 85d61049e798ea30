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
from .demand import make_packages
from .governance import HIERARCHY
from .market import client_dependence, dependence_limit
from .tables import cells
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
    due = _due_for_review(model, act, m.review_months)
    due = due.take(np.flatnonzero(~L.own.take(due)))  # vendors are reviewed; own teams are managed
    breaches, incidents = L.breaches_period.take(due), L.incidents_period.take(due)
    bad = due[(breaches >= m.breach_limit) | ((incidents > 0) & (L.sensitivity.take(due) >= 0.6))]
    # the period's counters start again (only the links with a count need writing)
    L.breaches_period[due.take(np.flatnonzero(breaches))] = 0
    L.incidents_period[due.take(np.flatnonzero(incidents))] = 0
    np.greater_equal(f.incidents, m.insource_after_incidents, out=f.burned)

    terminated_clients = bad[(L.tier[bad] == 1)]
    terminated_modules = bad[(L.tier[bad] > 1)]
    contracts.end_links(model, terminated_clients, FAILED)
    contracts.end_links(model, terminated_modules, FAILED)
    contracts.take_back(model, terminated_modules)
    events["switched"] = int(terminated_clients.size)

    # ---- contracts reaching the end of their term (nothing below reads ``model.active_links``:
    # the ending contracts, the dependence check and ``end_links`` keep their own lists, so the
    # active set is refreshed once, at the end)
    ending = _ending(model)
    # most work is finished at the end of its term; some is needed again (run-type services)
    continues = rng.random(ending.size) < m.need_continues
    months_done = model.month - L.start[ending]
    good = (L.breaches[ending] <= months_done * 0.25) & (L.incidents[ending] == 0)
    renew = continues & good & (rng.random(ending.size) < m.renew_probability) & ~_over_cap(model, ending)
    renewals = _renewal_packages(model, ending[renew])
    # back on the market, in this order: the terminated contracts (without their vendor), good ones
    # not renewed (the incumbent invited), poor ones (without the incumbent). One call: the columns
    # it reads are fixed when a link is signed, so the terminated ones read the same after their close
    tendered_anyway = ending[continues & ~renew & good]
    poor = ending[continues & ~good]
    retender = _retender_packages(
        model, np.concatenate([terminated_clients, tendered_anyway, poor]),
        exclude=np.concatenate([np.ones(terminated_clients.size, dtype=bool),
                                np.zeros(tendered_anyway.size, dtype=bool), np.ones(poor.size, dtype=bool)]),
    )
    contracts.end_links(model, ending, COMPLETED)
    if renewals.size:
        c = model.centres
        centre = L.centre[renewals]
        np.add.at(c.used, centre, L.fte[renewals])
        c.capacity[centre] = np.maximum(c.capacity[centre], c.used[centre])
    model.refresh_active()
    events["renewed"] = renewals
    events["retender"] = retender
    return events


def _due_for_review(model, act, period: int) -> np.ndarray:
    """The active links whose age is a positive multiple of the review period, in row order.

    Links are only appended, each with ``start`` = the month it is signed (``contracts.sign``,
    ``_renewal_packages``), so ``start`` never decreases along the rows and the links of one
    start month are one run of rows. The due links are the active ones in the runs of months
    ``month - period``, ``month - 2 period``, …: binary searches and slices of ``act`` instead
    of a pass over the start month of every active link."""
    L = model.links
    if act.size == 0:
        return np.zeros(0, dtype=np.int64)
    months = np.arange(model.month - period, int(L.start[0]) - 1, -period)[::-1]
    bounds = act.searchsorted(L.start.searchsorted(np.stack([months, months + 1])))
    return np.concatenate([act[a:b] for a, b in zip(bounds[0].tolist(), bounds[1].tolist())] or [act[:0]])


_ROW_BITS = 40   # (end month, row) packed in one integer key: the row in the low bits


def _ending(model) -> np.ndarray:
    """The active client contracts (tier 1) whose term is over (start + term <= month), in row order.

    Instead of testing every active link each month, tier-1 links are filed by the month their
    term ends, in ``model._term_ends`` (a dict of end month -> row arrays, and the table's length
    when it was last filed): each month the rows appended since are filed and the months due
    are taken out. A link's start and term never change after it is signed, and every contract
    found due is closed in the same month (``settle_and_review`` ends them all), so nothing due
    stays in the book; links closed before their end month stay filed until then and are dropped
    by their status. Rows of one end month are filed in row order, month after month."""
    L, month = model.links, model.month
    kept = getattr(model, "_term_ends", None)   # None on a new model, and in models pickled before
    book, seen = kept if kept is not None else ({}, 0)
    new = seen + np.flatnonzero(L.tier[seen:] == 1)
    if new.size:
        keys = np.sort(((L.start.take(new) + L.term.take(new)) << _ROW_BITS) | new)   # by end month, then row
        end, new = keys >> _ROW_BITS, keys & ((1 << _ROW_BITS) - 1)
        firsts = np.flatnonzero(np.concatenate([[True], end[1:] != end[:-1]]))
        lasts = np.append(firsts[1:], new.size)
        for e, a, b in zip(end.take(firsts).tolist(), firsts.tolist(), lasts.tolist()):
            book.setdefault(e, []).append(new[a:b])
    parts = [rows for e in [e for e in book if e <= month] for rows in book.pop(e)]
    model._term_ends = (book, L.n)
    rows = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    return rows.take(np.flatnonzero(L.status.take(rows) == ACTIVE))


def _over_cap(model, rows) -> np.ndarray:
    """Contracts whose vendor holds more than the dependence limit of its client's outsourced
    value: not renewed, put out to tender instead (keep alternatives). Only the clients of
    ``rows`` are summed (``market.client_dependence``)."""
    L, cap = model.links, model.scenario.management.vendor_cap
    client = L.client[rows]
    client_value, contracts_held, pair_value = client_dependence(model, client)
    share = pair_value[L.pair[rows]] / np.maximum(client_value[client], 1e-12)
    return ~L.own[rows] & (share > dependence_limit(cap, contracts_held[client]) + 1e-9)


def _retender_packages(model, rows, exclude) -> dict:
    """The remaining (or next term's) work of ended client contracts, back on the market; the
    vendor of a row whose ``exclude`` (one flag, or one per row) is set may not bid, otherwise
    it is invited as incumbent."""
    L, cat = model.links, model.catalogue
    at = np.flatnonzero(L.client[rows] >= 0)
    rows, exclude = rows.take(at), np.broadcast_to(exclude, rows.shape).take(at)
    remaining = np.maximum(L.effort[rows] - L.delivered[rows], 0.0)
    ended = L.start[rows] + L.term[rows] <= model.month
    # a contract that ran its course is needed again for a new term; a terminated one for what is left
    term = np.where(ended, cat.term[L.work_type[rows]], np.maximum(L.start[rows] + L.term[rows] - model.month, 1)).astype(np.int64)
    effort = np.where(ended, L.fte[rows] * term * model.automation_factor[L.work_type[rows]], remaining)
    keep = effort > 1e-6
    rows, term, effort, exclude = rows[keep], term[keep], effort[keep], exclude[keep]
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
    # the new rows are written as they are appended: one gather per column, no scatter
    copied = {name: getattr(L, name).take(rows, axis=0) for name in RENEWED_AS_IS}
    work_type = copied["work_type"]
    term = model.catalogue.term[work_type].astype(np.int64)
    automation = model.automation_factor[work_type]
    old_fte = L.fte.take(rows)
    fte = old_fte * automation
    scale = fte / np.maximum(old_fte, 1e-12)
    for name in ("coord_month", "levy_month", "inhouse_month"):
        copied[name] = copied[name] * scale
    new = L.append(
        rows.size, **copied, fte=fte, self_fte=fte, effort=fte * term, price_month=L.price_month.take(rows) * scale,
        parent=-1, root=np.arange(L.n, L.n + rows.size), start=model.month, term=term, status=ACTIVE, depth=1,
        retendered=False, was_outsourced=copied["mode"] != HIERARCHY, previous_supplier=copied["supplier"],
        automation=automation,
    )
    _regovern(model, new)
    return new


def _regovern(model, rows) -> None:
    """At renewal the parties choose the mode again: trust built on the old contract now counts."""
    L, f, c, r, s = model.links, model.firms, model.centres, model.regions, model.scenario
    out = rows[~L.own[rows]]
    if out.size == 0:
        return
    fam = L.family[out].astype(np.int64)
    centre, supplier, term = L.centre[out], L.supplier[out], L.term[out]
    team = skill.team_skill(r.skill[c.region[centre]], cells(f.capability, supplier, fam), cells(c.experience, centre, fam))
    capable = np.clip(team / np.maximum(L.skill_required[out], 1e-9), 0, 1)
    trust = model.trust.get(L.buyer[out], supplier)
    price = L.price_month[out] * term
    mode, _, fail = governance.choose_mode(
        price, L.coord_month[out] * term, L.complexity[out], L.codifiability[out], capable, trust,
        s.governance, model.streams.governance,
    )
    L.mode[out] = mode
    L.fail_propensity[out] = fail
    contracts.fix_terms(model, out)
