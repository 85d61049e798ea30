"""The results store: one DuckDB file under results/, written by one process.

Tables: ``experiments`` (design as JSON), ``runs`` (provenance: scenario name and
hash, overrides, seed, months, code version, start and finish, status),
``metrics`` (run_id plus the tidy metric columns) and ``events``. Each finished
run is committed in one transaction — its metrics, events and its ``finished``
row together — so a run that did not finish is never visible as finished, and
rerunning an experiment computes exactly the runs that are missing.

DuckDB allows one writer per file: only the coordinating process opens it for
writing; readers (the dashboard) open it read-only when no writer holds it.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

SCHEMA = """
CREATE TABLE IF NOT EXISTS experiments (
    experiment_id TEXT PRIMARY KEY, kind TEXT, design TEXT, created TIMESTAMP DEFAULT current_timestamp);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, experiment_id TEXT, scenario TEXT, scenario_hash TEXT, overrides TEXT,
    seed UBIGINT, months INTEGER, code_version TEXT, started TIMESTAMP, finished TIMESTAMP,
    seconds DOUBLE, status TEXT);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT, step INTEGER, metric TEXT, region TEXT, family TEXT, mode TEXT, location TEXT, value DOUBLE);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT, step INTEGER, kind TEXT, firm BIGINT, region TEXT, family TEXT, detail TEXT);
"""

DEFAULT_PATH = Path("results") / "chainsim.duckdb"


class StoreError(RuntimeError):
    pass


class ResultsStore:
    def __init__(self, path: str | Path = DEFAULT_PATH, read_only: bool = False):
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise StoreError(f"{self.path}: no results store here yet (run an experiment first).")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(f"{self.path}: cannot open the results store ({exc}). Another chainsim process may be "
                             "writing to it; wait for it to finish or use another --store.") from None
        if not read_only:
            self.con.execute(SCHEMA)

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---------------------------------------------------------------- writing
    def add_experiment(self, design: dict) -> None:
        self.con.execute(
            "INSERT INTO experiments (experiment_id, kind, design) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [design["experiment_id"], design.get("kind", ""), json.dumps(design, sort_keys=True)],
        )

    def finished_run_ids(self, run_ids=None) -> set[str]:
        rows = self.con.execute("SELECT run_id FROM runs WHERE status = 'finished'").fetchall()
        done = {r[0] for r in rows}
        return done if run_ids is None else done & set(run_ids)

    def commit_run(self, output: dict, experiment_id: str = "") -> None:
        """Store one run atomically: metrics, events and its finished row, or nothing."""
        spec = output["spec"]
        run_id = spec.run_id
        metrics = output["metrics"].assign(metric=lambda d: d["metric"].astype(str))
        metrics.insert(0, "run_id", run_id)
        events = output["events"].copy()
        events.insert(0, "run_id", run_id)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for table in ("metrics", "events", "runs"):
                con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])  # leftovers of an earlier attempt
            con.register("new_metrics", metrics)
            con.execute("INSERT INTO metrics SELECT run_id, step, metric, region, family, mode, location, value FROM new_metrics")
            con.unregister("new_metrics")
            if len(events):
                con.register("new_events", events)
                con.execute("INSERT INTO events SELECT run_id, step, kind, firm, region, family, detail FROM new_events")
                con.unregister("new_events")
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'finished')",
                [run_id, experiment_id, spec.scenario, spec.scenario_hash, json.dumps(spec.overrides, sort_keys=True),
                 spec.seed, spec.months, spec.code_version, output["started"], output["finished"], output["seconds"]],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    # ---------------------------------------------------------------- reading
    def runs(self, experiment_id: str | None = None) -> pd.DataFrame:
        """All finished runs, or an experiment's: the runs its design names, wherever they were first stored.

        A run is stored once, under the experiment that first ran it; a later
        experiment with the same run (same scenario, seed, months, overrides)
        reuses it, so membership comes from the design's run list, not from
        the run row's ``experiment_id``.
        """
        if not experiment_id:
            return self.con.execute("SELECT * FROM runs ORDER BY scenario, seed").df()
        row = self.con.execute("SELECT design FROM experiments WHERE experiment_id = ?", [experiment_id]).fetchone()
        named = json.loads(row[0]).get("runs") if row else None
        if not named:
            return self.con.execute("SELECT * FROM runs WHERE experiment_id = ? ORDER BY scenario, seed", [experiment_id]).df()
        return self.con.execute("SELECT * FROM runs WHERE list_contains(?, run_id) ORDER BY scenario, seed", [named]).df()

    def experiments(self) -> pd.DataFrame:
        """Every experiment with its finished runs counted as ``runs`` counts them (runs it reused included)."""
        table = self.con.execute("SELECT experiment_id, kind, created FROM experiments ORDER BY created").df()
        table["finished_runs"] = [int((self.runs(e).status == "finished").sum()) for e in table.experiment_id]
        return table

    def design(self, experiment_id: str) -> dict:
        row = self.con.execute("SELECT design FROM experiments WHERE experiment_id = ?", [experiment_id]).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no experiment {experiment_id!r}.")
        return json.loads(row[0])

    def metrics(self, run_ids, metrics=None) -> pd.DataFrame:
        run_ids = list(run_ids)
        if not run_ids:
            return pd.DataFrame(columns=["run_id", "step", "metric", "region", "family", "mode", "location", "value"])
        sql = "SELECT * FROM metrics WHERE run_id IN (SELECT unnest(?))"
        params = [run_ids]
        if metrics:
            sql += " AND metric IN (SELECT unnest(?))"
            params.append(list(metrics))
        return self.con.execute(sql, params).df()
