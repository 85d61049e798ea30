"""The Experiments page: browsing a results store the real CLI wrote (a comparison and a Sobol
sweep of a tiny world), its data functions, and every way a store can be unreadable."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from sim.cli import app as cli
from sim.experiments import browse
from sim.experiments.store import DEFAULT_PATH, ResultsStore
from tests.helpers import free_port, page_module

TINY = ["--set", "world.clients=60", "--set", "world.primes=12", "--set", "world.subcontractors=20",
        "--months", "4", "--workers", "1"]
PARAMS = ["--param", "regions.overrides.IND.wage_multiplier=0.7:1.3", "--param", "scoring.price=0.1:0.4"]


def chainsim(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A results folder holding a 2-seed comparison (4 runs) and a Sobol sweep (16 runs), ~4 s."""
    folder = tmp_path_factory.mktemp("results")
    store = str(folder / "chainsim.duckdb")
    chainsim("compare", "us_backlash_tax", "--replicates", "2", "-o", "jobs", "--store", store, *TINY)
    chainsim("sensitivity", *PARAMS, "--method", "sobol", "-n", "4", "-o", "share:IND", "--store", store, *TINY)
    return folder


@pytest.fixture(scope="module")
def ids(results):
    with browse.reading(browse.store_file(results)) as store:
        table = browse.experiments(store)
    return dict(zip(table.kind, table.experiment_id))


def page_app(results_setting):
    """The dashboard pointed at a results folder, as ``chainsim dashboard --results`` will do."""
    from dashboard.app import create_app

    app = create_app("classroom")
    app.server.config["CHAINSIM_RESULTS"] = str(results_setting)
    return app


# ---------------------------------------------------------------- data functions

def test_the_setting_may_name_the_folder_or_the_file(tmp_path):
    assert browse.store_file(None) == DEFAULT_PATH
    assert browse.store_file(tmp_path) == tmp_path / "chainsim.duckdb"
    assert browse.store_file(tmp_path / "other.duckdb") == tmp_path / "other.duckdb"


def test_the_store_lists_what_the_cli_wrote(results, ids):
    with browse.reading(browse.store_file(results)) as store:
        table = browse.experiments(store)
        compare_runs = browse.runs(store, ids["compare"])
        sweep_runs = browse.runs(store, ids["sweep-sobol"])
        every_run = browse.runs(store)
    assert dict(zip(table.kind, table.finished_runs)) == {"compare": 4, "sweep-sobol": 16}
    assert "us_backlash_tax against baseline; 2 paired seeds, 4 months" in set(table.about)
    assert sorted(compare_runs.scenario) == ["baseline", "baseline", "us_backlash_tax", "us_backlash_tax"]
    assert len(every_run) == 20 and set(every_run.months) == {4}
    # a sweep's runs are told apart by their sampled point, not by the fixed --set overrides
    assert all("wage_multiplier=" in label and "price=" in label and "clients" not in label for label in sweep_runs.label)
    assert all(len(h) == 16 for h in every_run.scenario_hash) and set(every_run.code_version) != {""}


def test_a_metric_is_summed_or_averaged_over_the_open_dimensions(results, ids):
    with browse.reading(browse.store_file(results)) as store:
        run_ids = list(browse.runs(store, ids["compare"]).run_id[:2])
        raw = store.metrics(run_ids)
        fte = browse.series(store, run_ids, "delivered_fte", {d: browse.EVERY for d in browse.DIMENSIONS})
        wage = browse.series(store, run_ids, "mean_wage_usd", {"region": "IND"})
        by_family = browse.series(store, run_ids, "delivered_fte", {"location": "offshore"}, split="family")
        dims = browse.dimensions(store, run_ids, "delivered_fte")
        links = browse.dimensions(store, run_ids, "active_links")
    expected = raw[raw.metric == "delivered_fte"].groupby(["run_id", "step"]).value.sum()
    assert fte.set_index(["run_id", "step"]).value.sort_index().tolist() == pytest.approx(expected.sort_index().tolist())
    assert len(fte) == 2 * 4                                           # every month of both runs
    ind = raw[(raw.metric == "mean_wage_usd") & (raw.region == "IND")].set_index(["run_id", "step"]).value
    assert wage.set_index(["run_id", "step"]).value.sort_index().tolist() == pytest.approx(ind.sort_index().tolist())
    assert set(by_family.line) <= {"ITO", "BPO", "KPO"} and len(by_family) == 4 * by_family.groupby(["run_id", "line"]).ngroups
    assert dims["family"] == ["BPO", "ITO", "KPO"] and "offshore" in dims["location"] and dims["mode"] == []
    assert links["region"] == [] and "market" in links["mode"]


def test_analyses_match_the_cli(results, ids):
    with browse.reading(browse.store_file(results)) as store:
        effects = browse.effects(store, ids["compare"], ["jobs", "share:IND"])
        design, cases, values = browse.sweep_outcomes(store, ids["sweep-sobol"], "share:IND")
    assert set(effects.outcome) == {"jobs", "share:IND"} and set(effects.scenario) == {"us_backlash_tax"}
    assert len(cases) == 16 and set(cases.columns) == {"regions.overrides.IND.wage_multiplier", "scoring.price", "outcome"}
    indices = browse.sensitivity_indices(design, values)
    assert [i["parameter"] for i in indices] == ["regions.overrides.IND.wage_multiplier", "scoring.price"]
    threshold = float(cases.outcome.median())
    box = browse.prim_box(cases, threshold, None, 0.8)
    assert box["hits"] == int((cases.outcome < threshold).sum()) and box["cases"] == 16
    printed = chainsim("discover", ids["sweep-sobol"], "-o", "share:IND", "--below", repr(threshold),
                       "--store", str(browse.store_file(results)))
    printed = " ".join(printed.split())                               # rich wraps lines at the terminal width
    assert f"{box['hits']} of 16 runs" in printed and f"{box['coverage']:.0%} of them" in printed
    with pytest.raises(browse.DesignError), browse.reading(browse.store_file(results)) as store:
        browse.sweep_outcomes(store, ids["compare"], "jobs")


def test_figures_draw_one_line_per_run_and_the_box_over_its_runs():
    import pandas as pd

    from sim.figures import experiments as exp_figures

    series = pd.DataFrame({"run_id": ["r1"] * 3 + ["r2"] * 3, "line": "", "step": [1, 2, 3] * 2,
                           "value": [1.0, 2.0, 3.0, 1.0, 1.5, 2.5]})
    fig = exp_figures.metric_over_time(series, {"r1": "baseline · seed …0001"}, "jobs", "region IND")
    assert [t.name for t in fig.data] == ["baseline · seed …0001", "r2"] and "region IND" in fig.layout.title.text
    cases = pd.DataFrame({"a": [0.1, 0.2, 0.8, 0.9], "b": [1.0, 2.0, 3.0, 4.0], "outcome": [0.0, 0.1, 0.9, 1.0]})
    limits = pd.DataFrame({"min": [0.1], "max": [0.2]}, index=["a"])
    fig = exp_figures.prim_box(cases, limits, cases.outcome < 0.5, "outcome < 0.5")
    assert list(fig.data[0].x) == [0.1, 0.2] and list(fig.data[1].x) == [0.8, 0.9]
    box = fig.layout.shapes[0]
    assert (box.x0, box.x1, box.y0, box.y1) == (0.1, 0.2, 1.0, 4.0)      # b is not limited: its full range


# ---------------------------------------------------------------- bad input: a message, never a traceback

def test_unreadable_stores_get_a_message(tmp_path):
    empty = tmp_path / "empty"
    ResultsStore(empty / "chainsim.duckdb").close()                    # the schema, no experiments
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    for setting, words in ((tmp_path / "nowhere", "No results store at"), (empty, "holds no experiments yet"),
                           (junk, "not a DuckDB database file")):
        app = page_app(setting)
        page = page_module("/experiments")
        with app.server.app_context():
            where, message, table, options, value = page.read_store(0, None, None)
            assert words in message and table == [] and options == [] and value is None and str(setting) in where
            assert page.show_runs(None, None) == ([], [], [])
            figure, note = page.plot_metric(["a" * 20], "delivered_fte", "", *[browse.EVERY] * 4)
            assert figure.layout.annotations and (note == "" or "store" in note.lower())


def test_a_store_locked_by_a_running_experiment_says_so(results, tmp_path):
    locked = tmp_path / "busy.duckdb"
    shutil.copy(browse.store_file(results), locked)
    with browse.reading(locked) as store:     # a reader lets go of the file: the writer below can take it
        assert len(browse.experiments(store)) == 2
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(60)"
    writer = subprocess.Popen([sys.executable, "-c", hold, str(locked)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "holding"
        with pytest.raises(browse.StoreUnavailable, match="being written by another chainsim process"), \
                browse.reading(locked):
            pass
    finally:
        writer.kill()
        writer.wait()
    with browse.reading(locked) as store:                             # and readable again once it is done
        assert len(browse.experiments(store)) == 2


def test_tampered_callback_values_get_messages(results, ids):
    app = page_app(results)
    page = page_module("/experiments")
    with app.server.app_context():
        run_id = page.show_runs(ids["compare"], None)[2][0]
        every = [browse.EVERY] * 4
        assert "Choose up to 50 runs" in page.plot_metric("not-a-list", "delivered_fte", "", *every)[1]
        assert "Choose up to 50 runs" in page.plot_metric([run_id], "DROP TABLE metrics", "", *every)[1]
        assert "Choose up to 50 runs" in page.plot_metric([run_id], "delivered_fte", "bogus", *every)[1]
        assert "no rows for region='XXX'" in page.plot_metric([run_id], "delivered_fte", "", "XXX", *every[1:])[1]
        figure, note = page.plot_metric(["no-such-run"], "delivered_fte", "", *every)
        assert note == "" and "No delivered_fte rows" in figure.layout.annotations[0].text
        assert "no experiment 'nope'" in page.analyse("nope", "jobs", None, "below", None, 0.8)[1]
        assert "needs a region" in page.analyse(ids["compare"], "share", None, "below", None, 0.8)[1]
        assert "no regional form" in page.analyse(ids["compare"], "sla", "IND", "below", None, 0.8)[1]
        assert "from the lists" in page.analyse(ids["compare"], "jobs", "../etc", "below", None, 0.8)[1]
        assert "must be numbers" in page.analyse(ids["sweep-sobol"], "jobs", None, "below", "abc", 0.8)[1]
        assert "between 0.05 and 1" in page.analyse(ids["sweep-sobol"], "jobs", None, "below", None, 7)[1]
        assert "below or above" in page.analyse(ids["sweep-sobol"], "jobs", None, "sideways", None, 0.8)[1]
        parts, note = page.analyse(ids["sweep-sobol"], "share", "IND", "below", None, 0.8)
        assert note == "" and {"exp-sweep", "exp-sensitivity"} <= {getattr(p, "id", None) for p in walk(parts)}
        assert page.read_store(0, None, "not-an-id")[4] == ids["sweep-sobol"]   # a bad ?experiment= is ignored
        assert page.read_store(0, None, ids["compare"])[4] == ids["compare"]
    assert page.initial_outcome("share:IND") == ("share", "IND") and page.initial_outcome("sla") == ("sla", None)
    for bad in ("sla:IND", "share:XXX", "nonsense", None, ["jobs"]):
        assert page.initial_outcome(bad) == ("jobs", None)


def walk(nodes):
    """Every component in a list of Dash components, depth first."""
    for node in nodes if isinstance(nodes, list) else [nodes]:
        yield node
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            yield from walk(children)


# ---------------------------------------------------------------- in a browser

browser = pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver is not installed")


def until(predicate, timeout: float = 15.0):
    """Poll until ``predicate()`` is truthy (the page redraws asynchronously); returns its last value."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def traces(dash_duo) -> int:
    return len(dash_duo.find_elements("#exp-series .scatterlayer .trace"))


@browser
def test_the_page_lists_runs_and_draws_a_chosen_metric(dash_duo, results, ids):
    dash_duo.start_server(page_app(results), port=free_port())
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/experiments?experiment={ids['compare']}")
    dash_duo.wait_for_contains_text("#exp-table", ids["sweep-sobol"], timeout=15)
    assert ids["compare"] in dash_duo.find_element("#exp-table").text
    assert until(lambda: len(dash_duo.find_elements("#exp-runs-table tbody tr")) == 4)
    assert "us_backlash_tax" in dash_duo.find_element("#exp-runs-table").text
    # the comparison opens with the baseline and the policy on one seed: two lines
    assert until(lambda: traces(dash_duo) == 2)
    dash_duo.select_dcc_dropdown("#exp-metric", value="tax_revenue_usd")
    assert until(lambda: "tax_revenue_usd" in dash_duo.find_element("#exp-series .gtitle").text)
    dash_duo.select_dcc_dropdown("#exp-region", value="IND")
    assert until(lambda: "region IND" in dash_duo.find_element("#exp-series .gtitle").text)
    path = dash_duo.find_element("#exp-series .scatterlayer .trace path.js-line").get_attribute("d")
    assert re.match(r"M[\d.]+,[\d.]+L", path)                            # a drawn line, not an empty trace
    assert until(lambda: dash_duo.find_elements("#exp-effects .scatterlayer .trace"))  # the comparison's effects
    assert dash_duo.get_logs() == []


@browser
def test_a_missing_store_shows_a_message_not_a_traceback(dash_duo, tmp_path):
    dash_duo.start_server(page_app(tmp_path / "no-results-here"), port=free_port())
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/experiments")
    dash_duo.wait_for_contains_text("#exp-status", "No results store at", timeout=15)
    assert "Traceback" not in dash_duo.find_element("body").text
    assert dash_duo.find_elements("#exp-series .main-svg")              # the page itself stands
    assert dash_duo.get_logs() == []
