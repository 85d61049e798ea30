"""The Map page: figure functions put values on the right countries at the right month, and the page
draws its world map in a browser that cannot reach the internet."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.figures import maps
from tests.helpers import page_module

TOPOJSON = Path(__file__).resolve().parent.parent / "dashboard" / "assets" / "topojson" / "world_110m.json"
REGIONS = pd.DataFrame({"region_id": ["IND", "PHL", "USA", "EU"], "name": ["India", "Philippines", "United States", "European Union"]})
COUNTRIES = {"IND", "PHL", "USA"}      # EU stands for an aggregate region the map has no outline for


def row(step, metric, region, value, location=""):
    return {"step": step, "metric": metric, "region": region, "family": "", "mode": "", "location": location, "value": value}


@pytest.fixture
def metrics() -> pd.DataFrame:
    """Two months of a tiny world: delivered work split over families and locations, and one region-level metric."""
    return pd.DataFrame([
        row(1, "delivered_fte", "IND", 10.0, "offshore"), row(1, "delivered_fte", "IND", 5.0, "nearshore"),
        row(1, "delivered_fte", "PHL", 3.0, "offshore"), row(1, "delivered_fte", "USA", 40.0, "inhouse"),
        row(1, "delivered_fte", "EU", 7.0, "onshore"),
        row(2, "delivered_fte", "IND", 20.0, "offshore"), row(2, "delivered_fte", "USA", 50.0, "inhouse"),
        *(row(s, "mean_wage_usd", r, w * s) for s in (1, 2) for r, w in (("IND", 1800), ("PHL", 1100), ("USA", 11000), ("EU", 5000))),
    ])


def on_map(fig) -> dict:
    trace = fig.data[0]
    return dict(zip(trace.locations, trace.z))


def test_values_land_on_their_countries_summed_over_families_and_locations(metrics):
    fig = maps.region_map(metrics, REGIONS, "delivered_fte", 1, drawable=COUNTRIES)
    assert fig.data[0].type == "choropleth" and fig.data[0].locationmode == "ISO-3"
    assert on_map(fig) == {"IND": 15.0, "PHL": 3.0, "USA": 40.0}
    assert dict(zip(fig.data[0].locations, fig.data[0].text)) == {"IND": "India", "PHL": "Philippines", "USA": "United States"}
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert "European Union (EU) 7" in notes           # the aggregate is named with its value, not dropped


def test_providers_work_leaves_out_clients_own_teams(metrics):
    assert on_map(maps.region_map(metrics, REGIONS, "provider_fte", 1, drawable=COUNTRIES)) == {"IND": 15.0, "PHL": 3.0, "USA": 0.0}


def test_the_month_picks_that_months_values_on_one_colour_scale(metrics):
    first = maps.region_map(metrics, REGIONS, "delivered_fte", 1, drawable=COUNTRIES)
    second = maps.region_map(metrics, REGIONS, "delivered_fte", 2, drawable=COUNTRIES)
    assert on_map(second) == {"IND": 20.0, "PHL": 0.0, "USA": 50.0}  # PHL delivered nothing in month 2
    assert "month 2" in second.layout.title.text
    assert (first.data[0].zmin, first.data[0].zmax) == (second.data[0].zmin, second.data[0].zmax) == (0.0, 50.0)
    wages = maps.region_values(metrics, REGIONS, "mean_wage_usd", 2)
    assert list(wages.region_id) == ["USA", "EU", "IND", "PHL"] and wages.value.iloc[0] == 22000


def test_leading_regions_include_regions_without_an_outline(metrics):
    bars = maps.leading_regions(metrics, REGIONS, "delivered_fte", 1, top=3).data[0]
    assert list(bars.y) == ["European Union", "India", "United States"]       # largest at the top of the chart
    assert dict(zip(bars.customdata, bars.x)) == {"USA": 40.0, "IND": 15.0, "EU": 7.0}


@pytest.mark.parametrize("metric, month, message", [
    ("gdp", 1, "Unknown map metric 'gdp'"), (None, 1, "Unknown map metric None"),
    ("delivered_fte", 3, "Month 3 has not run: this run has months 1–2"),
    ("delivered_fte", 0, "Month 0 has not run"), ("delivered_fte", "2", "whole number"),
    ("delivered_fte", 1.5, "whole number"), ("delivered_fte", True, "whole number"),
])
def test_bad_metric_or_month_is_a_clear_error(metrics, metric, month, message):
    with pytest.raises(ValueError, match=message):
        maps.region_map(metrics, REGIONS, metric, month)


def test_every_bundled_region_has_an_outline_in_the_served_topojson():
    from dashboard.sessions import REGION_IDS

    outlined = maps.country_ids(json.loads(TOPOJSON.read_text(encoding="utf-8")))
    assert len(outlined) > 150 and set(REGION_IDS) <= outlined


def test_every_map_metric_draws_from_a_real_run():
    from sim import ChainModel, load_scenario

    model = ChainModel(load_scenario("classroom", {"world.months": 3}), seed=1).run()
    regions = pd.DataFrame({"region_id": model.region_ids, "name": list(model.region_data["name"])})
    for metric in maps.MAP_METRICS:
        values = on_map(maps.region_map(model.metrics(), regions, metric, 3))
        assert set(values) == set(model.region_ids) and all(pd.notna(v) for v in values.values())
    assert max(on_map(maps.region_map(model.metrics(), regions, "competitiveness", 3)).values()) <= 1.0


# ---- the page's callback: tampered values get a message, the model shown is named -----------------------------

@pytest.fixture
def page():
    """The Map page's module as the app registered it (importing ``dashboard.pages.map`` again would register
    the page and its callbacks a second time, and the next app started would carry duplicate callbacks)."""


    from dashboard.app import create_app

    app = create_app("classroom")
    with app.server.app_context():
        yield page_module("/map")


@pytest.mark.parametrize("metric, month, message", [
    ("../../etc/passwd", 3, "Unknown metric"), ("provider_fte", 999, "has not run"),
    ("provider_fte", "abc", "whole number"), ("provider_fte", [1], "whole number"),
])
def test_tampered_values_get_a_message_not_a_traceback(page, metric, month, message):
    out = page.draw(metric, month, "map-session-x")
    assert message in out[-1] and all(o is page.no_update for o in out[:-1])


def test_the_page_shows_the_tabs_live_model_once_it_has_run(page):
    from dashboard import sessions

    session = "map-live-test"
    sessions.SESSIONS.pop(session, None)
    first = page.draw("provider_fte", None, session)
    assert "finished 24-month run of the classroom scenario" in first[6] and first[3] == 24 and first[5] == 24
    model = sessions.model_for(session, "classroom")
    for _ in range(2):
        model.step()
    fig, _bars, low, high, _marks, month, source, meaning, message = page.draw("employment_direct", None, session)
    assert (low, high, month) == (1, 2, 2) and "Your Live model" in source and "month 2" in source
    assert message == "" and "month 2" in fig.layout.title.text and "captive" in meaning
    sessions.SESSIONS.pop(session, None)


# ---- in a real browser with the internet cut off (tests/conftest.py: --host-resolver-rules) --------------------

browser = pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver is not installed")


def country_fills(dash_duo) -> list[str]:
    return [p.value_of_css_property("fill") for p in dash_duo.find_elements("#map-figure .choroplethlocation")]


@browser
def test_the_map_draws_offline_and_follows_the_month_and_metric(dash_duo):
    from dash.testing import wait
    from selenium.webdriver.common.keys import Keys

    from dashboard.app import create_app
    from tests.helpers import free_port

    dash_duo.start_server(create_app("classroom"), port=free_port())
    dash_duo.wait_for_page(f"{dash_duo.server_url}/map")
    wait.until(lambda: len(dash_duo.find_elements("#map-figure .choroplethlocation")) > 20, timeout=15)
    dash_duo.wait_for_contains_text("#map-figure .gtitle", "month 24", timeout=10)
    assert dash_duo.find_element("#map-figure .geo .bg") is not None
    latest = country_fills(dash_duo)

    dash_duo.find_element("#map-month [role=slider]").send_keys(Keys.HOME)     # to the first month
    dash_duo.wait_for_text_to_equal("#map-figure .gtitle", "Work delivered by providers (FTE), month 1", timeout=10)
    wait.until(lambda: country_fills(dash_duo) != latest, timeout=10)

    dash_duo.find_element("#map-metric").click()
    wait.until(lambda: any(o.text.startswith("Mean wage") for o in dash_duo.find_elements("[role=option]")), timeout=10)
    next(o for o in dash_duo.find_elements("[role=option]") if o.text.startswith("Mean wage")).click()
    dash_duo.wait_for_text_to_equal("#map-figure .gtitle", "Mean wage (USD per FTE-month), month 1", timeout=10)
    dash_duo.wait_for_contains_text("#map-meaning", "Monthly wage per FTE", timeout=10)
    assert len(dash_duo.find_elements("#map-figure .choroplethlocation")) > 20

    fetched = dash_duo.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert any(url.endswith("/assets/topojson/world_110m.json") for url in fetched)
    assert all(url.startswith(dash_duo.server_url) for url in fetched), [u for u in fetched if not u.startswith(dash_duo.server_url)]
    assert dash_duo.get_logs() == []
