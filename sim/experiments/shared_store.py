"""A comparison run into a results store that other processes read while it runs.

The CLI holds the store open for a whole experiment; the dashboard cannot: its
Experiments page must be able to open the store between commits (DuckDB has one
writer and no concurrent readers). So here finished runs are committed at most
once a second (``SAVE_EVERY``): open, one transaction per run, close. The store is
held for tens of milliseconds at a time; a cancelled comparison keeps all but its
last second of runs, and a rerun reuses them. If another process holds the store,
the runs are still computed and the result says they were not saved; nothing is
ever half-written (each run is one transaction).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .compare import OUTCOMES, compare_runs, parse_outcome
from .design import RunSpec
from .execute import default_workers, execute
from .store import ResultsStore, StoreError

STORE_PATIENCE = 2.0      # seconds to wait for another writer's commit before giving up on saving
SAVE_EVERY = 1.0          # seconds between commits: opening the store costs ~0.1 s, so runs are saved in batches


@dataclass
class Comparison:
    effects: pd.DataFrame
    design: dict
    ran: int              # runs computed now
    reused: int           # runs found finished in the store
    saved: int            # runs committed to the store now
    store_note: str       # why runs were not saved, if they were not


def writable_store(path: Path) -> ResultsStore:
    """The store opened for writing, waiting briefly while another process commits."""
    deadline = time.monotonic() + STORE_PATIENCE
    while True:
        try:
            return ResultsStore(path)
        except StoreError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def _save(store: Path, outputs: list[dict], experiment_id: str) -> None:
    """Commit finished runs, each in its own transaction, in one short opening of the store."""
    with writable_store(store) as results:
        for out in outputs:
            results.commit_run(out, experiment_id)


def _not_saved(path: Path, exc: Exception) -> str:
    if "lock" in str(exc).lower():
        return (f"Not saved: the results store {path} is in use by another chainsim process (an experiment is "
                "running, or a program holds it open). The numbers below are complete; run the comparison again "
                "when the store is free to save them.")
    return f"Not saved: the results store {path} cannot be written ({exc}). The numbers below are complete."


def run_shared(design: dict, specs: list[RunSpec], outcomes: list[str], window: int, store: Path | None = None,
               progress: Callable[[int, int], None] = lambda done, total: None,
               workers: int | None = None) -> Comparison:
    """Run (or reuse from the store) every run of a comparison design and measure the effects.

    ``progress(done, total)`` is called as runs finish; the baseline is ``design["baseline"]``.
    """
    needed = sorted({OUTCOMES[parse_outcome(o)[0]][0] for o in outcomes})
    frames, reused, saved, note = [], set(), 0, ""
    if store is not None:
        try:
            with writable_store(store) as results:
                results.add_experiment(design)
                reused = results.finished_run_ids(s.run_id for s in specs)
                frames.append(results.metrics(reused, needed))
        except (StoreError, duckdb.Error) as exc:
            store, reused, frames, note = None, set(), [], _not_saved(Path(store), exc)
    todo = [s for s in specs if s.run_id not in reused]
    progress(len(reused), len(specs))
    pending, flushed = [], time.monotonic()
    for done, out in enumerate(execute(todo, workers=workers or default_workers()), start=len(reused) + 1):
        metrics = out["metrics"]
        frames.append(metrics[metrics.metric.isin(needed)].assign(run_id=out["spec"].run_id))
        pending.append(out)
        if store is not None and (done == len(specs) or time.monotonic() - flushed >= SAVE_EVERY):
            try:
                _save(store, pending, design["experiment_id"])
                saved += len(pending)
            except (StoreError, duckdb.Error) as exc:
                store, note = None, _not_saved(Path(store), exc)
            pending, flushed = [], time.monotonic()
        progress(done, len(specs))
    runs = pd.DataFrame({"run_id": [s.run_id for s in specs], "scenario": [s.scenario for s in specs],
                         "seed": [s.seed for s in specs]})
    metrics = pd.concat([f.assign(metric=f.metric.astype(str)) for f in frames], ignore_index=True)
    effects = compare_runs(metrics, runs, design["baseline"], list(outcomes), design["months"], window)
    return Comparison(effects, design, len(todo), len(reused), saved, note)
