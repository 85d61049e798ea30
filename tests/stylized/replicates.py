"""Replicate runs for the stylized-fact tests, and the monthly series the facts are read from.

A fact is a claim about effects that show through the noise of a whole
world, so each is measured over replicate worlds of the bundled scenarios at
their full size, on the seeds ``chainsim compare`` spawns from its default
base seed (common random numbers: a scenario and the baseline share each
seed, and are identical until the scenario's first event). The metrics frame
has no work-type or per-firm columns, so a run is stepped here and what the
facts need is read from the link table after every month; the model itself
is let go once its series are kept (``release``), so that some 170 runs fit in memory.
"""

from __future__ import annotations

import gc
import itertools
from dataclasses import dataclass

import numpy as np

from sim import ChainModel, load_scenario
from sim.experiments.design import replicate_seeds
from sim.world import PRIME, SUB

# As ``chainsim compare --replicates 48`` (base seed 1). Policy effects on a region's share are a
# few hundredths to tenths of a percentage point against a run-to-run spread of about 0.6 points:
# 48 replicates are what the time budget allows. Effects of a tenth of the affected work or more
# show through the first 16.
SEEDS = tuple(replicate_seeds(1, 48))
FEW_SEEDS = SEEDS[:16]
CUSTOMER_CONTACT = "bpo_customer_contact"


class Tracked:
    """A finished run's monthly series (row 0 = month 1).

    - ``share``: months × regions, each region's share of delivered FTE outside clients' home
      teams (as ``tests.helpers.pooled_share`` counts it);
    - ``fte_by_type``: months × work types, FTE of all first-tier work, clients' own teams included;
    - ``skill``: months × regions, workforce skill;
    - ``contact_spend`` / ``contact_inhouse``: seed 001's case, see ``_customer_contact``.
    """

    def __init__(self, scenario: str, seed: int, months: int | None = None):
        model = ChainModel(load_scenario(scenario), seed=seed)
        self.region_ids = list(model.region_ids)
        self.catalogue = model.catalogue
        fte_by_type, skill, spend, inhouse = [], [], [], []
        for _ in range(model.scenario.world.months if months is None else months):
            model.step()
            L, act = model.links, model.active_links
            first_tier = act[L.tier[act] == 1]
            fte_by_type.append(np.bincount(L.work_type[first_tier], L.fte[first_tier], len(model.catalogue)))
            skill.append(model.regions.skill.copy())
            spent, would_cost = _customer_contact(model)
            spend.append(spent)
            inhouse.append(would_cost)
        self.fte_by_type, self.skill = np.array(fte_by_type), np.array(skill)
        self.contact_spend, self.contact_inhouse = np.array(spend), np.array(inhouse)
        self.share = _shares(model)
        release(model)

    def region(self, region_id: str) -> int:
        return self.region_ids.index(region_id)


def _customer_contact(model) -> tuple[float, float]:
    """Seed 001's case: customer service outsourced to a region whose labour is cheaper than at home.

    Returns this month's client spend on it and what the same work would cost in-house at home:
    the ``client_savings_share`` accounting (payments, coordination, first-month transition and
    any levy, against the in-house cost fixed when the contract was signed) restricted to that case."""
    d = model.last_delivery
    act, v = d["links"], d["view"]
    wage = model.regions.wage
    cheaper = wage[v["region"], d["band"]] < wage[model.links.home[act], d["band"]]
    case = (model.links.work_type[act] == model.catalogue.names.index(CUSTOMER_CONTACT)) & ~v["own"] & ~v["module"] & cheaper
    return float((d["payment"] + d["buyer_cost"])[case].sum()), float(v["inhouse_month"][case].sum())


def _shares(model) -> np.ndarray:
    df = model.metrics()
    d = df[(df.metric == "delivered_fte") & (df.location != "inhouse")]
    fte = d.pivot_table(index="step", columns="region", values="value", aggfunc="sum", fill_value=0.0)
    fte = fte.reindex(columns=model.region_ids, fill_value=0.0)
    return (fte.to_numpy() / fte.to_numpy().sum(axis=1, keepdims=True))


_released = itertools.count(1)


def release(model) -> None:
    """Let a finished model go: models are cycles (agents and mechanisms point back at them),
    so they are freed only when the collector runs; a full collection takes ~0.2 s here, so
    it runs every eighth release. (Mesa 3.3's own leak, mesa#3179, is fixed in sim.agents.)"""
    del model
    if next(_released) % 8 == 0:
        gc.collect()


def window(series, first: int, last: int) -> np.ndarray:
    """Mean of a monthly series over months ``first``..``last`` (1-based, inclusive)."""
    return np.asarray(series)[first - 1:last].mean(axis=0)


def mean_se(values) -> tuple[float, float]:
    """Mean over replicates and its standard error."""
    x = np.asarray(values, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


# --------------------------------------------------------------------------- a prime fails

FAILURE_MONTH = 24          # the world has formed its chains
FAILING_PRIMES = 5          # of the ~80 primes that have subcontractors then
AFTER_FAILURE = 6           # months watched after it


@dataclass
class PrimeFailure:
    """Twin worlds of one seed, identical until a few primes in one of them run out of cash.

    The primes are drawn at random among those with subcontractors at ``FAILURE_MONTH``; their
    cash is set below zero at the end of that month and the model's own failure path does the
    rest (they exit in the next month's evolution step; their contracts and every module below
    them fail). Per firm existing at the failure month:"""

    primes: np.ndarray
    subcontractor: np.ndarray     # a living subcontractor at the failure month
    exposure: np.ndarray          # FTE it delivered in the failing primes' chains that month
    before: np.ndarray            # FTE it delivered that month
    after: np.ndarray             # mean FTE it delivered over the months after, in the world with the failure
    twin_after: np.ndarray        # the same in the twin world without it


def delivered_by_firm(model, n: int) -> np.ndarray:
    """FTE each of the first ``n`` firms delivers itself as a vendor this month."""
    L, act = model.links, model.active_links
    vendor = act[~L.own[act]]
    return np.bincount(L.supplier[vendor], L.self_fte[vendor], model.firms.n)[:n]


def fail_primes(seed: int) -> PrimeFailure:
    shaken, twin = (ChainModel(load_scenario("baseline"), seed=seed).run(FAILURE_MONTH) for _ in range(2))
    L, f, act = shaken.links, shaken.firms, shaken.active_links
    n = f.n
    modules = act[(L.tier[act] >= 2) & (f.kind[L.supplier[act]] == SUB)]
    with_subs = np.unique(L.buyer[modules[(L.tier[modules] == 2) & (f.kind[L.buyer[modules]] == PRIME)]])
    primes = np.random.default_rng(seed).choice(with_subs, size=min(FAILING_PRIMES, with_subs.size), replace=False)
    in_their_chains = modules[np.isin(L.supplier[L.root[modules]], primes)]
    exposure = np.bincount(L.supplier[in_their_chains], L.self_fte[in_their_chains], n)
    subcontractor = (f.kind == SUB) & f.alive
    before = delivered_by_firm(shaken, n)
    assert np.array_equal(before, delivered_by_firm(twin, n)), "twin worlds should be identical until the failure"
    f.cash[primes] = -1e12
    after, twin_after = np.zeros(n), np.zeros(n)
    for _ in range(AFTER_FAILURE):
        shaken.step()
        twin.step()
        after += delivered_by_firm(shaken, n) / AFTER_FAILURE
        twin_after += delivered_by_firm(twin, n) / AFTER_FAILURE
    assert not shaken.firms.alive[primes].any(), "the primes whose cash ran out should have failed"
    release(shaken)
    release(twin)
    return PrimeFailure(primes, subcontractor.copy(), exposure, before, after, twin_after)
