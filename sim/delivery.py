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
    exp = cells(c.experience, centre, fam)

    # ---- quality and SLA: the terms fixed at signing, less this month's skill gap, plus noise
    team = skill.team_skill(r.skill.take(reg), cells(f.capability, supplier, fam), exp)
    gap = skill.shortfall(L.skill_required.take(act), team)
    d = s.delivery
    # SLAs and data incidents are risks of outsourced links; a client's own teams are managed, not reviewed
    outsourced = ~L.own.take(act)
    # positions of the outsourced links in ``act``: gathers by position are several times faster
    # than boolean masks whose 0/1 pattern is random (same elements, same order)
    at_out = np.flatnonzero(outsourced)
    o = act.take(at_out)
    churn = s.evolution.attrition_quality_penalty * c.attrition.take(centre.take(at_out))
    quality = np.clip(L.quality_base.take(o) - skill.quality_loss(gap.take(at_out), d.skill_quality_penalty) - churn
                      + rng.normal(0.0, d.quality_noise, o.size), 0.0, 1.0)
    breach_o = quality < L.sla.take(o)
    incident_o = rng.random(o.size) < L.incident_base.take(o) * (1 - r.data_regime.take(reg.take(at_out)))
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
    months_left = start + L.term.take(act) - model.month
    fte = L.fte.take(act)
    delivered_before = L.delivered.take(act)
    L.delivered[act] = delivered_before + np.maximum(np.where(months_left <= 1, L.effort.take(act) - delivered_before, fte), 0.0)
    first = start == model.month  # signed this month: its first month of delivery

    # ---- money along the links
    price = L.price_month.take(act)
    payment = price * outsourced
    L.paid[act] = L.paid.take(act) + payment
    L.received[act] = L.received.take(act) + payment
    firm_in = np.bincount(supplier, payment, f.n)
    buyer = L.buyer.take(act)
    firm_out = np.bincount(buyer, payment, f.n)
    # the delivering centre's own staff cost, with the skill gap's extra effort
    prod = team_productivity(r.infrastructure.take(reg), exp) * L.prod_factor.take(act) * (1.0 - c.ramp_loss.take(centre))
    wage = cells(r.wage, reg, band) * L.wage_factor.take(act)
    self_fte = L.self_fte.take(act)
    staff_cost = cost.delivery_cost(self_fte, wage, L.overhead_rate.take(act), prod, skill.effort_factor(gap, s.cost.skill_effort_penalty))
    L.cost_month[act] = staff_cost
    # buyer-side costs: coordination, one-off transition in the first month, offshoring levy
    levy = L.levy_month.take(act)
    buyer_cost = L.coord_month.take(act) + np.where(first, L.transition.take(act), 0.0) + levy
    levy_by_region = np.bincount(L.home.take(act), levy, len(r))

    # ---- centres book revenue and costs; profit is taxed where it is booked
    centre_revenue = np.bincount(centre, payment, c.n)
    centre_cost = np.bincount(centre, staff_cost * outsourced, c.n)
    parent = L.parent.take(act)
    module = parent >= 0
    at_module = np.flatnonzero(module)
    sub_paid = np.bincount(L.centre.take(parent.take(at_module)), payment.take(at_module), c.n)
    provider = ~c.own & c.alive
    idle = np.where(provider, np.maximum(c.capacity - c.used, 0.0), 0.0)
    bench = idle * (r.wage[c.region, 1] * s.cost.bench_cost_share + FIXED_OVERHEAD_USD * 0.5)
    centre_profit = np.where(provider, centre_revenue - centre_cost - sub_paid - bench, 0.0)
    rate = tax.effective_rate(r)[c.region]
    centre_tax = tax.tax_on_profit(centre_profit, rate)
    region_tax = np.bincount(c.region, centre_tax, len(r)) + levy_by_region
    r.tax_revenue = region_tax
    firm_profit = np.bincount(c.firm, centre_profit - centre_tax, f.n)

    # ---- clients: budget = in-house-at-home cost of their active work; spend = payments + own staff + buyer costs
    at_top = np.flatnonzero(~module)   # client contracts (tier 1), in-house teams included
    client = L.client.take(act)
    inhouse_month = L.inhouse_month.take(act)
    budget = np.bincount(client.take(at_top), inhouse_month.take(at_top), f.n)
    own_cost = np.bincount(buyer, staff_cost * ~outsourced, f.n)
    buyer_costs = np.bincount(buyer, buyer_cost, f.n)
    is_client = f.kind == CLIENT
    client_delta = np.where(is_client, budget - firm_out - own_cost - buyer_costs, 0.0)
    # providers: profit already nets payments to subcontractors; add buyer-side coordination of their modules
    provider_delta = np.where(is_client, 0.0, firm_profit - buyer_costs)
    delta = np.where(f.alive, client_delta + provider_delta, 0.0)
    f.cash += delta
    # a client whose outsourcing account runs dry is topped up by its core business
    topup = np.where(is_client & f.alive & (f.cash < 0), -f.cash, 0.0)
    f.cash += topup
    f.profit = np.where(is_client, 0.0, firm_profit)
    f.revenue = firm_in

    # the month's gathered link columns, shared with evolution and metrics (no second gather)
    out["view"] = {
        "centre": centre, "region": reg, "family": fam, "supplier": supplier, "buyer": buyer, "client": client,
        "own": ~outsourced, "module": module, "parent": parent, "self_fte": self_fte, "fte": fte,
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
