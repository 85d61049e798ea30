"""Policy comparison: effect sizes against a baseline, with bootstrap 95% intervals.

Every scenario runs on the same seeds as the baseline (common random numbers),
so the effect of a policy is measured on paired runs: the difference per seed,
averaged, with a percentile bootstrap interval over seeds. An outcome is a
monthly measure averaged over a window of months ending at the horizon; it can
be narrowed to one region with ``name:REGION`` (e.g. ``jobs:PHL``, ``share:IND``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# name -> (metric, how months' rows combine: 'sum' over regions/families, or 'mean')
OUTCOMES = {
    "jobs": ("employment_direct", "sum"),
    "jobs_indirect": ("employment_indirect", "sum"),
    "tax_revenue": ("tax_revenue_usd", "sum"),
    "delivered_fte": ("delivered_fte", "sum"),
    "delivered_value": ("delivered_value_usd", "sum"),
    "wages": ("mean_wage_usd", "mean"),
    "savings": ("client_savings_share", "mean"),
    "sla": ("sla_compliance", "mean"),
    "displaced_fte": ("displaced_fte", "sum"),
    "share": ("delivered_fte", "share"),            # a region's share of all delivered FTE
    "offshore_share": ("delivered_fte", "offshore"),  # share of delivered FTE done offshore
}
REGIONAL = {"jobs", "jobs_indirect", "tax_revenue", "delivered_fte", "delivered_value", "wages", "share"}


class OutcomeError(ValueError):
    pass


def parse_outcome(text: str, regions=None) -> tuple[str, str]:
    name, _, region = text.partition(":")
    if name not in OUTCOMES:
        raise OutcomeError(f"unknown outcome {name!r}; choose from {', '.join(OUTCOMES)} (optionally NAME:REGION).")
    if region and name not in REGIONAL:
        raise OutcomeError(f"outcome {name!r} has no regional form; regional outcomes: {', '.join(sorted(REGIONAL))}.")
    if name == "share" and not region:
        raise OutcomeError("outcome 'share' needs a region, e.g. share:IND.")
    if region and regions is not None and region not in regions:
        raise OutcomeError(f"outcome {text!r}: unknown region {region!r}.")
    return name, region


def outcome_values(metrics: pd.DataFrame, outcome: str, horizon: int, window: int) -> pd.Series:
    """One number per run: the outcome's monthly value averaged over the window ending at the horizon."""
    name, region = parse_outcome(outcome)
    metric, how = OUTCOMES[name]
    w = metrics[(metrics.metric == metric) & (metrics.step > horizon - window) & (metrics.step <= horizon)]
    if how == "share":
        total = w.groupby(["run_id", "step"]).value.sum()
        part = w[w.region == region].groupby(["run_id", "step"]).value.sum().reindex(total.index, fill_value=0.0)
        monthly = part / total.where(total > 0)
    elif how == "offshore":
        total = w.groupby(["run_id", "step"]).value.sum()
        part = w[w.location == "offshore"].groupby(["run_id", "step"]).value.sum().reindex(total.index, fill_value=0.0)
        monthly = part / total.where(total > 0)
    else:
        if region:
            w = w[w.region == region]
        grouped = w.groupby(["run_id", "step"]).value
        monthly = grouped.sum() if how == "sum" else grouped.mean()
    return monthly.groupby(level="run_id").mean()


def bootstrap_interval(diffs: np.ndarray, n_boot: int, rng: np.random.Generator) -> tuple[float, float]:
    if diffs.size < 2:
        return float("nan"), float("nan")
    means = diffs[rng.integers(0, diffs.size, size=(n_boot, diffs.size))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def compare_runs(metrics: pd.DataFrame, runs: pd.DataFrame, baseline: str, outcomes: list[str], horizon: int,
                 window: int = 12, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Effect of each scenario against the baseline on each outcome, paired by seed."""
    rng = np.random.default_rng(seed)
    rows = []
    window = min(window, horizon)
    for outcome in outcomes:
        values = outcome_values(metrics, outcome, horizon, window)
        table = runs.assign(value=runs.run_id.map(values)).pivot_table(index="seed", columns="scenario", values="value")
        if baseline not in table:
            raise OutcomeError(f"no finished baseline runs ({baseline!r}) to compare against.")
        for scenario in [c for c in table.columns if c != baseline]:
            pair = table[[baseline, scenario]].dropna()
            diffs = (pair[scenario] - pair[baseline]).to_numpy()
            lo, hi = bootstrap_interval(diffs, n_boot, rng)
            base_mean = float(pair[baseline].mean())
            effect = float(diffs.mean()) if diffs.size else float("nan")
            rows.append({
                "scenario": scenario, "outcome": outcome, "replicates": int(diffs.size),
                "baseline": base_mean, "scenario_value": float(pair[scenario].mean()),
                "effect": effect, "ci_low": lo, "ci_high": hi,
                "relative": effect / base_mean if base_mean else float("nan"),
            })
    return pd.DataFrame(rows)
