"""Figures for the Learn page's lessons: the evidence behind each answer.

Each figure compares what a lesson asks students to watch with what the model
did in a run of the lesson's scenario (and, for a policy or a shock, the
baseline on the same seed). Pure functions from tidy frames to figures.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.figures import _monthly
from sim.scenario import MODES

MODE_COLOURS = {"market": "#f59e0b", "modular": "#2563eb", "relational": "#059669", "captive": "#9333ea",
                "hierarchy": "#64748b"}
RUN_COLOURS = {"baseline": "#94a3b8", "scenario": "#dc2626"}
LOCATION_LABELS = {"inhouse": "own teams", "onshore": "onshore", "abroad": "abroad"}


def _layout(title: str, height: int = 360, **extra) -> go.Layout:
    """Lesson charts share a size, a small title and a legend under the plot."""
    settings = {"title": {"text": title, "font": {"size": 14}}, "height": height,
                "margin": {"l": 50, "r": 20, "t": 60, "b": 40}, "legend": {"orientation": "h", "y": -0.18}}
    return go.Layout({**settings, **extra})


def providers_over_time(metrics: pd.DataFrame) -> go.Figure:
    """Living providers (line) and providers leaving and entering each month (bars)."""
    alive, exited, entered = (_monthly(metrics, m) for m in ("firms_alive", "firms_exited", "firms_entered"))
    return go.Figure([
        go.Bar(x=exited.index, y=exited.values, name="left this month", marker_color="#dc2626"),
        go.Bar(x=entered.index, y=entered.values, name="entered this month", marker_color="#16a34a"),
        go.Scatter(x=alive.index, y=alive.values, name="providers alive", mode="lines", line={"color": "#0f172a", "width": 3}),
    ], _layout("Providers alive, leaving and entering", xaxis_title="month", yaxis_title="providers", barmode="group"))


def governance_by_work_type(contracts: pd.DataFrame) -> go.Figure:
    """How client contracts were governed, per work type: the share clients kept in their own teams
    (left), and how the rest, bought from vendors, was governed (right).

    ``contracts``: one row per client contract with columns work_type, family and mode."""
    if contracts.empty:
        return go.Figure(layout=_layout("No client contracts were signed"))
    order = contracts[["family", "work_type"]].drop_duplicates().sort_values(["family", "work_type"], ascending=False)
    labels = [f"{w} ({f})" for f, w in order.itertuples(index=False)]
    kept = contracts.assign(own=contracts["mode"] == "hierarchy").groupby("work_type").own.mean().reindex(order.work_type)
    bought = contracts[contracts["mode"] != "hierarchy"]
    share = pd.crosstab(bought.work_type, bought["mode"], normalize="index").reindex(order.work_type).fillna(0.0)
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.3, 0.7], horizontal_spacing=0.1,
                        subplot_titles=("kept in own teams", "bought from vendors: mode"))
    fig.add_trace(go.Bar(y=labels, x=kept.values, orientation="h", marker_color=MODE_COLOURS["hierarchy"],
                         name="own team (hierarchy)", hovertemplate="%{y}: %{x:.0%} kept<extra></extra>"), row=1, col=1)
    for mode in MODES:
        if mode in share and mode != "hierarchy":
            fig.add_trace(go.Bar(y=labels, x=share[mode].values, name=mode, orientation="h", marker_color=MODE_COLOURS[mode],
                                 hovertemplate="%{y}: %{x:.0%} " + mode + "<extra></extra>"), row=1, col=2)
    fig.update_xaxes(tickformat=".0%", range=[0, 1], tickvals=[0, 0.5, 1])
    fig.update_annotations(font_size=13)
    fig.update_layout(_layout("", height=420, barmode="stack", margin={"l": 200, "r": 20, "t": 40, "b": 40}))
    return fig


def region_against_baseline(baseline: pd.DataFrame, scenario: pd.DataFrame, region: str, label: str) -> go.Figure:
    """A region's direct employment and tax revenue, month by month, without and with a policy."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(f"{region}: direct employment (FTE)", f"{region}: tax revenue (USD/month)"))
    for col, metric in enumerate(("employment_direct", "tax_revenue_usd"), start=1):
        for run, frame, name in (("baseline", baseline, "baseline"), ("scenario", scenario, label)):
            series = _monthly(frame, metric, region)
            fig.add_trace(go.Scatter(x=series.index, y=series.values, name=name, mode="lines", showlegend=col == 1,
                                     line={"color": RUN_COLOURS[run], "width": 2.5}), row=1, col=col)
    fig.update_xaxes(title_text="month")
    fig.update_layout(_layout("", margin={"l": 50, "r": 20, "t": 40, "b": 40}))
    return fig


def employment_at(metrics: pd.DataFrame, month: int) -> pd.Series:
    rows = metrics[(metrics.metric == "employment_direct") & (metrics.step == month)]
    return rows.groupby("region").value.sum()


def employment_change(baseline: pd.DataFrame, scenario: pd.DataFrame, full: set[str], top: int = 12) -> go.Figure:
    """Relative change of direct employment in the last month, scenario against baseline, for the
    ``top`` largest host regions; regions whose talent pool was fully employed stand out."""
    last = int(baseline.step.max())
    base, shocked = (employment_at(frame, last) for frame in (baseline, scenario))
    regions = base.sort_values(ascending=False).index[:top]
    change = (shocked.reindex(regions) / base.reindex(regions) - 1.0).fillna(0.0)
    colours = ["#2563eb" if r in full else "#dc2626" for r in regions]
    fig = go.Figure(go.Bar(x=list(regions), y=change.values, marker_color=colours,
                           hovertemplate="%{x}: %{y:+.0%}<extra></extra>", showlegend=False))
    for name, colour in (("talent pool fully employed", "#2563eb"), ("people left to hire", "#dc2626")):
        fig.add_trace(go.Bar(x=[None], y=[None], name=name, marker_color=colour))   # legend entries
    fig.update_layout(_layout(f"Direct employment at month {last}: change against the baseline",
                              yaxis={"tickformat": "+.0%", "title": "change"}, xaxis_title="host region"))
    return fig


def displaced_work(baseline: pd.DataFrame, scenario: pd.DataFrame, label: str) -> go.Figure:
    """Work delivered without and with a shock, and the FTE the shock displaced, month by month."""
    fig = go.Figure()
    for run, frame, name in (("baseline", baseline, "delivered, baseline"), ("scenario", scenario, f"delivered, {label}")):
        series = _monthly(frame, "delivered_fte")
        fig.add_trace(go.Scatter(x=series.index, y=series.values, name=name, mode="lines",
                                 line={"color": RUN_COLOURS[run], "width": 2.5}))
    displaced = _monthly(scenario, "displaced_fte")
    fig.add_trace(go.Scatter(x=displaced.index, y=displaced.values, name="displaced by automation", mode="lines",
                             line={"color": "#f59e0b", "width": 2.5, "dash": "dot"}))
    fig.update_layout(_layout("Work delivered and work displaced", xaxis_title="month", yaxis_title="FTE"))
    return fig


def location_shares(metrics: pd.DataFrame, months: int = 12) -> pd.Series:
    """Share of delivered FTE over the last ``months`` in clients' home teams, with onshore vendors, and abroad."""
    last = int(metrics.step.max())
    rows = metrics[(metrics.metric == "delivered_fte") & (metrics.step > last - months)]
    by = rows.groupby("location").value.sum()
    out = pd.Series({"inhouse": by.get("inhouse", 0.0), "onshore": by.get("onshore", 0.0),
                     "abroad": by.get("nearshore", 0.0) + by.get("offshore", 0.0)})
    return out / out.sum() if out.sum() > 0 else out


def sourcing_against_baseline(baseline: pd.DataFrame, scenario: pd.DataFrame, home: str, label: str) -> go.Figure:
    """Where the work is done in the last year (left) and the home region's tax revenue (right), without and with a policy."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Where the work is done (last year)",
                                                        f"{home}: tax revenue (USD/month)"))
    for run, frame, name in (("baseline", baseline, "baseline"), ("scenario", scenario, label)):
        shares = location_shares(frame)
        fig.add_trace(go.Bar(x=[LOCATION_LABELS[k] for k in shares.index], y=shares.values, name=name,
                             marker_color=RUN_COLOURS[run], hovertemplate="%{x}: %{y:.1%}<extra></extra>"), row=1, col=1)
        revenue = _monthly(frame, "tax_revenue_usd", home)
        fig.add_trace(go.Scatter(x=revenue.index, y=revenue.values, name=name, mode="lines", showlegend=False,
                                 line={"color": RUN_COLOURS[run], "width": 2.5}), row=1, col=2)
    fig.update_yaxes(tickformat=".0%", row=1, col=1)
    fig.update_xaxes(tickangle=0, row=1, col=1)
    fig.update_xaxes(title_text="month", row=1, col=2)
    fig.update_layout(_layout("", barmode="group", margin={"l": 50, "r": 20, "t": 40, "b": 40}))
    return fig
