"""The Compare page: checked choices, the CLI's comparison machinery behind it, the results store, and a
small comparison in a real (headless) browser that ends with intervals and a CSV to download."""

import shutil
import subprocess
import sys
import time

import pandas as pd
import pytest

from dashboard.app import create_app
from sim.experiments import shared_store
from sim.experiments.store import ResultsStore
from tests.helpers import page_module

SMALL_COMPARE = {"scenarios": ["philippines_tax_incentive", "us_backlash_tax"], "replicates": 2, "months": 24,
                 "world": "small", "outcomes": ["jobs", "share:PHL", "tax_revenue:PHL"]}
HOLD_THE_STORE = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('holding', flush=True); sys.stdin.read()"


@pytest.fixture(scope="module")
def compare():
    return page_module("/compare")


@pytest.fixture(scope="module")
def first_run(compare, tmp_path_factory):
    """A small comparison run into a fresh store (6 runs: baseline and two policies on 2 seeds, 24 months)."""
    store = tmp_path_factory.mktemp("results") / "chainsim.duckdb"
    request = compare.read_request(**SMALL_COMPARE)
    seen = []
    result = compare.run_comparison(request, store, lambda done, total: seen.append((done, total)))
    return request, store, result, seen


@pytest.mark.parametrize("change, message", [
    ({"scenarios": []}, "at least one scenario"),
    ({"scenarios": None}, "at least one scenario"),
    ({"scenarios": ["../../etc/passwd"]}, "Unknown scenario"),
    ({"scenarios": ["baseline"]}, "Unknown scenario"),
    ({"scenarios": [{"x": 1}]}, "from the list"),
    ({"scenarios": 7}, "from the list"),
    ({"outcomes": [["jobs"]]}, "from the list"),
    ({"replicates": 0}, "Replicates must be a whole number from 1 to 10"),
    ({"replicates": 11}, "Replicates"),
    ({"replicates": 2.5}, "Replicates"),
    ({"replicates": "abc"}, "Replicates"),
    ({"replicates": None}, "Replicates"),
    ({"months": 6}, "Months must be a whole number from 12 to 120"),
    ({"months": 1e9}, "Months"),
    ({"months": float("nan")}, "Months"),
    ({"world": "huge"}, "world size"),
    ({"outcomes": []}, "at least one outcome"),
    ({"outcomes": ["jobs:XXX"]}, "unknown region"),
    ({"outcomes": ["share"]}, "needs a region"),
    ({"outcomes": ["rm -rf"]}, "unknown outcome"),
    ({"outcomes": ["jobs"] + [f"jobs:{r}" for r in ("IND", "PHL", "CHN", "USA", "MEX", "POL", "VNM", "BRA", "GBR",
                                                    "DEU", "IRL", "ESP")]}, "at most 12"),
])
def test_choices_the_page_does_not_offer_are_refused_with_a_message(compare, change, message):
    with pytest.raises(compare.CompareInputError, match=message):
        compare.read_request(**{**SMALL_COMPARE, **change})


def test_tampered_input_reaches_the_page_as_a_message_not_a_traceback(compare):
    out = compare.run_compare(lambda _: None, 1, ["../../etc/passwd"], 2, 24, "small", ["jobs"], ["save"], "tab")
    assert "Unknown scenario" in out[-1] and all(o is compare.no_update for o in out[:-1])
    with pytest.raises(compare.CompareInputError, match="nothing to download"):
        compare.effects_frame({"rows": "DROP TABLE"})
    with pytest.raises(compare.CompareInputError, match="not a comparison's table"):
        compare.effects_frame({"rows": [{"a": 1}]})
    assert compare._download_name({"experiment": "../../x"}) == "effects.csv"


def test_a_small_comparison_gives_effects_with_intervals_from_the_clis_design(compare, first_run):
    request, store, result, seen = first_run
    effects = result.effects
    assert len(effects) == 2 * 3 and set(effects.scenario) == set(request.scenarios)
    assert (effects.replicates == 2).all()
    assert effects[["ci_low", "ci_high"]].notna().all().all()
    assert (effects.ci_low <= effects.effect + 1e-12).all() and (effects.effect <= effects.ci_high + 1e-12).all()
    # a Philippine tax holiday waives the Philippines' corporate tax: its revenue falls
    phl_tax = effects[(effects.scenario == "philippines_tax_incentive") & (effects.outcome == "tax_revenue:PHL")]
    assert phl_tax.effect.iloc[0] < 0
    assert seen[0] == (0, 6) and seen[-1] == (6, 6) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    design, specs = compare.plan(request)
    assert result.design["experiment_id"] == design["experiment_id"] and result.ran == 6 and result.saved == 6
    with ResultsStore(store, read_only=True) as results:
        assert results.finished_run_ids() == {s.run_id for s in specs}
    fig = compare.effects_figure(effects, {o: compare.outcome_label(o) for o in request.outcomes})
    assert len(fig.data) == len(effects) and all(len(t.error_x.array) == 1 for t in fig.data)
    assert "Philippines" in " ".join(a.text for a in fig.layout.annotations)


def test_a_rerun_reuses_the_stored_runs_and_gives_the_same_numbers(compare, first_run):
    request, store, result, _ = first_run
    again = compare.run_comparison(request, store)
    assert again.ran == 0 and again.reused == 6 and again.saved == 0
    pd.testing.assert_frame_equal(again.effects, result.effects)


def test_a_locked_store_still_gives_the_numbers_and_says_they_were_not_saved(compare, first_run, tmp_path, monkeypatch):
    request, _, result, _ = first_run
    store = tmp_path / "chainsim.duckdb"
    ResultsStore(store).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_STORE, str(store)],     # another process writing
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(shared_store, "STORE_PATIENCE", 0.3)
        locked = compare.run_comparison(request, store)
    finally:
        holder.communicate("")
    assert "in use by another chainsim process" in locked.store_note and locked.saved == 0
    pd.testing.assert_frame_equal(locked.effects, result.effects)
    with ResultsStore(store, read_only=True) as results:
        assert results.finished_run_ids() == set()          # nothing half-written


def test_the_page_says_when_a_policy_starts_too_late_to_show(compare):
    short = compare.read_request(**{**SMALL_COMPARE, "months": 12})
    assert all("effect is zero" in note for note in compare.timing_notes(short))
    assert compare.timing_notes(compare.read_request(**{**SMALL_COMPARE, "months": 36})) == []
    assert compare.cli_command(short).startswith("chainsim compare philippines_tax_incentive us_backlash_tax --replicates 2")


# ---------------------------------------------------------------- in a browser

def numbers(dash_duo, selector) -> list[float]:
    return [float(cell.text.replace(",", "")) for cell in dash_duo.find_elements(selector)]


def finished_some(dash_duo) -> bool:
    """The progress line reads "N of M runs" with N >= 1."""
    words = dash_duo.find_element("#compare-progress-text").text.split()
    return len(words) == 4 and words[0].isdigit() and int(words[0]) >= 1


def open_compare_page(dash_duo, tmp_path):
    """Serve a fresh app whose background jobs and results store live in ``tmp_path``, and open /compare."""
    from tests.helpers import free_port

    app = create_app("classroom", cache_folder=tmp_path / "cache")
    app.server.config["CHAINSIM_RESULTS"] = str(tmp_path / "results")
    dash_duo.start_server(app, port=free_port())
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/compare")
    dash_duo.wait_for_element("#compare-run", timeout=10)


@pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver is not installed")
def test_a_small_compare_run_completes_and_shows_intervals(dash_duo, tmp_path):
    pytest.importorskip("dash.testing")
    open_compare_page(dash_duo, tmp_path)
    for scenario in ("us_backlash_tax", "cluster_park"):       # a multi dropdown toggles: drop one default, add another
        dash_duo.select_dcc_dropdown("#compare-scenarios", value=scenario)
        dash_duo.find_element("h2").click()                    # close the menu
    for box, value in (("#compare-replicates", "2"), ("#compare-months", "24")):
        field = dash_duo.find_element(box)
        field.clear()
        field.send_keys(value)
    clicked = time.perf_counter()
    dash_duo.find_element("#compare-run").click()
    dash_duo.wait_for_element("#compare-table .compare-table", timeout=30)
    print(f"\nsmall comparison (2 policies + baseline, 2 seeds, 24 months): {time.perf_counter() - clicked:.2f} s "
          "from click to table")
    scenarios = {cell.text for cell in dash_duo.find_elements("#compare-table td.col-scenario")}
    assert scenarios == {"philippines_tax_incentive", "cluster_park"}
    low, effect, high = (numbers(dash_duo, f"#compare-table td.col-{c}") for c in ("ci_low", "effect", "ci_high"))
    assert len(low) == len(high) == 2 * 6
    assert all(lo <= e <= hi for lo, e, hi in zip(low, effect, high))
    assert dash_duo.find_element("#compare-progress-text").text == "6 of 6 runs"
    dash_duo.wait_for_element("#compare-figure .main-svg .errorbar", timeout=10)
    assert dash_duo.find_element("#compare-download").is_enabled()
    assert not dash_duo.find_element("#compare-run").get_attribute("disabled")
    assert "Saved 6 run(s)" in dash_duo.find_element("#compare-message").text
    assert dash_duo.get_logs() == []


@pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver is not installed")
def test_cancel_stops_the_runs_and_leaves_a_readable_store(dash_duo, tmp_path, compare):
    pytest.importorskip("dash.testing")
    import psutil

    open_compare_page(dash_duo, tmp_path)
    for box, value in (("#compare-replicates", "10"), ("#compare-months", "120")):   # 30 runs: minutes
        field = dash_duo.find_element(box)
        field.clear()
        field.send_keys(value)
    before = {p.pid for p in psutil.Process().children(recursive=True)}   # helpers other tests left running
    dash_duo.find_element("#compare-run").click()
    deadline = time.monotonic() + 30
    while not finished_some(dash_duo) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert finished_some(dash_duo), dash_duo.find_element("#compare-progress-text").text
    assert dash_duo.find_element("#compare-run").get_attribute("disabled")          # one comparison at a time
    dash_duo.find_element("#compare-cancel").click()
    dash_duo.wait_for_contains_text("#compare-message", "Cancelled", timeout=10)
    deadline = time.monotonic() + 10
    while dash_duo.find_element("#compare-run").get_attribute("disabled") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not dash_duo.find_element("#compare-run").get_attribute("disabled")

    def workers():   # the job process and its pool, if anything survived the cancel
        return [p for p in psutil.Process().children(recursive=True)
                if p.pid not in before and "python" in p.name() and "resource_tracker" not in " ".join(p.cmdline())]

    deadline = time.monotonic() + 20            # a loaded machine may take a while to reap the pool
    while workers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers() == [], [p.cmdline() for p in workers()]
    request = compare.read_request(SMALL_COMPARE["scenarios"], 10, 120, "small", compare.DEFAULT_OUTCOMES)
    _, specs = compare.plan(request)
    with ResultsStore(tmp_path / "results" / "chainsim.duckdb", read_only=True) as results:
        saved = results.finished_run_ids()       # runs are saved in batches (a second apart): some or none
        stored = set(results.metrics(saved).run_id) if saved else set()
    assert len(saved) < 30 and saved <= {s.run_id for s in specs}
    assert stored == saved                       # every run the store calls finished is there whole
    assert dash_duo.get_logs() == []
