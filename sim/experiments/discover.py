"""Scenario discovery: which parameter ranges lead to an outcome of interest (PRIM).

Over a stored sweep, every run is a case: its sampled parameters, and whether its
outcome meets a condition (for example "India's share below 5%"). The Patient
Rule Induction Method (the ``prim`` package, after Friedman and Fisher and EMA
Workbench) peels the parameter space down to a box where the condition is
dense; the box's limits are the answer, with its coverage (share of all such
cases inside) and density (share of cases inside that meet it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .sweep import DesignError


def cases(design: dict, values_by_run: dict) -> pd.DataFrame:
    """One row per finished run: its parameter values and its outcome."""
    if not str(design.get("kind", "")).startswith("sweep"):
        raise DesignError(f"experiment {design.get('experiment_id')} is a {design.get('kind')!r}, not a sweep: "
                          "scenario discovery needs sampled parameters (run `chainsim sweep` first).")
    names = [p["key"] for p in design["parameters"]]
    X = np.asarray(design["X"])
    rows = [dict(zip(names, X[point]), outcome=values_by_run[run_id])
            for run_id, point in zip(design["runs"], design["points"]) if run_id in values_by_run]
    return pd.DataFrame(rows)


def discover(table: pd.DataFrame, below: float | None = None, above: float | None = None,
             threshold: float = 0.8) -> dict:
    """The PRIM box for ``outcome < below`` (or ``> above``), peeled to the given density."""
    import prim

    if (below is None) == (above is None):
        raise DesignError("give exactly one of --below or --above.")
    y = (table.outcome < below) if below is not None else (table.outcome > above)
    hits = int(y.sum())
    if hits == 0 or hits == len(table):
        condition = f"< {below}" if below is not None else f"> {above}"
        raise DesignError(f"{hits} of {len(table)} runs have outcome {condition}: nothing to tell apart; "
                          "choose a threshold inside the outcome's range "
                          f"({table.outcome.min():.4g} to {table.outcome.max():.4g}).")
    x = table.drop(columns="outcome")
    box = prim.Prim(x, y.astype(int).to_numpy(), threshold=threshold, threshold_type=">").find_box()
    limits = box.limits.drop(columns=[c for c in box.limits.columns if c not in ("min", "max")])
    full = pd.DataFrame({"min": x.min(), "max": x.max()})
    restricted = limits[(limits["min"] > full.loc[limits.index, "min"] + 1e-12)
                        | (limits["max"] < full.loc[limits.index, "max"] - 1e-12)]
    return {"limits": restricted, "coverage": float(box.coverage), "density": float(box.density),
            "cases": len(table), "hits": hits}
