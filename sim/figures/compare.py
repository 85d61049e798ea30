"""Policy comparison at a glance: one panel per outcome, each scenario's effect with its 95% interval.

A planner's outcomes differ by orders of magnitude (a tax holiday moves a region's
tax revenue by -100% and world jobs by +0.01%): on one shared axis the small
effects vanish next to the large one. So each outcome gets its own panel and its
own scale; a scenario keeps one colour across panels. Effects are relative to the
baseline's mean (the effects table has the absolute numbers); an outcome whose
baseline is zero has no relative effect and says so in its panel title. The CLI
(``--figures``), the Compare page and the Experiments page all draw this figure
(``sim.figures.effects``).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

COLUMNS = 3            # panels side by side before wrapping
PANEL_ROW_PX = 26      # height per scenario in a panel


def effects_by_outcome(effects: pd.DataFrame, labels: dict[str, str] | None = None) -> go.Figure:
    """Small multiples of ``compare_runs`` output: effect relative to baseline, 95% interval, zero line."""
    labels = labels or {}
    outcomes = list(dict.fromkeys(effects.outcome))
    scenarios = list(dict.fromkeys(effects.scenario))
    cols = max(1, min(COLUMNS, len(outcomes)))
    rows = max(1, math.ceil(len(outcomes) / cols))
    titles = [_title(effects[effects.outcome == o], labels.get(o, o)) for o in outcomes]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None, shared_yaxes=True,
                        horizontal_spacing=0.04, vertical_spacing=min(0.5 / rows, 0.18))
    colours = {s: qualitative.Plotly[i % len(qualitative.Plotly)] for i, s in enumerate(scenarios)}
    for i, outcome in enumerate(outcomes):
        row, col = divmod(i, cols)
        for trace in _panel(effects[effects.outcome == outcome], colours, shown=i == 0):
            fig.add_trace(trace, row=row + 1, col=col + 1)
        fig.add_vline(x=0, line_dash="dot", line_color="#64748b", row=row + 1, col=col + 1)
    fig.update_xaxes(tickformat="+.2~%", zeroline=False, automargin=True)
    fig.update_yaxes(categoryorder="array", categoryarray=scenarios[::-1], automargin=True)
    fig.update_annotations(font_size=13)
    fig.update_layout(
        title="Effects against baseline (relative to the baseline's mean, 95% intervals)",
        height=140 + rows * (70 + PANEL_ROW_PX * len(scenarios)), showlegend=False,
        margin={"l": 10, "r": 20, "t": 90, "b": 30})
    return fig


def _title(rows: pd.DataFrame, label: str) -> str:
    return label if rows.baseline.ne(0).any() else f"{label} (baseline 0: see the table)"


def _panel(rows: pd.DataFrame, colours: dict[str, str], shown: bool) -> list[go.Scatter]:
    """One marker per scenario with its interval, relative to the baseline (undefined when it is 0)."""
    base = rows.baseline.where(rows.baseline != 0)
    rel, lo, hi = rows.effect / base, rows.ci_low / base, rows.ci_high / base
    lo, hi = lo.where(base > 0, hi), hi.where(base > 0, lo)    # a negative baseline flips the interval
    traces = []
    for scenario, r, low, high, effect, a, b in zip(rows.scenario, rel, lo, hi, rows.effect, rows.ci_low, rows.ci_high):
        interval = "no interval (one replicate)" if pd.isna(a) else f"95% interval [{a:+,.4g}, {b:+,.4g}]"
        traces.append(go.Scatter(
            x=[r], y=[scenario], mode="markers", name=scenario, legendgroup=scenario, showlegend=shown,
            marker={"color": colours[scenario], "size": 10},
            error_x={"type": "data", "symmetric": False, "array": [high - r], "arrayminus": [r - low],
                     "color": colours[scenario], "thickness": 2},
            hovertemplate=f"{scenario}<br>effect %{{x:+.2%}} ({effect:+,.4g})<br>{interval}<extra></extra>"))
    return traces
