"""The dashboard in a real (headless) browser: the Live page loads cleanly, steps, plays and pauses."""

import shutil

import pytest

pytest.importorskip("dash.testing")
if shutil.which("chromedriver") is None:
    pytest.skip("chromedriver is not installed (CI installs Debian's chromium-driver)", allow_module_level=True)

from dashboard import sessions
from dashboard.app import create_app


def month(dash_duo) -> int:
    return int(dash_duo.find_element("#month").text.split()[-1])


def test_live_page_loads_steps_plays_and_pauses(dash_duo):
    dash_duo.start_server(create_app("classroom"))
    dash_duo.wait_for_text_to_equal("#month", "month 0", timeout=10)
    dash_duo.find_element("#step").click()
    dash_duo.wait_for_text_to_equal("#month", "month 1", timeout=10)
    dash_duo.wait_for_element("#delivery .main-svg", timeout=10)
    dash_duo.find_element("#play").click()
    import time

    deadline = time.monotonic() + 15
    while month(dash_duo) < 4 and time.monotonic() < deadline:   # a moving counter: wait for "at least"
        time.sleep(0.05)
    assert month(dash_duo) >= 4                                   # the clock runs on its own
    dash_duo.find_element("#pause").click()
    time.sleep(2.0)                       # let a tick already in flight land (even on a loaded machine)
    paused = month(dash_duo)
    time.sleep(2.0)
    assert month(dash_duo) == paused      # the clock has stopped
    dash_duo.find_element("#reset").click()
    dash_duo.wait_for_text_to_equal("#month", "month 0", timeout=10)
    assert dash_duo.get_logs() == []


def test_a_tampered_scenario_value_gets_a_message_not_a_traceback():
    from dashboard.pages import live

    out = live.advance(None, None, None, "../../etc/passwd", "session-x")
    assert "Unknown scenario" in out[-1]


def test_bad_url_parameters_fall_back_to_defaults():
    from dashboard.pages import live

    app = create_app("classroom")
    with app.server.app_context():
        page = live.layout(scenario="../../etc/passwd", speed="abc")
        good = live.layout(scenario="baseline", speed="150")

    def find(node, id_):
        """Depth-first search of a Dash layout for the component with this id."""
        if getattr(node, "id", None) == id_:
            return node
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            hit = find(child, id_) if child is not None and not isinstance(child, str) else None
            if hit is not None:
                return hit
        return None

    assert find(page, "scenario").value == "classroom" and find(page, "tick").interval == 400
    assert find(good, "scenario").value == "baseline" and find(good, "tick").interval == 150
    assert live._speed(10**9) == 400 and live._speed(None) == 400 and live._speed("250") == 250


def test_a_lever_applies_at_the_current_month_and_marks_the_charts():
    from dashboard.pages import live

    session = "lever-test"
    sessions.SESSIONS.pop(session, None)
    model = live.model_for(session, "classroom")
    for _ in range(3):
        model.step()
    phl = model.region_ids.index("PHL")
    message = live.pull_lever(1, "tax_incentive", "PHL", 0.9, session, "classroom")
    assert "month 3" in message and model.regions.tax_incentive[phl] == 0.9
    assert model.levers == [(3, "tax_incentive PHL +0.9")]
    for bad in (("nonsense", "PHL", 0.5), ("tax_rate", "XXX", 0.5), ("tax_rate", "PHL", 7), ("tax_rate", "PHL", "abc")):
        assert "cannot" in live.pull_lever(1, *bad, session, "classroom") or "must be" in live.pull_lever(1, *bad, session, "classroom")
    assert model.levers == [(3, "tax_incentive PHL +0.9")]      # refused levers change nothing
    sessions.SESSIONS.pop(session, None)
