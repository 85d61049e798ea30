"""Reading the results store for browsing: what is there, one metric of some runs, and the
analyses (effects, sensitivity indices, PRIM boxes) recomputed from stored runs.

Only reads. The store is DuckDB with one writer: a reader must open it read-only and
must not hold it open, or the next ``chainsim sweep`` cannot write. So every read opens
the file, reads, and closes it again (a few milliseconds), and every way the store can
be unreadable — not there yet, locked by a running experiment, not a DuckDB file, empty —
becomes a ``StoreUnavailable`` whose message tells the reader what to do.

Sensitivity indices and PRIM boxes are not stored: like the CLI, they are computed from
a stored sweep and an outcome when asked, so any outcome can be analysed after the fact.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from ..metrics import METRICS
from .compare import OUTCOMES, OutcomeError, compare_runs, outcome_values, parse_outcome
from .discover import cases as sweep_cases
from .discover import discover
from .store import DEFAULT_PATH, ResultsStore, StoreError
from .sweep import DesignError, sensitivity

DIMENSIONS = ("region", "family", "mode", "location")
EVERY = "__all__"   # a dimension left open: its rows are combined
# Metrics that are counts or money: rows add up across regions, families, modes and
# locations. The others (wages, shares, rates, scores) are averaged instead.
ADDITIVE = {"delivered_fte", "delivered_value_usd", "employment_direct", "employment_indirect",
            "tax_revenue_usd", "active_links", "link_value_usd"}
WINDOW = 12         # months averaged for an outcome, ending at the last month (as the CLI)


class StoreUnavailable(RuntimeError):
    """The store cannot be read now; the message says why and what to do."""


def store_file(setting: str | Path | None = None) -> Path:
    """The DuckDB file from a setting that may name the results folder (``--results results/``)
    or the file itself (the CLI's ``--store results/chainsim.duckdb``); nothing means the CLI's default."""
    if not setting:
        return DEFAULT_PATH
    path = Path(setting)
    return path if path.suffix == ".duckdb" or path.is_file() else path / DEFAULT_PATH.name


@contextmanager
def reading(path: str | Path):
    """A read-only store, closed on leaving; an unreadable store raises ``StoreUnavailable``."""
    path = Path(path)
    if not path.exists():
        raise StoreUnavailable(
            f"No results store at {path} yet. Run an experiment into it first, for example "
            f"`chainsim compare us_backlash_tax --replicates 5 --store {path}`, or point the dashboard "
            "at your results folder (`chainsim dashboard --results FOLDER`).")
    try:
        store = ResultsStore(path, read_only=True)
    except StoreError as exc:
        if "lock" in str(exc).lower():
            raise StoreUnavailable(
                f"The results store {path} is being written by another chainsim process (an experiment "
                "is running). DuckDB lets no one read while it writes: reload this page when it has finished.") from None
        reason = "it is not a DuckDB database file" if "not a valid" in str(exc) else str(exc)
        raise StoreUnavailable(f"{path} cannot be read as a results store: {reason}. Point the dashboard at "
                               "a results folder written by chainsim.") from None
    except duckdb.Error as exc:
        raise StoreUnavailable(f"{path} cannot be opened read-only here: {exc}") from None
    try:
        yield store
    except duckdb.CatalogException:
        raise StoreUnavailable(f"{path} is a DuckDB file but holds no chainsim results tables; "
                               "run an experiment into it first.") from None
    finally:
        store.close()


# ---------------------------------------------------------------- what is there

def _about(design: dict) -> str:
    """One line a researcher recognises an experiment by: what was compared or swept."""
    kind = str(design.get("kind", ""))
    months = design.get("months", "?")
    if kind == "compare":
        others = [s for s in design.get("scenarios", []) if s != design.get("baseline")]
        return (f"{', '.join(others) or '(baseline only)'} against {design.get('baseline', '?')}; "
                f"{design.get('replicates', '?')} paired seeds, {months} months")
    if kind.startswith("sweep"):
        params = ", ".join(f"{p.get('key')} {p.get('low'):g}–{p.get('high'):g}" for p in design.get("parameters", []))
        return (f"{design.get('scenario', '?')}: {params}; {len(design.get('X', []))} points × "
                f"{design.get('replicates', 1)} seeds, {months} months")
    return kind or "(no design)"


def experiments(store: ResultsStore) -> pd.DataFrame:
    """Every experiment with its kind, when it was made, its finished runs and a one-line description."""
    table = store.experiments()
    table["about"] = [_about(store.design(e)) for e in table.experiment_id]
    table["created"] = table.created.astype(str).str[:19]
    return table[["experiment_id", "kind", "created", "finished_runs", "about"]]


def runs(store: ResultsStore, experiment_id: str | None = None) -> pd.DataFrame:
    """Finished runs with their provenance; ``label`` names a run by what sets it apart in its experiment."""
    table = store.runs(experiment_id or None)
    table = table[table.status == "finished"].reset_index(drop=True)
    table["label"] = _labels(table)
    table["finished"] = table.finished.astype(str).str[:19]
    table["seconds"] = table.seconds.round(2)
    return table[["run_id", "label", "experiment_id", "scenario", "seed", "months", "finished", "seconds",
                  "scenario_hash", "code_version", "overrides"]]


def _labels(table: pd.DataFrame) -> list[str]:
    """Scenario, the overrides that vary within the run's experiment (a sweep's point) and the seed's tail."""
    overrides = [json.loads(o) if o else {} for o in table.overrides]
    varying: dict[str, set] = {}
    for exp, over in zip(table.experiment_id, overrides):
        for key, value in over.items():
            varying.setdefault((exp, key), set()).add(json.dumps(value))
    labels = []
    for row, over in zip(table.itertuples(), overrides):
        point = [f"{key.split('.')[-1]}={_short(v)}" for key, v in sorted(over.items())
                 if len(varying[(row.experiment_id, key)]) > 1]
        labels.append(" · ".join([row.scenario, *point, f"seed …{int(row.seed) % 10000:04d}"]))
    return labels


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


# ---------------------------------------------------------------- one metric over time

def dimensions(store: ResultsStore, run_ids: list[str], metric: str) -> dict[str, list[str]]:
    """The values each dimension takes for this metric in these runs (empty: the metric has no such dimension)."""
    if metric not in METRICS or not run_ids:
        return {d: [] for d in DIMENSIONS}
    cols = ", ".join(f"list(DISTINCT \"{d}\" ORDER BY \"{d}\")" for d in DIMENSIONS)
    row = store.con.execute(f"SELECT {cols} FROM metrics WHERE metric = ? AND run_id IN (SELECT unnest(?))",
                            [metric, list(run_ids)]).fetchone()
    return {d: [v for v in (values or []) if v] for d, values in zip(DIMENSIONS, row)}


def series(store: ResultsStore, run_ids: list[str], metric: str, choice: dict[str, str],
           split: str | None = None, top: int = 10) -> pd.DataFrame:
    """One metric month by month for each run: rows narrowed to the chosen dimension values, the
    rest combined (summed for counts and money, averaged otherwise). With ``split``, one line per
    value of that dimension (the ``top`` largest). Columns: run_id, line, step, value."""
    cols = ["run_id", "line", "step", "value"]
    if metric not in METRICS or not run_ids:
        return pd.DataFrame(columns=cols)
    rows = store.metrics(run_ids, [metric])
    months = rows.groupby("run_id").step.agg(["min", "max"])
    for dim, value in choice.items():
        if dim in DIMENSIONS and value not in (None, EVERY):
            rows = rows[rows[dim] == value]
    split = split if split in DIMENSIONS and choice.get(split, EVERY) == EVERY else None
    rows = rows.assign(line=rows[split] if split else "")
    if split:
        largest = rows.groupby("line").value.apply(lambda v: v.abs().sum()).nlargest(top).index
        rows = rows[rows.line.isin(largest)]
    if metric not in ADDITIVE:
        out = rows.groupby(["run_id", "line", "step"], as_index=False).value.mean()
        return out[cols].sort_values(["run_id", "line", "step"]).reset_index(drop=True)
    # counts and money are recorded only where they are not zero: a month without rows is a zero
    out = rows.groupby(["run_id", "line", "step"]).value.sum()
    lines = out.index.droplevel("step").unique() if split else [(run, "") for run in months.index]
    full = pd.MultiIndex.from_tuples(
        [(run, line, step) for run, line in lines
         for step in range(int(months.at[run, "min"]), int(months.at[run, "max"]) + 1)],
        names=["run_id", "line", "step"])
    return out.reindex(full, fill_value=0.0).reset_index()[cols]


def combination(metric: str) -> str:
    return "summed" if metric in ADDITIVE else "averaged"


# ---------------------------------------------------------------- analyses from stored runs

def _outcome_metric(outcome: str) -> str:
    return OUTCOMES[parse_outcome(outcome)[0]][0]


def effects(store: ResultsStore, experiment_id: str, outcomes: list[str]) -> pd.DataFrame:
    """A stored comparison's effects against its baseline (paired by seed, bootstrap 95% intervals)."""
    design = store.design(experiment_id)
    if design.get("kind") != "compare":
        raise DesignError(f"experiment {experiment_id} is a {design.get('kind')!r}, not a comparison.")
    for outcome in outcomes:
        parse_outcome(outcome)
    table = store.runs(experiment_id)
    metrics = store.metrics(table.run_id, sorted({_outcome_metric(o) for o in outcomes}))
    months = int(design.get("months", 1))
    return compare_runs(metrics, table, design.get("baseline", "baseline"), outcomes, months, min(WINDOW, months))


def sweep_outcomes(store: ResultsStore, experiment_id: str, outcome: str) -> tuple[dict, pd.DataFrame, dict]:
    """A stored sweep's design, its cases (one row per finished run: parameters and outcome),
    and the outcome per run id (what SALib and PRIM read)."""
    design = store.design(experiment_id)
    if not str(design.get("kind", "")).startswith("sweep"):
        raise DesignError(f"experiment {experiment_id} is a {design.get('kind')!r}, not a sweep: "
                          "sensitivity and scenario discovery need sampled parameters.")
    metrics = store.metrics(store.runs(experiment_id).run_id, [_outcome_metric(outcome)])
    months = int(design.get("months", 1))
    values = outcome_values(metrics, outcome, months, min(WINDOW, months)).dropna().to_dict()
    return design, sweep_cases(design, values), values


def sensitivity_indices(design: dict, values: dict) -> list[dict]:
    """SALib's indices for a Sobol or Morris sweep (a DesignError for other designs)."""
    if design.get("method") not in ("sobol", "morris"):
        raise DesignError(f"a {design.get('method')!r} sweep gives no sensitivity indices; "
                          "run `chainsim sensitivity` (Sobol or Morris) for them.")
    return sensitivity(design, values)


def prim_box(cases: pd.DataFrame, below: float | None, above: float | None, density: float) -> dict:
    """The PRIM box for the condition, as ``chainsim discover`` finds it."""
    return discover(cases, below, above, density)


__all__ = ["ADDITIVE", "DIMENSIONS", "EVERY", "DesignError", "OutcomeError", "StoreUnavailable", "combination",
           "dimensions", "effects", "experiments", "prim_box", "reading", "runs", "sensitivity_indices", "series",
           "store_file", "sweep_outcomes"]
