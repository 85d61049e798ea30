"""chainsim: an agent-based simulator of global service-outsourcing chains.

    from sim import load_scenario, run, ChainModel
    frames = run("baseline", seed=1, months=24)
    frames.metrics.query("metric == 'delivered_fte'")
"""

from .model import ChainModel
from .runner import RunResult, run
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = ["ChainModel", "RunResult", "Scenario", "ScenarioError", "load_scenario", "run"]
__version__ = "0.1.0"
