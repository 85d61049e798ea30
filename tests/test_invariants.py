"""The books balance every month of a long run, and the outputs are complete."""

from __future__ import annotations

import numpy as np
import pytest

import sim.invariants as invariants
from helpers import build, run_model
from sim.metrics import METRICS
from sim.trust import TrustBook
from sim.world import ACTIVE


def structural_problems(model) -> list[str]:
    """Chain bookkeeping the engine relies on (beyond sim.invariants)."""
    L, c = model.links, model.centres
    act = np.flatnonzero(L.status == ACTIVE)
    problems = []
    # a centre's used capacity is exactly the FTE its active links staff themselves
    used = np.bincount(L.centre[act], L.self_fte[act], c.n)
    bounded = np.isfinite(c.capacity) & c.alive
    if not np.allclose(used[bounded], c.used[bounded], rtol=1e-9, atol=1e-6):
        problems.append("centre used capacity != staffed FTE of its active links")
    kids = act[L.parent[act] >= 0]
    if (L.status[L.parent[kids]] != ACTIVE).any():
        problems.append("an active module hangs below an ended link")
    if (L.tier[kids] != L.tier[L.parent[kids]] + 1).any():
        problems.append("a module's tier is not its parent's tier + 1")
    # what a supplier staffs itself = its link's FTE less the modules it passed on
    passed = np.bincount(L.parent[kids], L.fte[kids], L.n)
    if not np.allclose(L.fte[act] - passed[act], L.self_fte[act], atol=1e-6):
        problems.append("self FTE != FTE - active modules' FTE")
    if (L.tier[act] > model.scenario.world.max_tier).any():
        problems.append("a link deeper than world.max_tier")
    return problems


def test_invariants_hold_every_month_for_120_months():
    model = build({"world.months": 120}, seed=11)
    for _ in range(120):
        model.step()
        invariants.check(model)
        assert structural_problems(model) == [], f"month {model.month}"
    assert model.month == 120
    assert not model.running
    df = model.metrics()
    assert not df.isna().any().any()
    assert np.isfinite(df.value).all()
    assert set(METRICS) <= set(df.metric.astype(str).unique())
    assert sorted(df.step.unique()) == list(range(1, 121))


@pytest.mark.parametrize("overrides", [
    {"delivery.sla_target": 0.95},           # most links breach: reviews, failures, re-tenders
    {"management.vendor_cap": 0.25},          # the cap binds often
    {"world.max_tier": 1},                    # no subcontracting at all
    {"world.subcontractors": 0},
    {"events": [{"month": 6, "kind": "ai_automation", "target": "", "magnitude": 0.5},
                {"month": 8, "kind": "tax_rate", "target": "IND", "magnitude": 0.3, "duration": 12},
                {"month": 10, "kind": "data_localisation", "target": "DEU", "magnitude": 1.0}]},
], ids=["sla-0.95", "cap-0.25", "max-tier-1", "no-subcontractors", "events"])
def test_invariants_hold_under_stress(overrides):
    model = build({**overrides, "world.months": 48}, seed=3)
    for _ in range(48):
        model.step()
        invariants.check(model)
        assert structural_problems(model) == [], f"month {model.month}"
    assert not model.metrics().isna().any().any()


def test_invariant_check_catches_a_broken_book():
    model = run_model(seed=2, months=6)
    invariants.check(model)
    model.links.received[0] += 1.0
    with pytest.raises(invariants.InvariantError, match="paid and received"):
        invariants.check(model)


def test_metric_values_are_sane(small_metrics):
    df = small_metrics
    for name in ("delivered_fte", "employment_direct", "mean_wage_usd", "tax_revenue_usd", "active_links",
                 "data_incidents", "firms_entered", "firms_exited", "insourced_fte", "firms_alive"):
        assert (df.loc[df.metric == name, "value"] >= 0).all(), name
    sla = df.loc[df.metric == "sla_compliance", "value"]
    assert ((sla >= 0) & (sla <= 1)).all()
    hhi = df.loc[df.metric == "hhi_primes", "value"]
    assert ((hhi >= 0) & (hhi <= 1 + 1e-12)).all()
    assert (df.loc[df.metric == "delivered_fte", "value"].groupby(df.step).sum() > 0).all()


# ------------------------------------------------------------------ a world with no providers left

def test_trustbook_set_accepts_no_pairs():
    """Regression: evolution calls set() with no pairs when every active link is in-house."""
    book = TrustBook()
    book.set(np.array([1]), np.array([2]), 0.5)
    book.set(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    assert len(book) == 1 and book.get(np.array([1]), np.array([2]))[0] == 0.5


def test_world_where_every_provider_fails_keeps_running():
    """initial_cash_months = 0 is allowed (0..120): providers go broke in month 1, clients do all work
    in-house, and the months after (active links, none outsourced) still run and balance."""
    model = build({"evolution.initial_cash_months": 0.0}, seed=1)
    for _ in range(12):
        model.step()
        invariants.check(model)
    L, f = model.links, model.firms
    act = np.flatnonzero(L.status == ACTIVE)
    providers = f.kind != 0
    # premise: (almost) every provider is gone — a zero-cash entrant that breaks even may remain
    assert f.alive[providers].sum() <= 0.05 * providers.sum()
    assert act.size > 0 and L.own[act].mean() > 0.8, "own teams deliver most of the work"
    df = model.metrics()
    assert not df.isna().any().any()
    assert (df[df.metric == "delivered_fte"].groupby("step").value.sum() > 0).all()
