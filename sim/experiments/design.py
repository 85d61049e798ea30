"""Experiment designs: which runs, with which scenario, overrides and seed.

Replicate seeds are spawned from one base seed with ``numpy.random.SeedSequence``,
so an experiment's seeds are reproducible and independent. A run's id is a hash
of everything that determines its output (resolved scenario, seed, months, code
version): the same run is never computed twice, and a rerun of an interrupted
experiment finds exactly the runs it still lacks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from ..runner import code_version
from ..scenario import load_scenario


@dataclass(frozen=True)
class RunSpec:
    scenario: str                     # bundled name or path
    seed: int
    months: int
    overrides: dict = field(default_factory=dict)
    scenario_hash: str = ""
    code_version: str = ""

    @property
    def run_id(self) -> str:
        payload = json.dumps({"hash": self.scenario_hash, "seed": self.seed, "months": self.months,
                              "code": self.code_version}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:20]


def replicate_seeds(base_seed: int, n: int) -> list[int]:
    """``n`` independent seeds spawned deterministically from ``base_seed``."""
    children = np.random.SeedSequence(int(base_seed)).spawn(int(n))
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]


def spec(scenario: str, seed: int, months: int | None, overrides: dict | None = None) -> RunSpec:
    """A run spec with the resolved scenario's hash (validates the scenario now, before any run)."""
    overrides = dict(overrides or {})
    sc = load_scenario(scenario, overrides)
    months = int(months or sc.world.months)
    return RunSpec(scenario, int(seed), months, overrides, sc.content_hash(), code_version())


def compare_design(scenarios: list[str], baseline: str, replicates: int, base_seed: int,
                   months: int | None = None, overrides: dict | None = None) -> tuple[dict, list[RunSpec]]:
    """Every scenario and the baseline on the same seeds (common random numbers)."""
    names = [baseline] + [s for s in scenarios if s != baseline]
    seeds = replicate_seeds(base_seed, replicates)
    specs = [spec(name, seed, months, overrides) for name in names for seed in seeds]
    design = {"kind": "compare", "baseline": baseline, "scenarios": names, "replicates": int(replicates),
              "base_seed": int(base_seed), "months": specs[0].months, "overrides": dict(overrides or {}),
              "runs": [s.run_id for s in specs]}
    design["experiment_id"] = hashlib.sha256(json.dumps(design, sort_keys=True).encode()).hexdigest()[:16]
    return design, specs
