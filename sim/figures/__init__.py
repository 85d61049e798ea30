"""Figures: pure functions from tidy frames to plotly figures, shared by the CLI and the dashboard.

``save`` writes a self-contained HTML file (plotly.js inlined: it opens with no
network) and, when a Chromium or Chrome is installed, a PNG beside it.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

# Set once as the default: passing a template to every figure deep-copies and validates it
# each time (most of a live dashboard frame's cost).
pio.templates.default = "plotly_white"


FAMILY_COLOURS = {"ITO": "#2563eb", "BPO": "#059669", "KPO": "#c026d3"}
LOCATION_ORDER = ("inhouse", "onshore", "nearshore", "offshore")
LEVER_COLOUR = "#b45309"
# above the plot, right-aligned: clear of a right-hand axis and its title
TOP_RIGHT_LEGEND = {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"}

# Figures pass their layout to the constructor: ``update_layout`` goes through plotly's
# relayout machinery and costs several times more, which a live page pays per chart per frame.


def _metric(metrics: pd.DataFrame, name: str) -> pd.DataFrame:
    return metrics[metrics.metric == name]


def _by(metrics: pd.DataFrame, name: str, column: str) -> pd.DataFrame:
    """One metric summed per month (rows) and per value of ``column`` (columns); absent cells are 0."""
    return _metric(metrics, name).groupby(["step", column]).value.sum().unstack(fill_value=0.0)


def _monthly(metrics: pd.DataFrame, name: str, region: str | None = None) -> pd.Series:
    """One metric summed per month (over the world, or for one region), as a series indexed by month."""
    rows = _metric(metrics, name)
    if region is not None:
        rows = rows[rows.region == region]
    return rows.groupby("step").value.sum()


def _months(series) -> np.ndarray:
    """The month axis as a plain array (plotly inspects pandas objects through narwhals: slower, same result)."""
    return series.index.to_numpy()


def _lines(series) -> str:
    """Line mode for a series: with a single month there is no line to draw, so show the point."""
    return "lines" if len(series.index) > 1 else "lines+markers"


def delivery_by_region(metrics: pd.DataFrame, top: int = 8) -> go.Figure:
    """Delivered FTE per month by delivery region (the largest ``top``, the rest as 'other')."""
    d = _by(metrics, "delivered_fte", "region")
    order = d.sum().sort_values(ascending=False).index
    keep = list(order[:top])
    if len(order) > top:
        d["other"] = d[order[top:]].sum(axis=1)
        keep.append("other")
    return go.Figure([go.Scatter(x=_months(d), y=d[r].to_numpy(), name=r, stackgroup="fte", mode=_lines(d))
                      for r in keep],
                     go.Layout(title="Delivered work by delivery region", xaxis_title="month",
                               yaxis_title="FTE delivered", legend_title="region"))


def empty(message: str, title: str | None = None) -> go.Figure:
    """A figure that says why there is nothing to draw yet (under the chart's ``title``, if given)."""
    return go.Figure(layout=go.Layout(title=title, xaxis_visible=False, yaxis_visible=False,
                                      annotations=[{"text": message, "showarrow": False, "font": {"size": 16}}]))


def location_split(metrics: pd.DataFrame) -> go.Figure:
    """Share of delivered work in-house, onshore, nearshore and offshore, month by month."""
    d = _by(metrics, "delivered_fte", "location")
    share = d.div(d.sum(axis=1), axis=0)
    order = [c for c in LOCATION_ORDER if c in share]
    return go.Figure([go.Scatter(x=_months(share), y=share[c].to_numpy(), name=c, stackgroup="loc", mode=_lines(share))
                      for c in order],
                     go.Layout(title="Where the work is done", xaxis_title="month",
                               yaxis_tickformat=".0%", yaxis_title="share of delivered FTE"))


def governance_mix(metrics: pd.DataFrame) -> go.Figure:
    """Active links by governance mode, month by month."""
    d = _by(metrics, "active_links", "mode")
    return go.Figure([go.Scatter(x=_months(d), y=d[m].to_numpy(), name=m, mode=_lines(d)) for m in d.columns],
                     go.Layout(title="How links are governed", xaxis_title="month", yaxis_title="active links"))


def delivery_by_family(metrics: pd.DataFrame) -> go.Figure:
    """Delivered FTE per month by service family (ITO, BPO, KPO), stacked."""
    d = _by(metrics, "delivered_fte", "family")
    return go.Figure([go.Scatter(x=_months(d), y=d[f].to_numpy(), name=f, stackgroup="fam", mode=_lines(d),
                                 line_color=colour) for f, colour in FAMILY_COLOURS.items() if f in d],
                     go.Layout(title="Delivered work by service family", xaxis_title="month",
                               yaxis_title="FTE delivered"))


def chain_depth(metrics: pd.DataFrame) -> go.Figure:
    """How long chains are: mean tiers of outsourced contracts, and the share of their work passed to subcontractors.

    Two axes because the two answer one question in different units: depth
    counts tiers (1 = the prime does it all), the share says how much work moves down.
    """
    depth, sub = _monthly(metrics, "chain_depth_mean"), _monthly(metrics, "subcontracted_share")
    return go.Figure([
        go.Scatter(x=_months(depth), y=depth.to_numpy(), name="depth", mode=_lines(depth), line_color="#0f172a"),
        go.Scatter(x=_months(sub), y=sub.to_numpy(), name="subcontracted", mode=_lines(sub), line_color="#ea580c",
                   yaxis="y2"),
    ], go.Layout(title="Chain depth", xaxis_title="month", legend=TOP_RIGHT_LEGEND,
                 yaxis_title="tiers per contract", yaxis_rangemode="tozero",
                 yaxis2={"title": {"text": "share of FTE subcontracted"}, "overlaying": "y", "side": "right",
                         "tickformat": ".0%", "rangemode": "tozero", "showgrid": False}))


def wages_by_region(metrics: pd.DataFrame, top: int = 6) -> go.Figure:
    """Mean wage per FTE-month in the ``top`` regions by work delivered (the wage gap that drives offshoring)."""
    volume = _metric(metrics, "delivered_fte").groupby("region").value.sum()
    regions = list(volume[volume > 0].sort_values(ascending=False).index[:top])
    w = _by(metrics, "mean_wage_usd", "region")
    return go.Figure([go.Scatter(x=_months(w), y=w[r].to_numpy(), name=r, mode=_lines(w)) for r in regions if r in w],
                     go.Layout(title="Wages in the main delivery regions", xaxis_title="month",
                               yaxis_title="USD per FTE-month", yaxis_rangemode="tozero", legend_title="region"))


def client_savings(metrics: pd.DataFrame) -> go.Figure:
    """Clients' savings on work that left their home teams, against doing it in-house at home, by family."""
    s = _by(metrics, "client_savings_share", "family")
    return go.Figure([go.Scatter(x=_months(s), y=s[f].to_numpy(), name=f, mode=_lines(s), line_color=colour)
                      for f, colour in FAMILY_COLOURS.items() if f in s],
                     go.Layout(title="Client savings against in-house", xaxis_title="month",
                               yaxis_tickformat=".0%", yaxis_title="saving vs in-house",
                               yaxis_zeroline=True, yaxis_zerolinecolor="#94a3b8"))


def service_quality(metrics: pd.DataFrame) -> go.Figure:
    """SLA compliance of outsourced links (line) and data incidents (bars), month by month."""
    sla, incidents = _monthly(metrics, "sla_compliance"), _monthly(metrics, "data_incidents")
    return go.Figure([
        go.Bar(x=_months(incidents), y=incidents.to_numpy(), name="data incidents", marker_color="#fca5a5", yaxis="y2"),
        go.Scatter(x=_months(sla), y=sla.to_numpy(), name="SLA met", mode=_lines(sla), line_color="#0f766e"),
    ], go.Layout(title="Service quality", xaxis_title="month", legend=TOP_RIGHT_LEGEND,
                 yaxis_title="SLA compliance", yaxis_tickformat=".0%", yaxis_range=[0, 1.02],
                 yaxis2={"title": {"text": "incidents"}, "overlaying": "y", "side": "right", "rangemode": "tozero",
                         "showgrid": False, "dtick": 1 if incidents.max() <= 5 else None}))


def lever_marks(levers) -> dict:
    """Layout shapes and annotations marking each (month, label) lever: a dashed line and its label,
    staggered down the chart so labels of levers close in time do not overlap."""
    levers = list(levers)
    return {
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": month, "x1": month, "y0": 0, "y1": 1,
                    "line": {"dash": "dash", "color": LEVER_COLOUR, "width": 1.5}} for month, _ in levers],
        "annotations": [{"x": month, "xref": "x", "yref": "paper", "y": 1 - 0.1 * (i % 4), "text": label,
                         "showarrow": False, "xanchor": "left", "yanchor": "top",
                         "font": {"size": 10, "color": LEVER_COLOUR},
                         "bgcolor": "rgba(255,255,255,0.75)"} for i, (month, label) in enumerate(levers)],
    }


def panel(fig: go.Figure, levers=(), height: int = 270) -> dict:
    """A figure as one panel of a dashboard grid: small, legend toggles kept across redraws, levers marked.

    Returns the plain dict Dash sends to the browser. The changes are made on
    the dict, not through plotly's validated layout, because a live page
    redraws every chart several times a second and plotly's layout updates
    cost more than building the chart.
    """
    out = fig.to_plotly_json()
    layout = dict(out["layout"])
    layout.pop("template", None)   # plotly.js's defaults look alike; a template is 7 kB a chart a frame to send and apply
    marks = lever_marks(levers)
    title = layout.get("title") or {}
    layout.update({
        "height": height, "margin": {"l": 52, "r": 52 if "yaxis2" in layout else 12, "t": 34, "b": 30},
        "font": {"size": 11},
        "title": {**title, "font": {"size": 13}, "x": 0.02},
        "legend": {**(layout.get("legend") or {}), "font": {"size": 10}},
        # every panel runs month by month; the first months span at least 1-6, so ticks fall on whole months
        "xaxis": {**(layout.get("xaxis") or {}), "title": {"text": None}, "autorangeoptions": {"include": [1, 6]}},
        "uirevision": "live",                                                  # legend toggles survive the next frame
        "shapes": list(layout.get("shapes") or []) + marks["shapes"],
        "annotations": list(layout.get("annotations") or []) + marks["annotations"],
    })
    out["layout"] = layout
    return out


def effects(effects: pd.DataFrame, labels: dict[str, str] | None = None) -> go.Figure:
    """Effects against baseline with 95% intervals, one panel per outcome (see ``sim.figures.compare``)."""
    from .compare import effects_by_outcome

    return effects_by_outcome(effects, labels)


def sweep_points(points: pd.DataFrame, outcome: str) -> go.Figure:
    """The outcome against each swept parameter."""
    params = [c for c in points.columns if c != outcome]
    fig = make_subplots(rows=1, cols=len(params), shared_yaxes=True, subplot_titles=params)
    for i, p in enumerate(params, start=1):
        fig.add_trace(go.Scatter(x=points[p], y=points[outcome], mode="markers", name=p, showlegend=False), row=1, col=i)
    fig.update_layout(title=f"{outcome} across the sweep", yaxis_title=outcome)
    return fig


def sensitivity_indices(indices: list[dict], method: str, outcome: str) -> go.Figure:
    """Sobol first-order and total indices (with intervals), or Morris mu* and sigma."""
    df = pd.DataFrame(indices)
    if method == "sobol":
        bars = [go.Bar(name="first order (S1)", x=df.parameter, y=df.S1, error_y={"array": df.S1_conf}),
                go.Bar(name="total (ST)", x=df.parameter, y=df.ST, error_y={"array": df.ST_conf})]
    else:
        bars = [go.Bar(name="mu*", x=df.parameter, y=df.mu_star, error_y={"array": df.mu_star_conf}),
                go.Bar(name="sigma", x=df.parameter, y=df.sigma)]
    fig = go.Figure(bars)
    fig.update_layout(barmode="group", title=f"{method.capitalize()} sensitivity of {outcome}")
    return fig


def browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def save(fig: go.Figure, folder: Path, name: str, png: bool = True) -> list[Path]:
    """Write ``name.html`` (self-contained, offline) and ``name.png`` when a browser can render it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / f"{name}.html"]
    fig.write_html(written[0], include_plotlyjs=True, full_html=True)
    path = browser() if png else None
    if path:
        os.environ.setdefault("BROWSER_PATH", path)
        try:
            fig.write_image(folder / f"{name}.png", width=1000, height=max(int(fig.layout.height or 500), 400))
            written.append(folder / f"{name}.png")
        # kaleido and its browser fail in many ways; a PNG is a convenience, the HTML is the figure
        except Exception as exc:  # noqa: BLE001
            warnings.warn(f"{name}.png not written ({exc}); {name}.html is", stacklevel=2)
    return written
