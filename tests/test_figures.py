"""Figures: built from tidy frames, saved as offline HTML and (with a browser) PNG."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from sim import figures, run


@pytest.fixture(scope="module")
def metrics():
    return run("classroom", months=12).metrics


def test_delivery_by_region_stacks_the_largest_regions_and_the_rest(metrics):
    fig = figures.delivery_by_region(metrics, top=3)
    names = [t.name for t in fig.data]
    assert len(names) == 4 and names[-1] == "other"
    total = metrics[metrics.metric == "delivered_fte"].groupby("step").value.sum()
    stacked = sum(pd.Series(t.y, index=t.x) for t in fig.data)
    pd.testing.assert_series_equal(stacked.sort_index(), total.sort_index(), check_names=False)


def test_effects_and_sensitivity_figures_carry_their_numbers():
    effects = pd.DataFrame([{"scenario": "s", "outcome": "jobs", "baseline": 100.0, "effect": 5.0, "ci_low": 2.0, "ci_high": 8.0}])
    fig = figures.effects(effects)
    assert fig.data[0].x[0] == pytest.approx(0.05) and list(fig.data[0].y) == ["s"]
    assert fig.data[0].error_x.array[0] == pytest.approx(0.03) and fig.layout.annotations[0].text == "jobs"
    sobol = [{"parameter": "a", "S1": 0.6, "S1_conf": 0.1, "ST": 0.7, "ST_conf": 0.1}]
    assert [t.name for t in figures.sensitivity_indices(sobol, "sobol", "jobs").data] == ["first order (S1)", "total (ST)"]
    points = pd.DataFrame({"p": [1, 2, 3], "q": [3, 2, 1], "jobs": [5, 6, 7]})
    assert len(figures.sweep_points(points, "jobs").data) == 2


def test_saved_html_works_offline_and_png_is_written_when_a_browser_exists(metrics, tmp_path):
    written = figures.save(figures.delivery_by_region(metrics), tmp_path, "delivery")
    html = (tmp_path / "delivery.html").read_text(encoding="utf-8")
    import re

    assert not re.search(r'<script[^>]+src="https?://', html)          # nothing fetched from a network
    assert "Plotly.newPlot" in html and len(html) > 1_000_000          # plotly.js inlined
    if figures.browser() is None:
        pytest.skip("no Chromium/Chrome on this machine: PNG export not exercised")
    png = tmp_path / "delivery.png"
    assert png in written and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def monthly(metrics, name, by=None):
    """A metric per month (and per ``by``), summed, straight from the tidy frame: what a figure should show."""
    rows = metrics[metrics.metric == name]
    return rows.groupby("step").value.sum() if by is None else rows.groupby(["step", by]).value.sum().unstack(fill_value=0.0)


def series(trace) -> pd.Series:
    return pd.Series(trace.y, index=trace.x)


def test_delivery_by_family_stacks_each_family_and_adds_up_to_all_work(metrics):
    fig = figures.delivery_by_family(metrics)
    assert [t.name for t in fig.data] == ["ITO", "BPO", "KPO"] and {t.stackgroup for t in fig.data} == {"fam"}
    expected = monthly(metrics, "delivered_fte", "family")
    for trace in fig.data:
        pd.testing.assert_series_equal(series(trace), expected[trace.name], check_names=False)
    total = sum(series(t) for t in fig.data)
    pd.testing.assert_series_equal(total, monthly(metrics, "delivered_fte"), check_names=False)


def test_chain_depth_shows_tiers_and_subcontracted_share_on_two_axes(metrics):
    fig = figures.chain_depth(metrics)
    depth, sub = fig.data
    pd.testing.assert_series_equal(series(depth), monthly(metrics, "chain_depth_mean"), check_names=False)
    pd.testing.assert_series_equal(series(sub), monthly(metrics, "subcontracted_share"), check_names=False)
    assert depth.yaxis in (None, "y") and sub.yaxis == "y2" and fig.layout.yaxis2.tickformat == ".0%"
    assert (series(depth) >= 1).all()                            # a contract is at least one tier deep


def test_wages_follow_the_regions_that_deliver_most(metrics):
    fig = figures.wages_by_region(metrics, top=3)
    volume = metrics[metrics.metric == "delivered_fte"].groupby("region").value.sum().sort_values(ascending=False)
    assert [t.name for t in fig.data] == list(volume.index[:3])
    wages = monthly(metrics, "mean_wage_usd", "region")
    for trace in fig.data:
        pd.testing.assert_series_equal(series(trace), wages[trace.name], check_names=False)


def test_client_savings_are_shares_per_family(metrics):
    fig = figures.client_savings(metrics)
    savings = monthly(metrics, "client_savings_share", "family")
    assert [t.name for t in fig.data] == ["ITO", "BPO", "KPO"] and fig.layout.yaxis.tickformat == ".0%"
    for trace in fig.data:
        pd.testing.assert_series_equal(series(trace), savings[trace.name], check_names=False)


def test_service_quality_shows_sla_compliance_and_incident_counts(metrics):
    fig = figures.service_quality(metrics)
    bars = next(t for t in fig.data if t.type == "bar")
    line = next(t for t in fig.data if t.type == "scatter")
    pd.testing.assert_series_equal(series(bars), monthly(metrics, "data_incidents"), check_names=False)
    pd.testing.assert_series_equal(series(line), monthly(metrics, "sla_compliance"), check_names=False)
    assert bars.yaxis == "y2" and ((series(line) >= 0) & (series(line) <= 1)).all()


def test_every_time_series_copes_with_one_month_and_with_none(metrics):
    first = metrics[metrics.step == metrics.step.min()]
    none = metrics.iloc[0:0]
    for make in (figures.delivery_by_region, figures.location_split, figures.governance_mix, figures.delivery_by_family,
                 figures.chain_depth, figures.wages_by_region, figures.client_savings, figures.service_quality):
        one = make(first)
        assert all(t.mode == "lines+markers" for t in one.data if t.type == "scatter")   # a lone month still shows
        assert all(len(t.x) == 0 for t in make(none).data)


def test_a_panel_is_compact_keeps_the_figure_and_marks_each_lever(metrics):
    fig = figures.chain_depth(metrics)
    panel = figures.panel(fig, [(3, "tax_incentive PHL +0.5"), (7, "wage_shock IND +0.2")], height=250)
    layout = panel["layout"]
    assert layout["height"] == 250 and "template" not in layout and layout["uirevision"] == "live"
    assert [(s["x0"], s["x1"]) for s in layout["shapes"]] == [(3, 3), (7, 7)]
    notes = [a for a in layout["annotations"] if a["text"] in ("tax_incentive PHL +0.5", "wage_shock IND +0.2")]
    assert [a["x"] for a in notes] == [3, 7] and notes[0]["y"] != notes[1]["y"]   # staggered, not on top of each other
    assert layout["yaxis2"]["overlaying"] == "y" and len(panel["data"]) == len(fig.data)
    assert fig.layout.shapes == ()                                                # the figure given is unchanged
    go.Figure(panel)                                                              # still a valid plotly figure
