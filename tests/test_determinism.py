"""One seed drives everything: the same scenario and seed give the same world."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import SMALL, run_model
from sim import ChainModel, load_scenario, run


def test_same_seed_gives_identical_metrics():
    a = run_model(seed=7, months=24).metrics()
    b = run_model(seed=7, months=24).metrics()
    assert len(a) > 0
    pd.testing.assert_frame_equal(a, b)


def test_same_seed_gives_identical_chains():
    a, b = run_model(seed=7, months=24), run_model(seed=7, months=24)
    n = a.links.n
    assert n == b.links.n > 0
    for col in ("supplier", "centre", "mode", "tier", "status", "price_month", "quality"):
        pd.testing.assert_series_equal(pd.Series(getattr(a.links, col)), pd.Series(getattr(b.links, col)), check_names=False)


@pytest.mark.parametrize("other", [8, 1234567])
def test_different_seeds_give_different_metrics(other):
    a = run_model(seed=7, months=24).metrics()
    b = run_model(seed=other, months=24).metrics()
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(a, b)
    # and not just a relabelling: the headline quantity differs
    fte = lambda df: df.loc[df.metric == "delivered_fte", "value"].sum()  # noqa: E731
    assert fte(a) != pytest.approx(fte(b), rel=1e-9)


def test_default_seed_is_the_scenarios_seed():
    scenario = load_scenario("baseline", {**SMALL, "world.seed": 99})
    a = ChainModel(scenario).run(12)
    b = ChainModel(scenario, seed=99).run(12)
    assert a.seed == 99
    pd.testing.assert_frame_equal(a.metrics(), b.metrics())


def test_run_api_matches_model_and_leaves_scenario_untouched():
    """run() and ChainModel agree, and events changing parameters do not leak into the caller's scenario."""
    events = [{"month": 2, "kind": "communication_cost", "target": "", "magnitude": 0.5},
              {"month": 3, "kind": "wage_shock", "target": "IND", "magnitude": -0.2}]
    scenario = load_scenario("baseline", {**SMALL, "events": events})
    before = scenario.content_hash()
    factor = scenario.cost.communication_cost_factor
    first = run(scenario, seed=3, months=12)
    assert scenario.content_hash() == before
    assert scenario.cost.communication_cost_factor == factor
    assert first.model.scenario.cost.communication_cost_factor == pytest.approx(factor * 1.5)
    second = ChainModel(scenario, seed=3).run(12)
    pd.testing.assert_frame_equal(first.metrics, second.metrics())


def test_finished_models_are_freed():
    """Mesa 3.3 holds every model in a class-level dict (mesa#3179); ours must not, or the dashboard leaks."""
    import gc
    import weakref

    from tests.helpers import run_model

    refs = []
    for seed in (1, 2):
        model = run_model(seed=seed, months=2)
        refs.append(weakref.ref(model))
        del model
    gc.collect()
    assert [r() for r in refs] == [None, None]
