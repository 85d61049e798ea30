"""Summaries of a run's tidy metrics: the tables the CLI prints (and the dashboard reuses)."""

from __future__ import annotations

import pandas as pd


def window(metrics: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """The last ``months`` steps of a metrics frame."""
    last = int(metrics["step"].max()) if len(metrics) else 0
    return metrics[metrics["step"] > last - months]


def volume_by_region(metrics: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """Mean monthly delivered FTE and value per delivery region, with its offshore share."""
    w = window(metrics, months)
    n = max(w["step"].nunique(), 1)
    fte = w[w.metric == "delivered_fte"].groupby("region")["value"].sum() / n
    value = w[w.metric == "delivered_value_usd"].groupby("region")["value"].sum() / n
    off = w[(w.metric == "delivered_fte") & (w.location == "offshore")].groupby("region")["value"].sum() / n
    out = pd.DataFrame({"fte": fte, "value_usd": value, "offshore_fte": off}).fillna(0.0)
    out["share"] = out["fte"] / out["fte"].sum() if out["fte"].sum() > 0 else 0.0
    return out.sort_values("fte", ascending=False)


def location_split(metrics: pd.DataFrame, months: int = 12) -> pd.Series:
    w = window(metrics, months)
    s = w[w.metric == "delivered_fte"].groupby("location")["value"].sum()
    return s / s.sum() if s.sum() > 0 else s


def governance_mix(metrics: pd.DataFrame) -> pd.DataFrame:
    last = metrics[metrics["step"] == metrics["step"].max()]
    links = last[last.metric == "active_links"].set_index("mode")["value"]
    value = last[last.metric == "link_value_usd"].set_index("mode")["value"]
    out = pd.DataFrame({"links": links, "value_usd": value}).fillna(0.0)
    out["value_share"] = out["value_usd"] / out["value_usd"].sum() if out["value_usd"].sum() > 0 else 0.0
    return out


def scalar_means(metrics: pd.DataFrame, names, months: int = 12) -> pd.Series:
    w = window(metrics, months)
    w = w[w.metric.isin(names) & (w.region == "") & (w.family == "") & (w["mode"] == "") & (w.location == "")]
    return w.groupby("metric", observed=True)["value"].mean()


def savings_by_family(metrics: pd.DataFrame, months: int = 12) -> pd.Series:
    w = window(metrics, months)
    return w[w.metric == "client_savings_share"].groupby("family")["value"].mean()
