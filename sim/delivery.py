"""Delivery: a month of work on every active link — quality, SLA, incidents, money, tax.

Quality of each outsourced link = base − the governance mode's failure propensity −
communication distance on sensitive work − depth below the prime (these are
fixed when the link is signed: ``contracts.fix_terms``) − this month's skill
shortfall − staff attrition at the delivering centre + noise. A link breaches its SLA when quality falls below it. Data
incidents are rarer than breaches and rise with the data's sensitivity, the
chain's depth and weak data regimes where the work is done.

Money: each buyer pays each supplier the link's monthly price (the same
number leaves one account and enters the other); delivering centres pay
wages for the FTE they staff themselves and a bench cost for idle capacity;
profit is booked at the centre and taxed at its region's effective rate.
Clients are funded by what the same work would cost them in-house at home
(their budget), so their balance grows by what outsourcing saves.
"""

from __future__ import annotations

import numpy as np

from . import cost, skill, tax
from .tables import cells
from .world import CLIENT, FIXED_OVERHEAD_USD, team_productivity


def deliver(model) -> dict:
    s, L, f, c, r = model.scenario, model.links, model.firms, model.centres, model.regions
    rng = model.streams.delivery
    act = model.active_links
    # every column is read at the active links' positions with ``take``: the same elements as
    # ``column[act]``, without fancy indexing's general machinery (about a quarter faster at 40k)
    out = {"links": act}
    n = act.size
    centre = L.centre.take(act)
    reg = L.region.take(act)
    fam = L.family.take(act).astype(np.int64)
    band = L.band.take(act)
    supplier = L.supplier.take(act)
    centre_family = centre * c.experience.shape[1] + fam   # flat index of the (centre, family) cells
    exp = c.experience.reshape(-1).take(centre_family)     # = cells(c.experience, centre, fam)

    # ---- quality and SLA: the terms fixed at signing, less this month's skill gap, plus noise
    team = skill.team_skill(r.skill.take(reg), cells(f.capability, supplier, fam), exp)
    gap = skill.shortfall(L.skill_required.take(act), team)
    d = s.delivery
    # SLAs and data incidents are risks of outsourced links; a client's own teams are managed, not reviewed
    own = L.own.take(act)
    outsourced = ~own
    # positions of the outsourced links in ``act``: gathers by position are several times faster
    # than boolean masks whose 0/1 pattern is random (same elements, same order)
    at_out = np.flatnonzero(outsourced)
    o = act.take(at_out)
    centre_o = centre.take(at_out)
    churn = s.evolution.attrition_quality_penalty * c.attrition.take(centre_o)
    quality = np.clip(L.quality_base.take(o) - skill.quality_loss(gap.take(at_out), d.skill_quality_penalty) - churn
                      + rng.normal(0.0, d.quality_noise, o.size), 0.0, 1.0)
    breach_o = quality < L.sla.take(o)
    incident_o = rng.random(o.size) < L.incident_base.take(o) * (1 - r.data_regime).take(reg.take(at_out))
    L.quality[o] = quality
    L.quality_sum[o] = L.quality_sum.take(o) + quality   # = ``+=`` at distinct rows; ``take`` gathers faster
    # the counters only move where a breach or an incident happened (a few % of links)
    breached, hit = o[np.flatnonzero(breach_o)], o[np.flatnonzero(incident_o)]
    L.breaches[breached] += 1
    L.breaches_period[breached] += 1
    L.incidents[hit] += 1
    L.incidents_period[hit] += 1
    f.incidents += np.bincount(L.client.take(hit), minlength=f.n)
    breach = np.zeros(n, dtype=bool)
    breach[at_out] = breach_o
    incident = np.zeros(n, dtype=bool)
    incident[at_out] = incident_o

    # ---- work done this month (awarded = delivered + in progress + failed)
    start = L.start.take(act)
    fte = L.fte.take(act)
    delivered_before = L.delivered.take(act)
    # a month's FTE, or what is left of the effort in a term's last month (a few % of the links:
    # the effort is read there only; the same values as ``np.where(ending, effort - before, fte)``)
    work = fte.copy()
    ending = np.flatnonzero(start + L.term.take(act) <= model.month + 1)   # one month or less left
    work[ending] = L.effort.take(act.take(ending)) - delivered_before.take(ending)
    L.delivered[act] = delivered_before + np.maximum(work, 0.0)
    first = np.flatnonzero(start == model.month)  # signed this month: its first month of delivery

    # ---- money along the links
    # Only outsourced links pay (``payment`` is 0.0 on a client's own links). The accounts and the
    # sums below therefore run over the outsourced subset: adding +0.0 leaves a value bit for bit
    # as it was (none of these sums is ever −0.0: they start at +0.0 and add prices and costs),
    # and ``bincount`` adds in index order, so leaving out zero terms keeps every total the same.
    price = L.price_month.take(act)
    payment = price * outsourced   # (faster than ``np.where``, which branches on the random 0/1 pattern)
    payment_o = price.take(at_out)   # = payment at those positions (price × 1.0)
    L.paid[o] = L.paid.take(o) + payment_o
    L.received[o] = L.received.take(o) + payment_o
    firm_in = np.bincount(supplier.take(at_out), payment_o, f.n)
    buyer = L.buyer.take(act)
    firm_out = np.bincount(buyer.take(at_out), payment_o, f.n)
    # the delivering centre's own staff cost, with the skill gap's extra effort
    prod = team_productivity(r.infrastructure.take(reg), exp) * L.prod_factor.take(act) * (1.0 - c.ramp_loss).take(centre)
    wage = cells(r.wage, reg, band) * L.wage_factor.take(act)
    self_fte = L.self_fte.take(act)
    staff_cost = cost.delivery_cost(self_fte, wage, L.overhead_rate.take(act), prod, skill.effort_factor(gap, s.cost.skill_effort_penalty))
    L.cost_month[act] = staff_cost
    # buyer-side costs: coordination, one-off transition in the first month, offshoring levy
    levy = L.levy_month.take(act)
    coord = L.coord_month.take(act)
    # the transition is paid in the first month only: added at the links signed this month, where the sum
    # is (coordination + transition) + levy; elsewhere it was + 0.0, which leaves coordination as it is
    buyer_cost = coord + levy
    buyer_cost[first] = coord.take(first) + L.transition.take(act.take(first)) + levy.take(first)
    # the levy is zero on most links (it applies to offshored work under a policy): sum only the others
    at_levy = np.flatnonzero(levy != 0)   # (a compare first: nonzero of floats is slow)
    levy_by_region = np.bincount(L.home.take(act.take(at_levy)), levy.take(at_levy), len(r))

    # ---- centres book revenue and costs; profit is taxed where it is booked
    centre_revenue = np.bincount(centre_o, payment_o, c.n)
    centre_cost = np.bincount(centre_o, staff_cost.take(at_out), c.n)
    parent = L.parent.take(act)
    module = parent >= 0
    at_module = np.flatnonzero(module)
    sub_paid = np.bincount(L.centre.take(parent.take(at_module)), payment.take(at_module), c.n)
    # only providers' centres (about one in ten: every client has its home team) book profit and
    # pay tax; the others' idle cost, profit and tax are 0.0, so the work runs over the providers'
    # rows and the full-length arrays (summed pairwise in ``external``) get zeros elsewhere
    prov = np.flatnonzero(~c.own & c.alive)
    prov_region = c.region.take(prov)
    idle = np.maximum(c.capacity.take(prov) - c.used.take(prov), 0.0)
    bench_p = idle * (r.wage[:, 1].take(prov_region) * s.cost.bench_cost_share + FIXED_OVERHEAD_USD * 0.5)
    profit_p = centre_revenue.take(prov) - centre_cost.take(prov) - sub_paid.take(prov) - bench_p
    tax_p = tax.tax_on_profit(profit_p, tax.effective_rate(r).take(prov_region))
    bench = np.zeros(c.n)
    bench[prov] = bench_p
    centre_tax = np.zeros(c.n)
    centre_tax[prov] = tax_p
    region_tax = np.bincount(prov_region, tax_p, len(r)) + levy_by_region
    r.tax_revenue = region_tax
    firm_profit = np.bincount(c.firm.take(prov), profit_p - tax_p, f.n)

    # ---- clients: budget = in-house-at-home cost of their active work; spend = payments + own staff + buyer costs
    at_top = np.flatnonzero(~module)   # client contracts (tier 1), in-house teams included
    client = L.client.take(act)
    inhouse_month = L.inhouse_month.take(act)
    budget = np.bincount(client.take(at_top), inhouse_month.take(at_top), f.n)
    own_cost = np.bincount(buyer, staff_cost * own, f.n)
    buyer_costs = np.bincount(buyer, buyer_cost, f.n)
    is_client = f.kind == CLIENT
    # providers: profit already nets payments to subcontractors; add buyer-side coordination of their modules
    # (one ``where`` for both kinds: each side used to be added to the other's 0.0, which changes nothing)
    delta = np.where(f.alive, np.where(is_client, budget - firm_out - own_cost - buyer_costs, firm_profit - buyer_costs), 0.0)
    f.cash += delta
    # a client whose outsourcing account runs dry is topped up by its core business
    topup = np.where(is_client & f.alive & (f.cash < 0), -f.cash, 0.0)
    f.cash += topup
    f.profit = np.where(is_client, 0.0, firm_profit)
    f.revenue = firm_in

    # the month's gathered link columns, shared with evolution and metrics (no second gather)
    out["view"] = {
        "centre": centre, "centre_family": centre_family, "region": reg, "family": fam, "supplier": supplier, "buyer": buyer, "client": client,
        "own": own, "module": module, "parent": parent, "self_fte": self_fte, "fte": fte,
        "at_outsourced": at_out, "at_module": at_module, "at_top": at_top,  # positions in act
        "outsourced_links": o,  # the rows at at_outsourced, gathered once
        "inhouse_month": inhouse_month, "price": price,
    }
    out.update(
        quality=quality, breach=breach, incident=incident, payment=payment, staff_cost=staff_cost,
        buyer_cost=buyer_cost, wage=wage, region=reg, band=band, centre_tax=centre_tax,
        budget=budget, cash_delta=delta + topup, levy=levy_by_region, topup=topup,
        external=float(budget[f.alive].sum() + topup.sum() - staff_cost.sum() - buyer_cost.sum() - bench.sum() - centre_tax.sum()),
    )
    return out
