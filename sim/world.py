"""The initial world: regions, firms, delivery centres, an empty chain.

Everything is created in bulk from the scenario with the ``setup`` random
stream. Chains are not pre-wired: the first months show them forming.
"""

from __future__ import annotations

import numpy as np

from .catalogue import Catalogue
from .scenario import FAMILIES, Scenario
from .tables import Table
from .world_data import load_regions

CLIENT, PRIME, SUB = 0, 1, 2
KINDS = ("client", "prime", "subcontractor")
NF = len(FAMILIES)
FIXED_OVERHEAD_USD = 500.0  # facilities, IT, telecom per FTE-month, priced globally (docs: calibration)
EXPECTED_OUTSOURCED_SHARE = 0.6  # sizing only: initial provider capacity; the market decides the real share


def region_table(scenario: Scenario) -> tuple[Table, dict]:
    data = load_regions(scenario)
    n = len(data["region_id"])
    macros = sorted(set(data["macro_region"]))
    t = Table(
        {
            "wage": (float, 3), "base_wage": (float, 3), "skill": float, "english": float, "utc": float,
            "tax_rate": float, "tax_incentive": float, "infrastructure": float, "risk": float,
            "data_regime": float, "adequate": bool, "eu": bool, "localised": bool, "macro": np.int64,
            "talent_pool": float, "talent_pool_share": float, "employed": float, "cluster": float,
            "tax_revenue": float, "backlash_tax": float, "park": float,
        },
        capacity=n,
    )
    t.append(
        n,
        wage=data["wage"], base_wage=data["wage"], skill=data["skill"], english=data["english"], utc=data["utc"],
        tax_rate=data["tax_rate"], tax_incentive=data["tax_incentive"], infrastructure=data["infrastructure"],
        risk=data["risk"], data_regime=data["data_regime"], adequate=data["adequate"], eu=data["eu"],
        macro=[macros.index(m) for m in data["macro_region"]], talent_pool_share=data["talent_pool_share"],
    )
    return t, data


def firm_table(capacity: int) -> Table:
    return Table(
        {
            "kind": np.int8, "home": np.int64, "alive": bool, "cash": float, "size": float,
            "reputation": float, "markup": float, "security": float, "capability": (float, NF),
            "team_stability": float, "entered": np.int64, "exited": np.int64, "loss_months": np.int64,
            "win_rate": float, "bids": float, "wins": float, "incidents": np.int64, "burned": bool,
            "profit": float, "revenue": float, "industry": np.int64,
            "upgraded": np.int64, "served": np.int64,  # bit flags: upgrades recorded, families ever served
            "work_done": (float, NF), "first_served": np.int64,  # cumulative FTE-months by family; month of first work
        },
        capacity=capacity,
    )


def centre_table(capacity: int) -> Table:
    return Table(
        {
            "firm": np.int64, "region": np.int64, "capacity": float, "used": float,
            "experience": (float, NF), "opened": np.int64, "alive": bool, "own": bool, "hq": bool,
            "new_staff": float, "attrition": float, "ramp_loss": float,
        },
        capacity=capacity,
    )


def link_table(capacity: int) -> Table:
    """Contracts (tier 1) and subcontracts (tier 2+), one row each, kept after they end."""
    return Table(
        {
            "buyer": np.int64, "supplier": np.int64, "centre": np.int64, "client": np.int64,
            "home": np.int64, "tier": np.int8, "parent": np.int64, "root": np.int64,
            "work_type": np.int64, "family": np.int8, "mode": np.int8, "location": np.int8,
            "effort": float, "fte": float, "self_fte": float, "delivered": float, "failed": float,
            "price_month": float, "coord_month": float, "transition": float, "inhouse_month": float,
            "complexity": float, "codifiability": float, "sensitivity": float, "skill_required": float,
            "tz_sens": float, "lang_sens": float, "sla": float,
            "start": np.int64, "term": np.int64, "status": np.int8,
            "quality_sum": float, "months_done": np.int64, "breaches": np.int64, "breaches_period": np.int64,
            "incidents": np.int64, "incidents_period": np.int64, "paid": float, "received": float,
            "retendered": bool, "was_outsourced": bool, "depth": np.int8, "levy_month": float,
            "fail_propensity": float, "own": bool, "cost_month": float, "quality": float,
            "previous_supplier": np.int64, "pair": np.int64,
            # terms fixed when the link is signed (see contracts.fix_terms)
            "region": np.int64, "band": np.int64, "quality_base": float, "incident_base": float,
            "overhead_rate": float, "wage_factor": float, "prod_factor": float, "automation": float,
        },
        capacity=capacity,
    )


ACTIVE, COMPLETED, FAILED = 0, 1, 2


def expected_outsourced_fte(scenario: Scenario, catalogue: Catalogue) -> float:
    """Steady-state FTE of client demand: clients × need rate × mean package effort × recurrences."""
    fam = np.array([scenario.demand.family_shares.get(f, 0.0) for f in FAMILIES])
    fam = fam / fam.sum()
    within = catalogue.demand_share / np.bincount(catalogue.family, catalogue.demand_share, NF)[catalogue.family]
    share = fam[catalogue.family] * within
    mean_effort = float((share * catalogue.effort).sum())
    # each need's work recurs after its term with probability p: 1 / (1 − p) terms on average
    recurrences = 1.0 / max(1.0 - scenario.management.need_continues, 0.05)
    return scenario.world.clients * scenario.demand.needs_per_client_month * mean_effort * recurrences


def populate(model) -> None:
    """Create firms and centres in bulk; the model's tables are empty before this."""
    s, rng, regions, cat = model.scenario, model.streams.setup, model.regions, model.catalogue
    R = len(regions)
    w = s.world
    region_ids = model.region_ids

    # ---- clients: home by demand shares, size log-normal with mean 1
    home_w = np.array([s.demand.home_shares.get(rid, 0.0) for rid in region_ids])
    if home_w.sum() <= 0:
        home_w = np.ones(R)
    home = rng.choice(R, size=w.clients, p=home_w / home_w.sum())
    sigma = s.demand.client_size_sigma
    size = rng.lognormal(-sigma**2 / 2, sigma, size=w.clients)
    demand_fte = expected_outsourced_fte(s, cat)
    per_client_spend = demand_fte / max(w.clients, 1) * regions.wage[home, 1] * 1.5
    shares = np.array(list(s.demand.industry_shares.values()), dtype=float)
    industry = rng.choice(shares.size, size=w.clients, p=shares / shares.sum())
    clients = model.firms.append(
        w.clients, kind=CLIENT, home=home, alive=True, size=size, industry=industry,
        cash=per_client_spend * size * s.evolution.client_cash_months,
        reputation=0.8, security=1.0, team_stability=0.9,
        capability=np.clip(rng.uniform(0.3, 0.6, (w.clients, NF)) + 0.3 * regions.skill[home, None] - 0.15, 0.05, 1),
        entered=0, exited=-1,
    )
    # every client has an in-house team at home (unbounded) …
    model.inhouse_centre = np.full(model.firms.n, -1, dtype=np.int64)
    rows = model.centres.append(
        w.clients, firm=clients, region=home, capacity=np.inf, alive=True, own=True, opened=0,
        experience=0.5,
    )
    model.inhouse_centre[clients] = rows
    # … and some own a captive centre abroad, placed where cost-adjusted attractiveness is best
    model.captive_centre = np.full(model.firms.n, -1, dtype=np.int64)
    n_captive = round(w.captive_share * w.clients)
    if n_captive:
        big = clients[np.argsort(-size, kind="stable")[:n_captive]]
        attract = host_attractiveness(model)
        weights = attract[home[big - clients[0]]]
        weights[np.arange(n_captive), home[big - clients[0]]] = 0.0
        place = np.array([rng.choice(R, p=row / row.sum()) for row in weights])
        cap = demand_fte / w.clients * size[big - clients[0]] * 0.6
        rows = model.centres.append(
            n_captive, firm=big, region=place, capacity=cap, alive=True, own=True, opened=0, experience=0.3,
        )
        model.captive_centre[big] = rows

    # ---- providers: capacity sized to the demand expected to leave clients' home teams
    outsourced_fte = demand_fte * EXPECTED_OUTSOURCED_SHARE
    prime_capacity = outsourced_fte * 0.75 * w.capacity_headroom
    sub_capacity = outsourced_fte * 0.25 * w.capacity_headroom
    talent = regions.talent_pool_share
    attract_all = host_attractiveness(model).mean(axis=0) * (0.5 + talent / talent.max())
    hq_weight = 0.5 * talent / talent.sum() + 0.5 * home_w / home_w.sum()
    _add_providers(model, PRIME, w.primes, hq_weight, attract_all, prime_capacity, w.max_centres_per_prime, (0.45, 0.9), (0.5, 1.0))
    if w.subcontractors:
        sub_w = attract_all * talent
        _add_providers(model, SUB, w.subcontractors, sub_w / sub_w.sum(), attract_all, sub_capacity, 1, (0.2, 0.65), (0.3, 0.85))

    regions.employed = np.bincount(model.centres.region[~model.centres.own], model.centres.capacity[~model.centres.own], R)
    world_pool = s.evolution.talent_headroom * (prime_capacity + sub_capacity)
    # every region can at least double the services employment it starts with
    regions.talent_pool = np.maximum(regions.talent_pool_share * world_pool, regions.employed * 2.0)
    extend_firm_index(model)


def _add_providers(model, kind, n, hq_weight, attract, total_capacity, max_centres, cap_range, sec_range):
    s, rng, regions = model.scenario, model.streams.setup, model.regions
    R = len(regions)
    home = rng.choice(R, size=n, p=hq_weight / hq_weight.sum())
    scale = rng.lognormal(0, 0.9, size=n)
    firm_capacity = total_capacity * scale / scale.sum()
    capability = rng.uniform(*cap_range, (n, NF))
    # specialisation: one family is weaker for most providers
    weak = rng.integers(0, NF, n)
    capability[np.arange(n), weak] *= rng.uniform(0.3, 0.8, n)
    overhead = s.cost.overhead if kind == PRIME else s.cost.subcontractor_overhead
    wage_bill = np.maximum(firm_capacity, s.evolution.core_team_fte) * (regions.wage[home, 1] * (1 + overhead) + FIXED_OVERHEAD_USD)
    firms = model.firms.append(
        n, kind=kind, home=home, alive=True, size=scale, cash=wage_bill * s.evolution.initial_cash_months,
        reputation=rng.uniform(0.55, 0.8, n), markup=s.cost.initial_markup, security=rng.uniform(*sec_range, n),
        capability=capability, team_stability=rng.uniform(0.65, 0.92, n), entered=0, exited=-1, win_rate=0.3,
    )
    n_centres = 1 + (rng.binomial(max_centres - 1, 0.45, n) if max_centres > 1 else np.zeros(n, dtype=int))
    n_centres = np.minimum(n_centres, 1 + (scale > np.median(scale)) * (max_centres - 1))
    owner = np.repeat(firms, n_centres)
    first = np.r_[0, np.cumsum(n_centres)[:-1]]
    is_home = np.zeros(owner.size, dtype=bool)
    is_home[first] = True
    p = attract / attract.sum()
    region = np.where(is_home, model.firms.home[owner], rng.choice(R, size=owner.size, p=p))
    split = rng.dirichlet(np.ones(max_centres), size=n)[:, :max_centres]
    share = np.concatenate([split[i, : n_centres[i]] / split[i, : n_centres[i]].sum() for i in range(n)])
    capacity = np.maximum(np.repeat(firm_capacity, n_centres) * share, np.where(is_home, s.evolution.core_team_fte, 0.0))
    model.centres.append(
        owner.size, firm=owner, region=region, capacity=capacity, hq=is_home,
        alive=True, own=False, opened=0, experience=rng.uniform(0.1, 0.5, (owner.size, NF)),
    )


def host_attractiveness(model) -> np.ndarray:
    """R×R: how attractive delivery region r looks from home h (cheaper after tax, safer, closer)."""
    r, geo, s = model.regions, model.geography, model.scenario
    # after-tax: a provider prices for its margin after the tax of the region it books profit in
    rate = np.clip(r.tax_rate * (1.0 - r.tax_incentive), 0.0, 0.95)
    unit = (r.wage[:, 1] * (1 + s.cost.overhead) + FIXED_OVERHEAD_USD) / productivity(r, 0.0)
    unit = unit * (1.0 + s.cost.initial_markup / (1.0 - rate))
    cost_rel = unit[None, :] / unit[:, None]
    dist = 0.5 * (geo.tz + geo.lang)
    return np.sqrt(1.0 / cost_rel) * (1 - r.risk[None, :]) * (1 - 0.5 * dist) + 1e-9


def team_productivity(infrastructure, experience):
    """Output per FTE: infrastructure sets the base, experience (0–1) adds up to 25%."""
    return (0.7 + 0.3 * infrastructure) * (1 + 0.25 * experience)


def productivity(regions, experience) -> np.ndarray:
    return team_productivity(regions.infrastructure, experience)


def wide(v: np.ndarray) -> np.ndarray:
    """``v[:, None]`` as a contiguous N×NF array (each row's value repeated across the families).

    Against a broadcast column numpy's inner loop runs over only the NF elements of a row, so an
    elementwise op on an N×3 array costs ~4x one over contiguous memory; building this copy first
    halves the cost of the op (the same values, so the same results)."""
    return np.stack((v,) * NF, axis=1)


def extend_firm_index(model) -> None:
    """Grow per-firm side arrays (in-house and captive centre ids) to the firm table's size.

    Each is a view of the first ``n`` entries of a buffer grown by doubling, whose unused entries
    stay -1 (as the tables grow theirs): entry, a few firms a month, does not copy the arrays."""
    n = model.firms.n
    for name in ("inhouse_centre", "captive_centre"):
        arr = getattr(model, name)
        if arr.size < n:
            buf = arr.base
            if not (isinstance(buf, np.ndarray) and buf.ndim == 1 and buf.size >= n
                    and np.shares_memory(buf[:1], arr[:1])):   # not a prefix of a large enough buffer
                buf = np.full(max(n, 2 * arr.size), -1, dtype=np.int64)
                buf[: arr.size] = arr
            setattr(model, name, buf[:n])
