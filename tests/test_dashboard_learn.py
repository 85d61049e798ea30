"""The Learn page: its lessons are true of the model, its links lead where they say, the ODD renders.

The lesson tests run each lesson's scenario with its own seed — the world the Live
page shows — and check that what the lesson tells students to watch really happens.
If a change to the model makes a lesson untrue, rewrite the lesson.
"""

import re
import shutil
from urllib.parse import parse_qs, urlsplit

import dash
import pytest

pytest.importorskip("dash.testing")

from dashboard import lessons
from dashboard.app import create_app
from dashboard.lessons import LESSONS, live_href, run_of
from dashboard.sessions import bundled
from sim import figures as live_figures
from sim import tax
from sim.model import ChainModel
from sim.scenario import load_scenario
from tests.helpers import find_component, free_port, page_module

APP = create_app("classroom")   # registers the pages; the browser test serves an app of its own




learn, live = page_module("/learn"), page_module("/")


def by_month(metrics, metric, column=None, value=None):
    rows = metrics[metrics.metric == metric]
    if column is not None:
        rows = rows[rows[column] == value]
    return rows.groupby("step").value.sum()




def location_share(metrics, location, last=12):
    end = int(metrics.step.max())
    rows = metrics[(metrics.metric == "delivered_fte") & (metrics.step > end - last)]
    return rows[rows.location == location].value.sum() / rows.value.sum()


# ---------------------------------------------------------------------------- lessons and their links
def test_the_four_lessons_the_issue_asks_for_and_each_scenario_loads():
    titles = [lesson.title for lesson in LESSONS]
    for wanted in ("How a chain forms", "Why governance differs by work type", "What a tax holiday does", "AI automation shock"):
        assert wanted in titles
    assert len({lesson.key for lesson in LESSONS}) == len(LESSONS)
    for lesson in LESSONS:
        for name in filter(None, (lesson.scenario, lesson.compare_with)):
            assert name in bundled(), f"{lesson.key}: {name} is not a bundled scenario"
            assert load_scenario(name).scenario.name == name
        assert lesson.watch and lesson.question.endswith("?") and lesson.answer


def test_every_lesson_link_opens_the_live_page_on_its_scenario():
    with APP.server.app_context():
        for lesson in LESSONS:
            for scenario in filter(None, (lesson.scenario, lesson.compare_with)):
                url = urlsplit(live_href(scenario, lesson.speed))
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                assert url.path == "/" and query["scenario"] == scenario
                assert live._speed(query["speed"]) == int(query["speed"]) == lesson.speed   # Live accepts the speed
                assert find_component(live.layout(**query), "scenario").value == scenario


def test_links_to_other_pages_name_registered_pages_and_valid_parameters():
    paths = {page["path"] for page in dash.page_registry.values()}
    assert "/learn" in paths
    for lesson in LESSONS:
        for _label, href in lesson.also:
            url = urlsplit(href)
            assert url.path in paths, f"{lesson.key} links to {url.path}, which is not a page"
            if url.path == "/map":
                from sim.figures import maps

                assert parse_qs(url.query)["metric"][0] in maps.MAP_METRICS


# ---------------------------------------------------------------------------- what the lessons say is true
def test_same_seed_worlds_are_identical_until_a_policy_applies():
    """Lessons 3-5 tell students to compare two tabs: identical until month 12."""
    base = run_of("baseline").metrics
    for name in ("philippines_tax_incentive", "ai_automation", "us_backlash_tax"):
        other = run_of(name).metrics
        assert first_year(base).equals(first_year(other)), name
        assert not base[base.step == 24].value.reset_index(drop=True).equals(other[other.step == 24].value.reset_index(drop=True))


def first_year(metrics):
    return metrics[metrics.step <= 12].reset_index(drop=True)


def test_lesson_how_a_chain_forms():
    run = run_of("classroom")
    m = run.metrics
    modes = {mode: by_month(m, "active_links", "mode", mode) for mode in ("hierarchy", "market", "modular", "relational")}
    assert all(modes[mode].loc[1] > 0 for mode in ("hierarchy", "market", "modular"))       # first links in month 1
    assert (modes["relational"].loc[:6] == 0).all()                                          # relational come last …
    assert modes["relational"].iloc[-1] < 0.1 * (modes["market"].iloc[-1] + modes["modular"].iloc[-1])   # … and stay few
    assert by_month(m, "chain_depth_mean").loc[1] > 1.0                                      # a second tier in month 1
    alive = by_month(m, "firms_alive")
    assert alive.loc[13:24].min() <= 0.6 * alive.loc[:12].max()                              # about half disappear
    delivered = by_month(m, "delivered_fte")
    assert delivered.loc[24] > delivered.loc[12] > delivered.loc[1]                          # yet busier
    ev = run.events
    assert ((ev.kind == "failed") & ev.step.between(11, 18)).sum() >= 10                     # cash runs out
    closed = ev[ev.kind == "exited"].groupby("step").size()
    assert closed.idxmax() == 18 and closed.max() >= 10                                      # the burst at month 18


def test_lesson_why_governance_differs_by_work_type():
    run = run_of("baseline")
    c = run.contracts
    data_processing = lessons.market_share(c, work_type="it_data_processing")
    knowledge = lessons.market_share(c, family="KPO")
    assert data_processing >= 0.3 and knowledge <= 0.2 and data_processing >= 3 * knowledge
    m = run.metrics
    mode = {name: by_month(m, "active_links", "mode", name) for name in ("market", "modular", "relational", "captive")}
    for month in (12, int(m.step.max())):
        assert mode["market"].loc[month] + mode["modular"].loc[month] > 3 * (mode["relational"].loc[month] + mode["captive"].loc[month])
    assert mode["relational"].loc[12] < 0.05 * (mode["market"].loc[12] + mode["modular"].loc[12])
    assert mode["relational"].iloc[-1] >= 5 * max(mode["relational"].loc[12], 1)
    assert 0.55 <= location_share(m, "inhouse") <= 0.75                                      # about two thirds
    # the tacit content the answer quotes is the catalogue's
    from sim.catalogue import load_catalogue
    from sim.governance import tacit

    cat = load_catalogue(load_scenario("baseline"))
    t = {name: tacit(cat.complexity[i], cat.codifiability[i]) for i, name in enumerate(cat.names)}
    assert t["it_data_processing"] == pytest.approx(0.04, abs=0.006) and t["kpo_research_design"] == pytest.approx(0.60, abs=0.006)
    assert "0.04 for data processing" in lessons.BY_KEY["governance"].answer and "0.60 for research" in lessons.BY_KEY["governance"].answer


def test_lesson_what_a_tax_holiday_does():
    base, holiday = run_of("baseline").metrics, run_of("philippines_tax_incentive").metrics
    shown = [trace.name for trace in live_figures.delivery_by_region(holiday).data]
    assert "PHL" not in shown and "other" in shown                      # inside "other" on the Live chart
    tax_h = by_month(holiday, "tax_revenue_usd", "region", "PHL")
    tax_b = by_month(base, "tax_revenue_usd", "region", "PHL")
    assert (tax_h.loc[13:] == 0).all() and tax_b.loc[13:].sum() > 0
    jobs_h = by_month(holiday, "employment_direct", "region", "PHL")
    jobs_b = by_month(base, "employment_direct", "region", "PHL")
    gap = jobs_h - jobs_b
    assert 0 < gap.loc[36] < gap.loc[48] < gap.iloc[-1]                 # more jobs, a widening gap
    # "less than 2% cheaper": the price with the baseline's effective rate against none
    model = ChainModel(load_scenario("baseline", {"world.clients": 10, "world.primes": 2, "world.subcontractors": 0}))
    phl = model.region_ids.index("PHL")
    rate = float(tax.effective_rate(model.regions)[phl])
    assert rate == pytest.approx(0.10)
    cheaper = 1 - tax.price_for_after_tax_margin(1.0, 0.2, 0.0) / tax.price_for_after_tax_margin(1.0, 0.2, rate)
    assert 0.015 < cheaper < 0.02


def test_lesson_ai_automation_shock():
    base, shock = run_of("baseline"), run_of("ai_automation")
    total_b, total_s = by_month(base.metrics, "delivered_fte"), by_month(shock.metrics, "delivered_fte")
    assert total_s.loc[13] >= total_s.loc[12]                           # nothing drops at month 13
    assert total_s.iloc[-1] - total_s.loc[13] < 0.8 * (total_b.iloc[-1] - total_b.loc[13])   # slower growth
    end = int(base.metrics.step.max())
    by_family = [r.metrics[(r.metrics.metric == "delivered_fte") & (r.metrics.step == end)].groupby("family").value.sum()
                 for r in (shock, base)]
    drop = 1 - by_family[0] / by_family[1]
    assert drop.idxmax() == "BPO"                                       # business processes most
    displaced = by_month(shock.metrics, "displaced_fte")
    assert 0 < displaced.loc[13] < 0.1 * displaced.iloc[-1]             # gradual
    change = lessons.employment_change_at_end(base, shock)
    assert all(change[r] < -0.15 for r in ("IND", "ESP", "PHL"))       # far fewer jobs
    assert abs(change["IDN"]) < 0.05                                    # about as many
    full = lessons.full_regions(base)
    biggest = base.metrics[(base.metrics.metric == "employment_direct") & (base.metrics.step == end)]
    biggest = biggest.sort_values("value", ascending=False).region[:12]
    assert [r for r in biggest if r in full], "some large host should be at its talent limit"
    assert all(abs(change[r]) < 0.1 for r in biggest if r in full)     # full talent pools hardly move


def test_lesson_backlash_tax():
    base, levy = run_of("baseline").metrics, run_of("us_backlash_tax").metrics
    assert location_share(levy, "inhouse") > location_share(base, "inhouse")
    abroad = [location_share(m, "nearshore") + location_share(m, "offshore") for m in (levy, base)]
    assert abroad[0] < abroad[1]
    assert location_share(levy, "onshore") < 0.02 and location_share(base, "onshore") < 0.02
    us_b, us_l = (by_month(m, "tax_revenue_usd", "region", "USA").loc[13:].sum() for m in (base, levy))
    assert us_l > 5 * us_b
    model = ChainModel(load_scenario("baseline", {"world.clients": 10, "world.primes": 2, "world.subcontractors": 0}))
    usa, ind = model.region_ids.index("USA"), model.region_ids.index("IND")
    assert 5 < model.regions.wage[usa, 1] / model.regions.wage[ind, 1] < 7   # "about six times India's"


def test_every_answer_has_a_chart_and_numbers_from_the_run():
    for lesson in LESSONS:
        figure, sentence = lessons.evidence(lesson.key)
        assert figure.data and any(trace.x is not None and len(trace.x) for trace in figure.data)
        assert sentence.startswith("In this run") and re.search(r"\d", sentence)


# ---------------------------------------------------------------------------- bad input, the ODD
def test_a_tampered_lesson_key_gets_a_message_not_a_traceback():
    for key in ("../../etc/passwd", None, 7, {"a": 1}):
        block = learn.evidence_block(key)
        assert "no lesson" in block[0].children
    assert learn.reveal(1) == (False, "Hide the answer") and learn.reveal(2) == (True, "Show the answer")
    assert learn.reveal(None) == (True, "Show the answer") and learn.reveal("x") == (True, "Show the answer")


def test_the_odd_renders_with_contents_and_no_markers_or_dead_links():
    parts = learn.odd_parts()
    assert parts and parts[0]["title"].startswith("chainsim")
    text = "".join(part["markdown"] for part in parts)
    assert "<!--" not in text
    anchors = {part["anchor"] for part in parts}
    assert all(target.startswith("#") and target[1:] in anchors for target in re.findall(r"\]\(([^)]+)\)", text))
    toc = learn.contents(parts)
    hrefs = re.findall(r"href='#([^']+)'", repr(toc)) or re.findall(r'href="#([^"]+)"', repr(toc))
    assert "1-purpose-and-patterns" in hrefs and "713-learning-and-evolution" in hrefs and set(hrefs) <= anchors


def test_a_missing_model_description_gets_a_message(monkeypatch, tmp_path):
    from sim import docs

    monkeypatch.setattr(docs, "ODD", tmp_path / "nowhere.md")
    section = learn.model_description()
    assert "not installed" in repr(section)


# ---------------------------------------------------------------------------- in a real browser
browser = pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver is not installed")


@browser
def test_learn_page_opens_an_answer_renders_the_odd_and_a_lesson_opens_live(dash_duo):
    app = create_app("classroom")   # a fresh app: the first app to serve takes the pages' callbacks with it
    dash_duo.start_server(app, port=free_port())
    dash_duo.wait_for_page(f"{dash_duo.server_url}/learn", timeout=10)
    dash_duo.wait_for_text_to_equal("#lesson-chain_forms h3", "How a chain forms", timeout=10)
    assert len(dash_duo.find_elements(".learn-lesson")) == len(LESSONS)
    dash_duo.wait_for_text_to_equal("#\\31 -purpose-and-patterns h2", "1. Purpose and patterns", timeout=10)
    assert dash_duo.find_element("#\\37 6-bids-cost-skill-and-tax table")      # a parameter table renders as a table

    dash_duo.find_element("#lesson-chain_forms .learn-reveal").click()
    dash_duo.wait_for_contains_text("#lesson-chain_forms .learn-in-this-run", "providers", timeout=20)
    dash_duo.wait_for_element("#lesson-chain_forms .learn-graph .main-svg", timeout=10)

    dash_duo.find_element("#lesson-backlash_tax .learn-open").click()        # not the server's default scenario
    dash_duo.wait_for_contains_text("#scenario", "us_backlash_tax", timeout=20)
    assert "scenario=us_backlash_tax" in dash_duo.driver.current_url
    dash_duo.wait_for_text_to_equal("#month", "month 0", timeout=20)
    assert dash_duo.get_logs() == []
