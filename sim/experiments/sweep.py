"""Sweeps and sensitivity: any scenario parameter by dotted key, sampled by design.

Designs: a full grid, a Latin hypercube, Sobol (Saltelli) or Morris samples —
SALib's samplers, seeded. Every sample point of a replicate shares one seed
(common random numbers), so differences between points come from the
parameters. Sensitivity: SALib's Sobol first-order and total indices with
confidence intervals, and Morris mu* and sigma.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario, ScenarioError, load_scenario
from .design import replicate_seeds, spec

METHODS = ("grid", "lhs", "sobol", "morris")
MIN_SAMPLES = {"grid": 2, "lhs": 2, "sobol": 2, "morris": 2}


class DesignError(ValueError):
    pass


@dataclass(frozen=True)
class Parameter:
    key: str
    low: float
    high: float
    integer: bool = False


def _field(key: str):
    """The pydantic field behind a dotted key (None for dict entries such as region overrides)."""
    model, info = Scenario, None
    for part in key.split("."):
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return None if model is None else info
        info = fields[part]
        ann = info.annotation
        model = ann if isinstance(ann, type) and hasattr(ann, "model_fields") else None
    return info


def parse_parameter(text: str, scenario: str) -> Parameter:
    """``key=low:high`` → a parameter; the key and both ends are validated like a --set override."""
    if "=" not in text or ":" not in text.split("=", 1)[1]:
        raise DesignError(f"--param {text!r}: expected KEY=LOW:HIGH, e.g. --param world.clients=200:800.")
    key, rng = text.split("=", 1)
    lo_text, hi_text = rng.split(":", 1)
    try:
        low, high = float(lo_text), float(hi_text)
    except ValueError:
        raise DesignError(f"--param {text!r}: LOW and HIGH must be numbers.") from None
    if not low < high:
        raise DesignError(f"--param {key}: the range {lo_text}:{hi_text} is empty or inverted; give LOW < HIGH.")
    info = _field(key)
    integer = info is not None and info.annotation is int
    for end in (low, high):  # both ends must be valid values of the field
        try:
            load_scenario(scenario, {key: int(end) if integer else end})
        except ScenarioError as exc:
            raise DesignError(f"--param {key}: {exc}") from None
    return Parameter(key.strip(), low, high, integer)


def sample(params: list[Parameter], method: str, samples: int, seed: int) -> np.ndarray:
    """Sample matrix (rows = points, columns = parameters) in the parameters' units."""
    from SALib.sample import latin, morris, sobol

    if method not in METHODS:
        raise DesignError(f"unknown method {method!r}; choose from {', '.join(METHODS)}.")
    if samples < MIN_SAMPLES[method]:
        raise DesignError(f"--samples {samples} is too few for {method}: at least {MIN_SAMPLES[method]}.")
    if method in ("sobol", "morris") and len(params) < 2:
        raise DesignError(f"{method} sensitivity needs at least two parameters.")
    problem = {"num_vars": len(params), "names": [p.key for p in params], "bounds": [[p.low, p.high] for p in params]}
    if method == "grid":
        axes = [np.linspace(p.low, p.high, samples) for p in params]
        X = np.array(list(itertools.product(*axes)))
    elif method == "lhs":
        X = latin.sample(problem, samples, seed=seed)
    elif method == "sobol":
        if samples & (samples - 1):
            raise DesignError(f"--samples {samples}: Sobol (Saltelli) sampling needs a power of two (e.g. 8, 16, 64).")
        X = sobol.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        X = morris.sample(problem, samples, num_levels=4, seed=seed)
    for j, p in enumerate(params):
        if p.integer:
            X[:, j] = np.round(X[:, j])
    return X


def sweep_design(scenario: str, params: list[Parameter], method: str, samples: int, base_seed: int,
                 months: int | None = None, overrides: dict | None = None, replicates: int = 1):
    X = sample(params, method, samples, base_seed)
    seeds = replicate_seeds(base_seed, replicates)
    specs, points = [], []
    for seed in seeds:
        for i, row in enumerate(X):
            point = {p.key: (int(v) if p.integer else float(v)) for p, v in zip(params, row)}
            specs.append(spec(scenario, seed, months, {**(overrides or {}), **point}))
            points.append(i)
    design = {"kind": f"sweep-{method}", "scenario": scenario, "method": method, "samples": int(samples),
              "parameters": [p.__dict__ for p in params], "replicates": int(replicates), "base_seed": int(base_seed),
              "months": specs[0].months, "overrides": dict(overrides or {}), "X": X.tolist(),
              "runs": [s.run_id for s in specs], "points": points}
    design["experiment_id"] = hashlib.sha256(json.dumps(design, sort_keys=True).encode()).hexdigest()[:16]
    return design, specs


def sensitivity(design: dict, values_by_run: dict) -> list[dict]:
    """SALib indices per parameter from one outcome value per run (averaged over replicates)."""
    from SALib.analyze import morris, sobol

    params = [Parameter(**p) for p in design["parameters"]]
    problem = {"num_vars": len(params), "names": [p.key for p in params], "bounds": [[p.low, p.high] for p in params]}
    n_points = len(design["X"])
    y = np.zeros(n_points)
    counts = np.zeros(n_points)
    for run_id, point in zip(design["runs"], design["points"]):
        if run_id in values_by_run and np.isfinite(values_by_run[run_id]):
            y[point] += values_by_run[run_id]
            counts[point] += 1
    if (counts == 0).any():
        raise DesignError("some sample points have no finished run; run the sweep to completion first.")
    y /= counts
    if design["method"] == "sobol":
        res = sobol.analyze(problem, y, calc_second_order=False, seed=design["base_seed"], print_to_console=False)
        return [{"parameter": p.key, "S1": res["S1"][i], "S1_conf": res["S1_conf"][i], "ST": res["ST"][i],
                 "ST_conf": res["ST_conf"][i]} for i, p in enumerate(params)]
    if design["method"] == "morris":
        X = np.asarray(design["X"])
        res = morris.analyze(problem, X, y, num_levels=4, seed=design["base_seed"], print_to_console=False)
        return [{"parameter": p.key, "mu_star": res["mu_star"][i], "mu_star_conf": res["mu_star_conf"][i],
                 "sigma": res["sigma"][i]} for i, p in enumerate(params)]
    raise DesignError(f"method {design['method']!r} gives no sensitivity indices; use sobol or morris.")
