"""Clients' needs: the work packages that enter the market each month.

Each client draws Poisson(rate × size) new packages a month; the work type
follows the family shares of the scenario and the catalogue's mix within a
family; effort is log-normal around the catalogue mean, cut by any AI
automation in force for the type; the client's industry adds to the data
sensitivity of its work (financial data is regulated). Packages are columns, not objects.
"""

from __future__ import annotations

import numpy as np

from .scenario import FAMILIES
from .world import CLIENT

PACKAGE_FIELDS = (
    "buyer", "client", "home", "space_home", "work_type", "family", "effort", "term", "fte",
    "complexity", "codifiability", "sensitivity", "skill_required", "tz_sens", "lang_sens",
    "tier", "parent", "exclude", "incumbent", "retendered", "was_outsourced", "keep_centre", "previous",
    "incumbent_centre",
)


def empty_packages() -> dict:
    pk = {name: np.zeros(0) for name in PACKAGE_FIELDS}
    pk["n"] = 0
    return pk


def make_packages(model, client, work_type, effort, term, **extra) -> dict:
    """Tier-1 packages from clients' needs, with catalogue attributes filled in."""
    cat = model.catalogue
    n = client.size
    home = model.firms.home.take(client)
    # the columns that start as "none" (−1) or False share one array each, read-only so that no
    # writer can change them all at once (new arrays are built whenever a column changes)
    none, no = np.full(n, -1), np.zeros(n, dtype=bool)
    none.flags.writeable = no.flags.writeable = False
    pk = {
        "n": n, "buyer": client, "client": client, "home": home, "space_home": home,
        "work_type": work_type, "family": cat.family.take(work_type), "effort": effort, "term": term,
        "fte": effort / term, "complexity": cat.complexity.take(work_type), "codifiability": cat.codifiability.take(work_type),
        "sensitivity": np.clip(cat.data_sensitivity.take(work_type) + model.industry_sensitivity.take(model.firms.industry.take(client)), 0.0, 1.0),
        "skill_required": cat.skill_required.take(work_type),
        "tz_sens": cat.timezone_sensitivity.take(work_type), "lang_sens": cat.language_sensitivity.take(work_type),
        "tier": np.ones(n, dtype=np.int64), "parent": none, "exclude": none,
        "incumbent": none, "retendered": no, "was_outsourced": no,
        "keep_centre": none, "previous": none, "incumbent_centre": none,
    }
    pk.update(extra)
    return pk


def type_probabilities(model) -> np.ndarray:
    cat, s = model.catalogue, model.scenario
    fam = np.array([s.demand.family_shares.get(f, 0.0) for f in FAMILIES], dtype=float)
    fam = fam / fam.sum()
    within = cat.demand_share / np.bincount(cat.family, cat.demand_share, len(FAMILIES))[cat.family]
    p = fam[cat.family] * within
    return p / p.sum()


def draw_needs(model) -> dict:
    rng, f, cat, s = model.streams.demand, model.firms, model.catalogue, model.scenario
    clients = np.flatnonzero((f.kind == CLIENT) & f.alive)
    counts = rng.poisson(s.demand.needs_per_client_month * f.size[clients])
    client = np.repeat(clients, counts)
    n = client.size
    work_type = rng.choice(len(cat), size=n, p=type_probabilities(model))
    sigma = s.demand.effort_sigma
    effort = cat.effort.take(work_type) * rng.lognormal(-sigma**2 / 2, sigma, n) * model.automation_factor.take(work_type)
    term = cat.term.take(work_type).astype(np.int64)
    return make_packages(model, client, work_type, np.maximum(effort, 0.5), term)


def concat(a: dict, b: dict) -> dict:
    if a["n"] == 0:
        return b
    if b["n"] == 0:
        return a
    out = {k: np.concatenate([np.asarray(a[k]), np.asarray(b[k])]) for k in PACKAGE_FIELDS}
    out["n"] = a["n"] + b["n"]
    return out

