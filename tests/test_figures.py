"""Figures: built from tidy frames, saved as offline HTML and (with a browser) PNG."""

import pandas as pd
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
    assert fig.data[0].x[0] == pytest.approx(0.05) and list(fig.data[0].y) == ["s · jobs"]
    assert fig.data[0].error_x.array[0] == pytest.approx(0.03)
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
