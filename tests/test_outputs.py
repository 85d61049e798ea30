"""What a run hands back: the tidy metrics frame, the chain graph and RunResult."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from helpers import SMALL
from sim import RunResult, run
from sim.metrics import METRICS
from sim.scenario import FAMILIES, LOCATIONS, MODES
from sim.world import ACTIVE

COLUMNS = ["step", "metric", "region", "family", "mode", "location", "value"]


def test_metrics_frame_is_tidy(small_metrics, small_run):
    df = small_metrics
    assert list(df.columns) == COLUMNS
    assert len(df) > 0
    assert pd.api.types.is_integer_dtype(df.step)
    assert pd.api.types.is_float_dtype(df.value)
    assert set(df.metric.astype(str)) <= set(METRICS)
    assert set(df.region) <= set(small_run.region_ids) | {""}
    assert set(df.family) <= set(FAMILIES) | {""}
    assert set(df["mode"]) <= set(MODES) | {""}
    assert set(df.location) <= set(LOCATIONS) | {""}
    assert df.step.min() == 1 and df.step.max() == 24
    # one row per (step, metric, dimensions)
    assert not df.duplicated(COLUMNS[:-1]).any()


def test_delivered_fte_rows_have_a_location_region_and_family(small_metrics):
    d = small_metrics[small_metrics.metric == "delivered_fte"]
    assert len(d) > 0
    assert set(d.location) <= {"onshore", "nearshore", "offshore", "inhouse"}
    assert {"inhouse", "offshore"} <= set(d.location)       # home teams and offshore delivery both occur
    assert (d.region != "").all() and (d.family != "").all()
    assert (d["mode"] == "").all()
    assert (d.value >= 0).all()


def test_delivered_fte_matches_the_links(monkeypatch):
    """Each month's delivered FTE is what the links active at delivery staff themselves."""
    import sim.delivery

    real, staffed = sim.delivery.deliver, {}

    def spy(model):
        out = real(model)
        staffed[model.month] = float(model.links.self_fte[out["links"]].sum())
        return out

    monkeypatch.setattr(sim.delivery, "deliver", spy)
    model = run("baseline", seed=2, months=12, overrides=SMALL).model
    df = model.metrics()
    recorded = df[df.metric == "delivered_fte"].groupby("step").value.sum()
    assert list(recorded.index) == list(range(1, 13))
    np.testing.assert_allclose(recorded.to_numpy(), [staffed[m] for m in recorded.index], rtol=1e-9)


def test_per_mode_metrics_cover_the_modes(small_metrics):
    links = small_metrics[small_metrics.metric == "active_links"]
    assert set(links["mode"]) == set(MODES)
    assert links.groupby("step").size().eq(len(MODES)).all()


def test_chain_graph_is_a_digraph_with_contract_edges(small_run):
    g = small_run.chain_graph()
    assert isinstance(g, nx.DiGraph)
    contracts = [(u, v, a) for u, v, a in g.edges(data=True) if a.get("relation") == "contract"]
    assert len(contracts) > 0
    for u, v, a in contracts:
        assert u.startswith("firm:") and v.startswith("firm:") and u != v
        assert a["mode"] in MODES
        assert isinstance(a["value"], float) and a["value"] > 0
        assert isinstance(a["tier"], int) and 1 <= a["tier"] <= small_run.scenario.world.max_tier
        assert isinstance(a["age"], int) and 0 <= a["age"] <= small_run.month
    kinds = {g.nodes[n]["kind"] for n in g.nodes}
    assert {"region", "client", "prime"} <= kinds
    # firms deliver in regions
    delivers = [(u, v) for u, v, a in g.edges(data=True) if a.get("relation") == "delivers_in"]
    assert delivers and all(v.startswith("region:") for _, v in delivers)


def test_chain_graph_carries_all_outsourced_value(small_run):
    g = small_run.chain_graph()
    L = small_run.links
    act = np.flatnonzero((L.status == ACTIVE) & ~L.own)
    total = sum(a["value"] for _, _, a in g.edges(data=True) if a.get("relation") == "contract")
    assert total == pytest.approx(L.price_month[act].sum(), rel=1e-9)
    # a client's edges are tier 1; a deeper supplier is reached only through a prime
    for u, v, a in g.edges(data=True):
        if a.get("relation") == "contract" and g.nodes[u]["kind"] == "client":
            assert a["tier"] == 1


def test_chain_graph_exports_to_graphml(small_run, tmp_path):
    path = tmp_path / "chain.graphml"
    nx.write_graphml(small_run.chain_graph(), path)
    back = nx.read_graphml(path)
    assert back.number_of_edges() == small_run.chain_graph().number_of_edges()


def test_run_returns_a_run_result():
    result = run("baseline", seed=4, months=3, overrides=SMALL)
    assert isinstance(result, RunResult)
    assert result.months == 3 and result.seed == 4
    assert list(result.metrics.columns) == COLUMNS
    assert sorted(result.metrics.step.unique()) == [1, 2, 3]
    assert isinstance(result.graph, nx.DiGraph)
    assert result.model.month == 3
    assert result.scenario.world.clients == SMALL["world.clients"]
    prov = result.provenance
    assert prov["seed"] == 4 and prov["months"] == 3 and prov["scenario"] == "baseline"
    assert prov["scenario_hash"] == result.scenario.content_hash()


def test_run_rejects_overrides_with_a_scenario_object(small_scenario):
    with pytest.raises(ValueError):
        run(small_scenario, months=1, overrides={"world.clients": 10})


def test_progress_is_called_once_a_month():
    calls = []
    run("baseline", seed=1, months=4, overrides=SMALL, progress=lambda: calls.append(1))
    assert len(calls) == 4


def test_clients_have_industries_in_the_sourced_shares_and_bfsi_work_is_more_sensitive():
    from sim import ChainModel, load_scenario

    model = ChainModel(load_scenario("baseline"), seed=3)
    f = model.firms
    clients = np.flatnonzero(f.kind == 0)
    shares = np.bincount(f.industry[clients], minlength=len(model.industries)) / clients.size
    expected = np.array(list(model.scenario.demand.industry_shares.values()))
    assert np.abs(shares - expected / expected.sum()).max() < 0.04
    assert model.firm_agents[int(clients[0])].industry in model.industries
    from sim.demand import draw_needs

    model.step()
    pk = draw_needs(model)
    bfsi = model.industries.index("bfsi")
    is_bfsi = f.industry[pk["client"]] == bfsi
    base = model.catalogue.data_sensitivity[pk["work_type"]]
    assert np.allclose(pk["sensitivity"][is_bfsi], np.clip(base[is_bfsi] + 0.10, 0, 1))
    assert np.allclose(pk["sensitivity"][~is_bfsi], base[~is_bfsi])
