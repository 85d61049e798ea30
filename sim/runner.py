"""Run a scenario and get tidy frames back: the Python API's front door."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Callable

import networkx as nx
import pandas as pd

from .model import ChainModel
from .scenario import Scenario, load_scenario


def code_version() -> str:
    try:
        return metadata.version("chainsim")
    except metadata.PackageNotFoundError:
        from . import __version__

        return __version__


@dataclass
class RunResult:
    metrics: pd.DataFrame
    graph: nx.DiGraph
    scenario: Scenario
    seed: int
    months: int
    model: ChainModel

    @property
    def provenance(self) -> dict:
        return {
            "scenario": self.scenario.scenario.name, "scenario_hash": self.scenario.content_hash(),
            "source": self.scenario.source, "seed": self.seed, "months": self.months, "code_version": code_version(),
        }


def run(scenario: Scenario | str = "baseline", seed: int | None = None, months: int | None = None,
        overrides: dict | None = None, progress: Callable[[], None] | None = None) -> RunResult:
    """Build a model from a scenario (name, path or object), run it, return its frames."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        raise ValueError("overrides apply when loading by name or path; pass load_scenario(..., overrides=...) instead")
    model = ChainModel(scenario, seed=seed)
    months = scenario.world.months if months is None else int(months)
    model.run(months, progress)
    return RunResult(model.metrics(), model.chain_graph(), scenario, model.seed, months, model)
