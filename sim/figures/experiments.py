"""Figures for browsing stored experiments: a metric of some runs over time, and a PRIM box.

Pure functions from tidy frames to figures, like the rest of ``sim.figures``; the
sweep, sensitivity and effects figures they sit beside are in ``sim/figures/__init__.py``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

HIT, MISS, BOX = "#b45309", "#94a3b8", "rgba(180, 83, 9, 0.10)"


def metric_over_time(series: pd.DataFrame, labels: dict[str, str], metric: str, narrowed: str = "") -> go.Figure:
    """One line per run (and per value of a split dimension): ``series`` has run_id, line, step, value.

    ``labels`` names runs by what sets them apart; ``narrowed`` says which rows were kept
    and how the rest were combined, so the reader knows what the line adds up."""
    fig = go.Figure()
    for (run_id, line), part in series.groupby(["run_id", "line"], sort=False):
        name = " · ".join(x for x in (labels.get(run_id, run_id[:8]), line) if x)
        fig.add_trace(go.Scatter(x=part.step, y=part.value, mode="lines+markers" if len(part) < 3 else "lines",
                                 name=name, hovertemplate=f"{name}<br>month %{{x}}: %{{y:,.4g}}<extra></extra>"))
    fig.update_layout(title={"text": metric + (f"<br><sup>{narrowed}</sup>" if narrowed else "")},
                      xaxis_title="month", yaxis_title=metric, legend={"orientation": "h", "y": -0.2},
                      margin={"t": 70})
    return fig


def prim_box(cases: pd.DataFrame, limits: pd.DataFrame, hits: pd.Series, condition: str) -> go.Figure:
    """The sweep's runs on the box's two leading parameters, runs of interest highlighted, the box drawn.

    ``cases`` holds one column per parameter plus ``outcome``; ``limits`` (index: parameter,
    columns min, max) the parameters the box restricts; ``hits`` marks runs meeting ``condition``.
    With one parameter, the outcome is the vertical axis."""
    params = [c for c in cases.columns if c != "outcome"]
    axes = [p for p in limits.index if p in params] + [p for p in params if p not in limits.index]
    x = axes[0]
    y = axes[1] if len(axes) > 1 else "outcome"
    fig = go.Figure()
    for mask, name, colour in ((hits, condition, HIT), (~hits, "other runs", MISS)):
        fig.add_trace(go.Scatter(x=cases.loc[mask, x], y=cases.loc[mask, y], mode="markers", name=name,
                                 marker={"color": colour, "size": 9, "line": {"width": 0.5, "color": "white"}},
                                 customdata=cases.loc[mask, "outcome"],
                                 hovertemplate=f"{x}=%{{x:.4g}}<br>{y}=%{{y:.4g}}<br>outcome %{{customdata:.4g}}<extra></extra>"))

    def span(param):
        if param in limits.index:
            return float(limits.at[param, "min"]), float(limits.at[param, "max"])
        return float(cases[param].min()), float(cases[param].max())

    x0, x1 = span(x)
    if y == "outcome":
        fig.add_vrect(x0=x0, x1=x1, line={"color": HIT, "dash": "dash"}, fillcolor=BOX, layer="below")
    else:
        y0, y1 = span(y)
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": HIT, "dash": "dash"},
                      fillcolor=BOX, layer="below")
    more = [p for p in limits.index if p not in (x, y)]
    note = f"<br><sup>the box also limits {', '.join(more)}</sup>" if more else ""
    fig.update_layout(title={"text": f"PRIM box for {condition}{note}"}, xaxis_title=x, yaxis_title=y,
                      legend={"orientation": "h", "y": -0.2})
    return fig
