"""Every bundled scenario validates, runs 24 months with the books balanced, and fires its events on time."""

from pathlib import Path

import pytest

from sim import ChainModel, load_scenario
from sim import invariants
from sim.scenario import SCENARIO_DIR

BUNDLED = sorted(p.stem for p in Path(SCENARIO_DIR).glob("*.toml"))
REQUIRED = {
    "baseline", "india_wage_shock", "philippines_tax_incentive", "china_training_subsidy", "cluster_park",
    "eu_data_localisation", "ai_automation", "us_backlash_tax", "geopolitical_risk_nearshoring",
    "cloud_delivery", "classroom",
}


def test_the_named_scenarios_are_all_bundled():
    assert REQUIRED <= set(BUNDLED)


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenario_runs_24_months(name):
    scenario = load_scenario(name)
    assert scenario.scenario.description, "every scenario says which question it answers"
    model = ChainModel(scenario)
    for _ in range(24):
        model.step()
    invariants.check(model)
    metrics = model.metrics()
    assert metrics["step"].max() == 24
    assert not metrics["value"].isna().any()
    due = [e for e in scenario.events if e.month <= 24]
    fired = model.timeline.applied
    assert [(a["month"], a["kind"], a["target"]) for a in fired] == [(e.month, e.kind, e.target) for e in due]


@pytest.mark.parametrize("name", [n for n in BUNDLED if n != "baseline"])
def test_policy_scenarios_extend_baseline(name):
    scenario = load_scenario(name)
    assert scenario.extends == "baseline"
    base = load_scenario("baseline")
    # what a scenario does not set is the baseline's value
    assert scenario.cost == base.cost and scenario.governance == base.governance


def test_an_event_changes_state_at_its_month_and_not_before():
    scenario = load_scenario("india_wage_shock")
    model = ChainModel(scenario)
    base = ChainModel(load_scenario("baseline"))
    ind = model.region_ids.index("IND")
    for month in range(1, 16):
        model.step()
        base.step()
        ratio = model.regions.wage[ind, 1] / base.regions.wage[ind, 1]
        if month < 13:
            assert ratio == pytest.approx(1.0, rel=1e-12), month
        else:
            assert ratio > 1.2, month
