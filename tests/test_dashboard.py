"""The dashboard in a real (headless) browser: the Live page loads cleanly, steps, plays and pauses."""

import shutil

import pytest

pytest.importorskip("dash.testing")
if shutil.which("chromedriver") is None:
    pytest.skip("chromedriver is not installed (CI installs Debian's chromium-driver)", allow_module_level=True)

import threading

from dashboard import sessions
from dashboard.app import create_app
from tests.helpers import find_component, free_port, page_module


@pytest.fixture(scope="module")
def live():
    """The Live page's module as Dash loaded it."""
    return page_module("/")


def month(dash_duo) -> int:
    return int(dash_duo.find_element("#month").text.split()[-1])


def test_live_page_loads_steps_plays_and_pauses(dash_duo):
    dash_duo.start_server(create_app("classroom"), port=free_port())
    dash_duo.wait_for_text_to_equal("#month", "month 0", timeout=10)
    dash_duo.find_element("#step").click()
    dash_duo.wait_for_text_to_equal("#month", "month 1", timeout=10)
    for chart in page_module("/").CHARTS:
        dash_duo.wait_for_element(f"#{chart} .main-svg", timeout=10)
    dash_duo.find_element("#play").click()
    import time

    deadline = time.monotonic() + 15
    while month(dash_duo) < 4 and time.monotonic() < deadline:   # a moving counter: wait for "at least"
        time.sleep(0.05)
    assert month(dash_duo) >= 4                                   # the clock runs on its own
    dash_duo.find_element("#pause").click()
    time.sleep(2.0)                       # let months already in flight land (even on a loaded machine)
    paused = month(dash_duo)
    time.sleep(2.0)
    assert month(dash_duo) == paused      # the clock has stopped
    dash_duo.find_element("#reset").click()
    dash_duo.wait_for_text_to_equal("#month", "month 0", timeout=10)
    assert dash_duo.get_logs() == []


def test_a_tampered_scenario_or_world_size_gets_a_message_not_a_traceback(live):
    assert "Unknown scenario" in live.frame("step", "../../etc/passwd", "scenario", "session-x")[-1]
    assert "Unknown world size" in live.frame("step", "classroom", "huge", "session-x")[-1]
    assert "Unknown world size" in live.frame("step", "classroom", ["small"], "session-x")[-1]
    assert "session-x" not in sessions.SESSIONS                  # nothing was started for bad values


def test_bad_url_parameters_fall_back_to_defaults(live):
    app = create_app("classroom")
    with app.server.app_context():
        page = live.layout(scenario="../../etc/passwd", speed="abc", size=["small", "large"])   # ?size=..&size=..
        good = live.layout(scenario="baseline", speed="150", size="small")


    assert find_component(page, "scenario").value == "classroom" and find_component(page, "tick").interval == 400
    assert find_component(page, "world-size").value == "scenario"
    assert find_component(good, "scenario").value == "baseline" and find_component(good, "tick").interval == 150
    assert find_component(good, "world-size").value == "small"
    assert "2,700 firms" in find_component(good, "world-size").options[0]["label"]     # the baseline's own size, counted
    assert live._speed(10**9) == 400 and live._speed(None) == 400 and live._speed("250") == 250


def firm_counts(model) -> list[int]:
    """Clients, primes and subcontractors the model actually created."""
    import numpy as np

    return np.bincount(model.firms.kind[: model.firms.n], minlength=3).tolist()


def test_the_world_size_choice_starts_a_model_of_that_size():
    session = "size-test"
    sessions.SESSIONS.pop(session, None)
    own = sessions.model_for(session, "classroom")
    assert firm_counts(own) == [220, 30, 60]                       # the scenario's own numbers
    medium = sessions.model_for(session, "classroom", size="medium")
    assert medium is not own and firm_counts(medium) == [750, 80, 170]
    assert sessions.world_size_firms("classroom", "medium") == 1000
    medium.step()
    assert sessions.model_for(session, "classroom") is medium       # a page that only reads keeps the size...
    assert sessions.model_for(session, "classroom", size="medium") is medium and medium.month == 1   # ...and the run
    small = sessions.model_for(session, "baseline", size="small")
    assert firm_counts(small) == [220, 30, 60] and small.scenario.scenario.name == "baseline"
    with pytest.raises(ValueError, match="unknown world size"):
        sessions.model_for(session, "baseline", size="enormous")
    sessions.SESSIONS.pop(session, None)


def test_moving_a_lever_marks_every_chart_at_its_month(live):
    session = "lever-test"
    sessions.SESSIONS.pop(session, None)
    for _ in range(3):
        live.frame("step", "classroom", "small", session)
    model = sessions.SESSIONS[session]
    before = live.frame("step", "classroom", "small", session)
    assert all(not fig["layout"]["shapes"] for fig in before[1:1 + len(live.CHARTS)])
    phl = model.region_ids.index("PHL")
    message, redraw = live.pull_lever(1, "tax_incentive", "PHL", 0.9, session, "classroom")
    assert "month 4" in message and redraw == 1 and model.regions.tax_incentive[phl] == 0.9
    assert model.levers == [(4, "tax_incentive PHL +0.9")]
    after = live.frame("levers-pulled", "classroom", "small", session)     # the redraw the lever asks for
    assert after[0] == "month 4"                                            # redrawn, not stepped
    for fig in after[1:1 + len(live.CHARTS)]:
        assert [(s["x0"], s["x1"], s["yref"]) for s in fig["layout"]["shapes"]] == [(4, 4, "paper")]
        assert "tax_incentive PHL +0.9" in [a["text"] for a in fig["layout"]["annotations"]]
    live.frame("step", "classroom", "small", session)
    later = live.frame("step", "classroom", "small", session)
    assert all(len(fig["layout"]["shapes"]) == 1 for fig in later[1:1 + len(live.CHARTS)])   # the marker stays


def test_refused_levers_change_nothing(live):
    session = "lever-refusal-test"
    sessions.SESSIONS.pop(session, None)
    model = live.model_for(session, "classroom")
    for bad in (("nonsense", "PHL", 0.5), ("tax_rate", "XXX", 0.5), ("tax_rate", "PHL", 7), ("tax_rate", "PHL", "abc"),
                ("tax_rate", ["PHL"], 0.5), (["tax_rate"], "PHL", 0.5), ("tax_rate", "PHL", None)):
        message, redraw = live.pull_lever(1, *bad, session, "classroom")
        assert ("cannot" in message or "must be" in message) and redraw is live.no_update
    assert getattr(model, "levers", []) == []
    sessions.SESSIONS.pop(session, None)


def test_months_asked_for_at_once_are_stepped_one_at_a_time(live):
    """A browser playing fast has two months in flight; Flask serves them on two threads."""
    session = "race-test"
    sessions.SESSIONS.pop(session, None)
    live.frame("reset", "classroom", "scenario", session)
    errors = []

    def play(n):
        try:
            for _ in range(n):
                live.frame("play", "classroom", "scenario", session)
        except Exception as exc:  # noqa: BLE001 - any failure in a thread is the test's failure
            errors.append(exc)

    threads = [threading.Thread(target=play, args=(6,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sessions.SESSIONS[session].month == 12
    sessions.SESSIONS.pop(session, None)
