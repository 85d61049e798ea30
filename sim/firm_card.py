"""One firm at a glance: what it is, what it holds, whom it works with and what happened to it.

A pure reading of a ``ChainModel``'s tables, shared by the dashboard's Chain
page (a clicked node) and notebooks (``firm_card(model, 42)``). It changes
nothing in the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .scenario import FAMILIES, MODES
from .world import ACTIVE, CLIENT, COMPLETED, FAILED, KINDS


@dataclass
class FirmCard:
    firm: int
    kind: str
    home: str
    alive: bool
    facts: dict[str, object]                               # label -> value, in reading order
    capability: dict[str, float]                           # per work family, 0-1
    centres: list[dict] = field(default_factory=list)      # where it delivers
    buys: list[dict] = field(default_factory=list)         # active links it placed (as client / buyer)
    sells: list[dict] = field(default_factory=list)        # active links it delivers (as vendor)
    past: dict[str, int] = field(default_factory=dict)     # ended links: completed and failed, as buyer and vendor
    history: list[dict] = field(default_factory=list)      # its logged events, oldest first


def parse_firm_id(value, model) -> int:
    """A firm row from a node id ('firm:12'), an int or a digit string; ``LookupError`` if there is no such firm."""
    text = str(value).removeprefix("firm:") if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.isdigit() or not 0 <= int(text) < model.firms.n:
        raise LookupError(f"There is no firm {value!r} in this world.")
    return int(text)


def firm_card(model, firm: int) -> FirmCard:
    """Everything the tables say about one firm, for a card; ``LookupError`` for an unknown firm."""
    firm = parse_firm_id(firm, model)
    f = model.firms
    kind = KINDS[int(f.kind[firm])]
    return FirmCard(
        firm=firm, kind=kind, home=model.region_ids[int(f.home[firm])], alive=bool(f.alive[firm]),
        facts=_client_facts(model, firm) if f.kind[firm] == CLIENT else _provider_facts(model, firm),
        capability=dict(zip(FAMILIES, map(float, f.capability[firm]))),
        centres=_centres(model, firm),
        buys=_links(model, firm, "buyer"),
        sells=_links(model, firm, "supplier"),
        past=_past(model, firm),
        history=_history(model, firm),
    )


def _common_facts(model, firm) -> dict:
    f = model.firms
    facts = {"entered (month)": int(f.entered[firm])}
    if not f.alive[firm]:
        facts["exited (month)"] = int(f.exited[firm])
    return facts


def _client_facts(model, firm) -> dict:
    f, L = model.firms, model.links
    act = model.active_links
    mine = act[(L.buyer[act] == firm) & (L.tier[act] == 1)]
    outsourced = mine[~L.own[mine]]
    total_fte = float(L.fte[mine].sum())
    return {
        **_common_facts(model, firm),
        "industry": model.industries[int(f.industry[firm])] if 0 <= f.industry[firm] < len(model.industries) else "",
        "size (1 = typical client)": round(float(f.size[firm]), 2),
        "work in hand (FTE)": round(total_fte, 1),
        "outsourced share of it": round(float(L.fte[outsourced].sum()) / total_fte, 3) if total_fte > 0 else 0.0,
        "vendors": int(np.unique(L.supplier[outsourced]).size),
        "spend with vendors (USD/month)": round(float(L.price_month[outsourced].sum()), 2),
        "data incidents suffered": int(L.incidents[L.client == firm].sum()),
    }


def _provider_facts(model, firm) -> dict:
    f, c, L, r = model.firms, model.centres, model.links, model.regions
    mine = np.flatnonzero((c.firm == firm) & c.alive)
    act = model.active_links
    work = act[(L.supplier[act] == firm) & ~L.own[act]]
    staffed = L.self_fte[work]
    wage = r.wage[L.region[work], L.band[work]] * L.wage_factor[work]
    return {
        **_common_facts(model, firm),
        "staff (FTE)": round(float(c.capacity[mine].sum()), 1),
        "staff in use (FTE)": round(float(c.used[mine].sum()), 1),
        "mean wage on its work (USD/FTE-month)": round(float((wage * staffed).sum() / staffed.sum()), 2) if staffed.sum() > 0 else None,
        "reputation": round(float(f.reputation[firm]), 3),
        "markup": round(float(f.markup[firm]), 3),
        "win rate": round(float(f.win_rate[firm]), 3),
        "team stability": round(float(f.team_stability[firm]), 3),
        "security": round(float(f.security[firm]), 3),
        "cash (USD)": round(float(f.cash[firm]), 2),
        "revenue last month (USD)": round(float(f.revenue[firm]), 2),
        "profit last month (USD)": round(float(f.profit[firm]), 2),
        "data incidents": int(f.incidents[firm]),
    }


def _centres(model, firm) -> list[dict]:
    c, r = model.centres, model.regions
    rows = np.flatnonzero((c.firm == firm) & c.alive)
    out = []
    for ci in rows.tolist():
        finite = bool(np.isfinite(c.capacity[ci]))
        role = "home team" if c.own[ci] and not finite else "captive centre" if c.own[ci] else "headquarters" if c.hq[ci] else "delivery centre"
        out.append({
            "centre": ci, "role": role, "region": model.region_ids[int(c.region[ci])],
            "staff": round(float(c.capacity[ci]), 1) if finite else None, "used": round(float(c.used[ci]), 1),
            "wage (USD/FTE-month, developer)": round(float(r.wage[c.region[ci], 1]), 2), "opened": int(c.opened[ci]),
        })
    return out


def _links(model, firm, role: str) -> list[dict]:
    """Active links with this firm as ``role`` ('buyer' or 'supplier'), largest first."""
    L, f = model.links, model.firms
    act = model.active_links
    rows = act[getattr(L, role)[act] == firm]
    if role == "supplier":
        rows = rows[~L.own[rows]]      # a client's own teams are listed once, under what it buys
    partner = L.supplier[rows] if role == "buyer" else L.buyer[rows]
    out = []
    for link, other in zip(rows.tolist(), partner.tolist()):
        own = bool(L.own[link])
        out.append({
            "link": link,
            "partner": None if own else other,
            "partner_kind": "own team" if own else KINDS[int(f.kind[other])],
            "partner_home": model.region_ids[int(f.home[other])],
            "mode": MODES[int(L.mode[link])],
            "family": FAMILIES[int(L.family[link])],
            "work": model.catalogue.names[int(L.work_type[link])],
            "tier": int(L.tier[link]),
            "delivered in": model.region_ids[int(L.region[link])],
            "fte": round(float(L.fte[link]), 2),
            "value (USD/month)": round(float(L.price_month[link]), 2),
            "age (months)": int(model.month - L.start[link]),
            "term (months)": int(L.term[link]),
        })
    return sorted(out, key=lambda row: (-row["value (USD/month)"], row["link"]))


def _past(model, firm) -> dict:
    L = model.links
    ended = L.status != ACTIVE
    out = {}
    for role in ("buyer", "supplier"):
        mine = ended & (getattr(L, role) == firm) & ~L.own
        out[f"as {role}: completed"] = int((mine & (L.status == COMPLETED)).sum())
        out[f"as {role}: failed"] = int((mine & (L.status == FAILED)).sum())
    return out


def _history(model, firm) -> list[dict]:
    events = model.events()
    if events.empty:
        return []
    mine = events[events.firm == firm]
    return [{"month": int(e.step), "event": e.kind, "region": e.region, "family": e.family, "detail": e.detail}
            for e in mine.itertuples(index=False)]
