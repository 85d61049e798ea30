"""The Chain page: the layered network's elements, its filters, firm cards, and the page in a real browser."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from helpers import free_port, run_model

from dashboard import sessions
from dashboard.app import create_app
from sim.figures import chain as chain_fig
from sim.firm_card import firm_card
from sim.world import ACTIVE
from tests.helpers import page_module


@pytest.fixture(scope="module")
def model():
    """A small world after 12 months; read it, do not change it."""
    return run_model(months=12)


@pytest.fixture(scope="module")
def links(model):
    return chain_fig.chain_links(model)


def nodes_of(view):
    return {e["data"]["id"]: e for e in view.elements if "firm" in e.get("classes", "").split()}


def edges_of(view):
    return [e for e in view.elements if "source" in e["data"]]


# ---------------------------------------------------------------------- elements
def test_links_frame_holds_every_active_link_between_firms(model, links):
    L = model.links
    between_firms = np.flatnonzero((L.status == ACTIVE) & ~L.own)
    assert sorted(links.link) == between_firms.tolist()
    assert np.isclose(links.value.sum(), L.price_month[between_firms].sum())
    assert set(links.tier) == {1, 2, 3}             # the small world has chains three tiers deep
    assert (links.buyer != links.supplier).all()


def test_elements_are_a_consistent_layered_network(links):
    view = chain_fig.chain_view(links, max_links=10_000)
    nodes, edges = nodes_of(view), edges_of(view)
    assert view.links_shown == view.links_total == len(edges) == len(chain_fig.firm_pairs(links))
    assert view.firms_shown == view.firms_total == len(nodes)
    assert all(e["data"]["source"] in nodes and e["data"]["target"] in nodes for e in edges)
    assert np.isclose(sum(e["data"]["value"] for e in edges), links.value.sum(), rtol=1e-6)
    # layered by tier: every client above every prime, every prime above every tier-2 subcontractor
    y = {kind: [n["position"]["y"] for n in nodes.values() if n["data"]["kind"] == kind] for kind in ("client", "prime")}
    sub_y = [n["position"]["y"] for n in nodes.values() if n["data"]["kind"] == "subcontractor"]
    assert max(y["client"]) < min(y["prime"]) < max(y["prime"]) < min(sub_y)
    # coloured by the mode carrying most value; sized by value
    assert {e["data"]["mode"] for e in edges} <= set(chain_fig.DRAWN_MODES)
    biggest = max(nodes.values(), key=lambda n: n["data"]["value"])
    assert biggest["data"]["size"] == max(n["data"]["size"] for n in nodes.values())
    assert next(e["data"]["label"] for e in view.elements if e.get("classes") == "layer") == "clients"


def test_the_cap_keeps_the_largest_links_of_every_tier(links):
    pairs = chain_fig.firm_pairs(links)
    view = chain_fig.chain_view(links, max_links=30)
    edges = edges_of(view)
    assert len(edges) == view.links_shown == 30 < view.links_total == len(pairs)
    assert view.firms_shown < view.firms_total
    tiers = {e["data"]["tier"] for e in edges}
    assert tiers == {1, 2, 3}                        # a plain top-30 by value would be all client contracts
    tier1 = sorted(pairs[pairs.tier == 1].value, reverse=True)
    shown1 = sorted((e["data"]["value"] for e in edges if e["data"]["tier"] == 1), reverse=True)
    assert np.allclose(shown1, tier1[: len(shown1)], rtol=1e-6)   # within a tier: the largest


def test_the_view_is_deterministic(links):
    assert chain_fig.chain_view(links, max_links=100).elements == chain_fig.chain_view(links, max_links=100).elements


def test_filters_filter(links):
    region = links.groupby("region").value.sum().idxmax()
    family = "KPO"
    for flt, expected in (
        (chain_fig.ChainFilter(regions=(region,)), links[links.region == region]),
        (chain_fig.ChainFilter(families=(family,)), links[links.family == family]),
        (chain_fig.ChainFilter(tiers=(2,)), links[links.tier == 2]),
        (chain_fig.ChainFilter(regions=(region,), families=(family,)), links[(links.region == region) & (links.family == family)]),
    ):
        view = chain_fig.chain_view(links, flt, max_links=10_000)
        pairs = {(f"firm:{b}", f"firm:{s}") for b, s in zip(expected.buyer, expected.supplier)}
        drawn = {(e["data"]["source"], e["data"]["target"]) for e in edges_of(view)}
        assert 0 < len(drawn) < len(chain_fig.firm_pairs(links))
        assert drawn == pairs
    only_tier2 = chain_fig.chain_view(links, chain_fig.ChainFilter(tiers=(2,)), max_links=10_000)
    kinds = {n["data"]["kind"] for n in nodes_of(only_tier2).values()}
    assert "client" not in kinds                    # tier-2 links join primes and subcontractors only
    nowhere = chain_fig.chain_view(links, chain_fig.ChainFilter(regions=("ZZZ",)))
    assert nowhere.elements == [] and nowhere.links_total == 0


def test_tampered_filter_values_are_refused_with_a_sentence():
    ok = chain_fig.parse_filter(["IND"], ["BPO"], [2, "3"], ["IND", "PHL"], 3)
    assert ok == chain_fig.ChainFilter(("IND",), ("BPO",), (2, 3))
    assert chain_fig.parse_filter(None, [], None, ["IND"], 3) == chain_fig.ChainFilter()
    for bad in ((["../etc"], None, None), (None, ["XPO"], None), (None, None, ["abc"]), (None, None, [9]),
                (None, None, [True]), ({"a": 1}, None, None), (None, None, [[1]])):
        with pytest.raises(ValueError, match=r"\w+ "):
            chain_fig.parse_filter(*bad, ["IND", "PHL"], 3)


# ---------------------------------------------------------------------- firm cards
def busiest(links, kind):
    return int(links[links.supplier_kind == kind].groupby("supplier").value.sum().idxmax())


def test_a_prime_card_lists_its_contracts_partners_and_history(model, links):
    prime = busiest(links, "prime")
    card = firm_card(model, f"firm:{prime}")
    assert card.kind == "prime" and card.home == model.region_ids[int(model.firms.home[prime])]
    sold = links[links.supplier == prime]
    assert sorted(r["link"] for r in card.sells) == sorted(sold.link)
    assert {r["partner"] for r in card.sells} == set(sold.buyer)
    assert np.isclose(sum(r["value (USD/month)"] for r in card.sells), sold.value.sum(), rtol=1e-6)
    assert {r["mode"] for r in card.sells} <= set(chain_fig.DRAWN_MODES)
    assert sorted(r["link"] for r in card.buys) == sorted(links[links.buyer == prime].link)
    assert card.facts["staff (FTE)"] > 0 and 0 <= card.facts["reputation"] <= 1
    assert card.centres and all(c["region"] in model.region_ids for c in card.centres)
    events = model.events()
    assert len(card.history) == int((events.firm == prime).sum())


def test_a_client_card_includes_its_own_teams(model, links):
    client = int(links.groupby("buyer").value.sum().idxmax())
    card = firm_card(model, client)
    assert card.kind == "client" and card.sells == []
    own = [r for r in card.buys if r["partner"] is None]
    assert all(r["mode"] == "hierarchy" and r["partner_kind"] == "own team" for r in own)
    assert {r["partner"] for r in card.buys if r["partner"] is not None} == set(links[links.buyer == client].supplier)
    assert card.facts["vendors"] == links[links.buyer == client].supplier.nunique()


def test_history_follows_the_firm():
    model = run_model(months=24)
    events = model.events()
    firm = int(events.firm.value_counts().idxmax())
    card = firm_card(model, firm)
    assert [(h["month"], h["event"]) for h in card.history] == list(zip(events[events.firm == firm].step, events[events.firm == firm].kind))
    assert len(card.history) >= 2


def test_unknown_firms_are_refused(model):
    for bad in ("firm:999999", "abc", -1, True, None, "firm:-3", {"id": 1}):
        with pytest.raises(LookupError):
            firm_card(model, bad)


# ---------------------------------------------------------------------- the page's callbacks
@pytest.fixture(scope="module")
def chain_page():
    return page_module("/chain")


@pytest.fixture
def live_tab(model):
    """A browser tab whose live model is the small world (so the page needs no app to find a model)."""
    session = "chain-test-tab"
    sessions.SESSIONS[session] = model
    yield session
    sessions.SESSIONS.pop(session, None)


def test_draw_says_what_it_shows_and_refuses_tampered_values(chain_page, live_tab, model):
    chain = chain_page
    elements, _, source, count, message = chain.draw(None, None, None, 100, live_tab)
    assert message == "" and "live world" in source and f"month {model.month}" in source
    assert count.startswith("Showing 100 of ") and len([e for e in elements if "source" in e["data"]]) == 100
    for bad in ((["<script>"], None, None, 100), (None, ["XPO"], None, 100), (None, None, ["x"], 100),
                (None, None, None, 7), (None, None, None, "250"), (None, None, None, None)):
        elements, _, _, count, message = chain.draw(*bad, live_tab)
        assert elements == [] and count == "" and message
    idle = sorted(set(sessions.REGION_IDS) - set(chain_fig.chain_links(model).region))
    if idle:                                        # a region where nothing is delivered: a message, not an error
        elements, _, _, _, message = chain.draw([idle[0]], None, None, 100, live_tab)
        assert elements == [] and message == "No active links between firms match these filters."


def test_a_tapped_node_shows_its_card_and_bad_taps_a_message(chain_page, live_tab, links):
    chain = chain_page
    prime = busiest(links, "prime")
    text = str(chain.show_card({"id": f"firm:{prime}", "label": f"P{prime}"}, live_tab))
    assert f"Prime P{prime}" in text and "Sells:" in text
    for bad in (None, "firm:1", {"id": "layer:0"}, {"id": 5}, {"id": "firm:99999999"}, {}):
        out = str(chain.show_card(bad, live_tab))
        assert "firm" in out and "Traceback" not in out


# ---------------------------------------------------------------------- in a real browser
CY = """
const host = document.getElementById('chain-graph');
const el = host && [host, ...host.querySelectorAll('*')].find(e => e._cyreg && e._cyreg.cy);
return el ? el._cyreg.cy : null;
"""


@pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver is not installed")
def test_chain_page_renders_and_a_click_opens_the_card(dash_duo):
    pytest.importorskip("dash.testing")
    dash_duo.start_server(create_app("classroom"), port=free_port())
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/chain", timeout=20)
    dash_duo.wait_for_contains_text("#chain-count", "firm-to-firm links", timeout=20)
    dash_duo.wait_for_contains_text("#chain-source", "classroom", timeout=5)
    dash_duo.wait_for_element("#chain-graph canvas", timeout=10)
    shown = int(dash_duo.find_element("#chain-count").text.split(", ")[-1].split()[0].replace(",", ""))
    drawn = dash_duo.driver.execute_script(CY.replace("return el ? el._cyreg.cy : null;",
                                                      "return el ? el._cyreg.cy.nodes('.firm').length : -1;"))
    assert drawn == shown > 0                       # the canvas holds every firm the page says it shows
    prime = dash_duo.driver.execute_script(CY.replace(
        "return el ? el._cyreg.cy : null;",
        "const p = el._cyreg.cy.nodes('.prime')[0]; p.emit('tap'); return p.data('firm');"))
    dash_duo.wait_for_contains_text("#chain-card", f"Prime P{prime}", timeout=10)
    assert "Sells" in dash_duo.find_element("#chain-card").text
    assert dash_duo.get_logs() == []
