"""Figures: pure functions from tidy frames to plotly figures, shared by the CLI and the dashboard.

``save`` writes a self-contained HTML file (plotly.js inlined: it opens with no
network) and, when a Chromium or Chrome is installed, a PNG beside it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

# Set once as the default: passing a template to every figure deep-copies and validates it
# each time (most of a live dashboard frame's cost).
pio.templates.default = "plotly_white"


def delivery_by_region(metrics: pd.DataFrame, top: int = 8) -> go.Figure:
    """Delivered FTE per month by delivery region (the largest ``top``, the rest as 'other')."""
    d = metrics[metrics.metric == "delivered_fte"].groupby(["step", "region"]).value.sum().unstack(fill_value=0.0)
    order = d.sum().sort_values(ascending=False).index
    keep = list(order[:top])
    if len(order) > top:
        d["other"] = d[order[top:]].sum(axis=1)
        keep.append("other")
    fig = go.Figure([go.Scatter(x=d.index, y=d[r], name=r, stackgroup="fte", mode="lines") for r in keep])
    fig.update_layout(title="Delivered work by delivery region", xaxis_title="month",
                      yaxis_title="FTE delivered", legend_title="region")
    return fig


def empty(message: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(xaxis_visible=False, yaxis_visible=False,
                      annotations=[{"text": message, "showarrow": False, "font": {"size": 16}}])
    return fig


def location_split(metrics: pd.DataFrame) -> go.Figure:
    """Share of delivered work in-house, onshore, nearshore and offshore, month by month."""
    d = metrics[metrics.metric == "delivered_fte"].groupby(["step", "location"]).value.sum().unstack(fill_value=0.0)
    share = d.div(d.sum(axis=1), axis=0)
    order = [c for c in ("inhouse", "onshore", "nearshore", "offshore") if c in share]
    fig = go.Figure([go.Scatter(x=share.index, y=share[c], name=c, stackgroup="loc", mode="lines") for c in order])
    fig.update_layout(title="Where the work is done", xaxis_title="month",
                      yaxis_tickformat=".0%", yaxis_title="share of delivered FTE")
    return fig


def governance_mix(metrics: pd.DataFrame) -> go.Figure:
    """Active links by governance mode, month by month."""
    d = metrics[metrics.metric == "active_links"].pivot_table(index="step", columns="mode", values="value", aggfunc="sum")
    fig = go.Figure([go.Scatter(x=d.index, y=d[m], name=m, mode="lines") for m in d.columns])
    fig.update_layout(title="How links are governed", xaxis_title="month", yaxis_title="active links")
    return fig


def effects(effects: pd.DataFrame) -> go.Figure:
    """Forest plot: each scenario's effect on each outcome relative to baseline, with its 95% interval."""
    e = effects.copy()
    base = e.baseline.where(e.baseline != 0)
    e["rel"], e["lo"], e["hi"] = e.effect / base, e.ci_low / base, e.ci_high / base
    e["label"] = e.scenario + " · " + e.outcome
    fig = go.Figure(go.Scatter(
        x=e.rel, y=e.label, mode="markers",
        error_x={"type": "data", "symmetric": False, "array": e.hi - e.rel, "arrayminus": e.rel - e.lo},
        hovertemplate="%{y}<br>effect %{x:+.1%}<extra></extra>"))
    fig.add_vline(x=0, line_dash="dot")
    fig.update_layout(title="Effects against baseline (relative, 95% intervals)",
                      xaxis_tickformat="+.0%", xaxis_title="effect relative to baseline", height=200 + 40 * len(e))
    return fig


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
        except Exception:  # a PNG is a convenience; the HTML is the figure
            pass
    return written
