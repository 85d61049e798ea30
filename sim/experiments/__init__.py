"""Experiments: replicates, policy comparison, and the results store.

Kept apart the way EMA Workbench keeps them apart: an experiment's *design*
(which runs: scenarios, overrides, seeds), its *execution* (serial or a process
pool; every run is a pure function of its spec) and its *analysis* (effect sizes
with bootstrap intervals) meet only at plain tables in the results store.
"""

from .compare import OUTCOMES, compare_runs
from .design import RunSpec, compare_design, replicate_seeds
from .execute import execute, run_spec
from .store import ResultsStore

__all__ = ["OUTCOMES", "ResultsStore", "RunSpec", "compare_design", "compare_runs", "execute", "replicate_seeds", "run_spec"]
