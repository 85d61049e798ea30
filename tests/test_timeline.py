"""Scenario events change the model's state at their month, not before, and end after their duration."""

import numpy as np
import pytest

from sim import ChainModel, load_scenario
from sim.scenario import SCENARIO_DIR, build

SMALL = {"world.clients": 200, "world.primes": 30, "world.subcontractors": 60, "world.months": 12}


def model_with(events):
    data = load_scenario("baseline", overrides=SMALL).model_dump()
    data["events"] = events
    return ChainModel(build(data, "<test>", SCENARIO_DIR), seed=5)


@pytest.mark.parametrize(
    "kind,column,magnitude",
    [("tax_rate", "tax_rate", 0.10), ("risk_shock", "risk", 0.2), ("tax_incentive", "tax_incentive", 0.5)],
)
def test_event_applies_at_its_month_and_is_undone_after_duration(kind, column, magnitude):
    model = model_with([{"month": 4, "kind": kind, "target": "IND", "magnitude": magnitude, "duration": 3}])
    ind = model.region_ids.index("IND")
    values = []
    for _ in range(8):
        values.append(float(getattr(model.regions, column)[ind]))  # state at the start of the month
        model.step()
    before = values[0]
    # months 1-3 (steps 0-3 start states) unchanged; applied during month 4's step
    assert values[1] == values[2] == values[3] == before
    applied = values[4]
    assert applied == pytest.approx(min(before + magnitude, 1.0) if kind != "tax_incentive" else magnitude)
    assert values[5] == values[6] == applied
    assert values[7] == pytest.approx(before)  # undone at month 4 + 3


def test_wage_shock_scales_wages_from_its_month():
    model = model_with([{"month": 3, "kind": "wage_shock", "target": "PHL", "magnitude": 0.5}])
    phl = model.region_ids.index("PHL")
    other = model.region_ids.index("IND")
    model.step(); model.step()
    before_phl, before_ind = model.regions.wage[phl].copy(), model.regions.wage[other].copy()
    model.step()
    growth_phl = model.regions.wage[phl] / before_phl
    growth_ind = model.regions.wage[other] / before_ind
    assert np.all(growth_phl > 1.4 * growth_ind)


def test_ai_automation_cuts_effort_of_exposed_work_only_after_its_month():
    model = model_with([{"month": 6, "kind": "ai_automation", "target": "BPO", "magnitude": 0.5}])
    for _ in range(5):
        model.step()
    assert np.all(model.automation_factor == 1.0)
    model.step()
    bpo = model.catalogue.family == 1
    assert np.all(model.automation_factor[bpo] < 1.0)
    assert np.all(model.automation_factor[~bpo] == 1.0)
    # the most exposed BPO type is cut the most
    exposure = model.catalogue.automation_exposure[bpo]
    assert np.argmin(model.automation_factor[bpo]) == np.argmax(exposure)


def test_data_localisation_blocks_sensitive_work_leaving_adequate_regions():
    model = model_with([{"month": 1, "kind": "data_localisation", "target": "DEU", "magnitude": 1.0}])
    model.step()
    deu, ind = model.region_ids.index("DEU"), model.region_ids.index("IND")
    assert not model.geography.data_allowed(np.array([deu]), np.array([ind]), np.array([0.9]))[0]
    assert model.geography.data_allowed(np.array([deu]), np.array([ind]), np.array([0.2]))[0]
