"""Map: where the work, the wages, the jobs, the taxes and the competitive edge are, month by month.

The page shows the tab's Live model when it has run (pause it on Live and
look here), otherwise a finished run of the server's scenario, and says which.
Country outlines come from the app's own assets (``assets/topojson/``), so the
map draws with no internet; plotly.js would otherwise fetch them from a CDN.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.sessions import read_shown, shown_source
from sim.figures import maps

dash.register_page(__name__, path="/map", name="Map", order=2)

TOPOJSON = Path(__file__).resolve().parent.parent / "assets" / "topojson"
DEFAULT_METRIC = "provider_fte"


@lru_cache(maxsize=1)
def outlines() -> frozenset[str] | None:
    """Country ids the served outlines can draw (None if the asset is missing: then nothing can be drawn offline)."""
    try:
        return maps.country_ids(json.loads((TOPOJSON / "world_110m.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def graph_config() -> dict:
    """Plotly config for a map graph: outlines from this app's assets (respecting any URL prefix), not the CDN."""
    return {"topojsonURL": dash.get_asset_url("topojson/"), "displaylogo": False}


def layout(metric=None, **_):
    """``?metric=NAME`` picks the metric when it is one of the map's, and is ignored otherwise."""
    chosen = metric if metric in maps.MAP_METRICS else DEFAULT_METRIC
    return html.Div([
        html.P(id="map-source", className="map-source"),
        html.Div([
            html.Label("show", htmlFor="map-metric"),
            dcc.Dropdown(id="map-metric", clearable=False, value=chosen, className="map-metric",
                         options=[{"label": spec.label, "value": key} for key, spec in maps.MAP_METRICS.items()]),
            html.Label("month", htmlFor="map-month"),
            html.Div(dcc.Slider(id="map-month", min=1, max=1, step=1, included=False, allow_direct_input=False,
                                tooltip={"placement": "top", "always_visible": True}),
                     className="map-slider"),
        ], className="controls map-controls"),
        html.P(id="map-meaning", className="map-meaning"),
        html.Div(id="map-message", className="message"),
        html.Div([
            dcc.Graph(id="map-figure", config=graph_config(), className="map-figure"),
            dcc.Graph(id="map-leaders", config={"displayModeBar": False}, className="map-leaders"),
        ], className="map-row"),
    ], className="page map-page")


def region_table(model) -> pd.DataFrame:
    return pd.DataFrame({"region_id": model.region_ids, "name": list(model.region_data["name"])})


def month_marks(ran: list[int]) -> dict:
    """A mark at the first and last month and every sixth between, so labels never crowd."""
    return {m: str(m) for m in ran if m in (ran[0], ran[-1]) or (m % 6 == 0 and ran[-1] - m >= 3 and m - ran[0] >= 3)}


@callback(
    Output("map-figure", "figure"), Output("map-leaders", "figure"),
    Output("map-month", "min"), Output("map-month", "max"), Output("map-month", "marks"), Output("map-month", "value"),
    Output("map-source", "children"), Output("map-meaning", "children"), Output("map-message", "children"),
    Input("map-metric", "value"), Input("map-month", "value"), State("session", "data"),
)
def draw(metric, month, session):
    """Redraw for the chosen metric and month (the latest month when none is chosen yet)."""
    keep = (no_update,) * 8
    if metric not in maps.MAP_METRICS:
        return (*keep, f"Unknown metric {metric!r}; choose one from the list.")
    model, metrics, source = read_shown(session, lambda m: (m, m.metrics(), shown_source(m, session)))
    ran = maps.months(metrics)
    if not ran:
        return (*keep, "Nothing has run yet: there is no month to map.")
    if month is None:
        month = ran[-1]
    try:
        regions = region_table(model)
        fig = maps.region_map(metrics, regions, metric, month, drawable=outlines())
        leaders = maps.leading_regions(metrics, regions, metric, month)
    except ValueError as exc:
        return (*keep, str(exc))
    note = "" if outlines() is not None else "The map's country outlines are missing from the app's assets (topojson/)."
    return (fig, leaders, ran[0], ran[-1], month_marks(ran), int(month), source,
            maps.MAP_METRICS[metric].meaning, note)
