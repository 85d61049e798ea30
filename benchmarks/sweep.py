"""Experiment-layer benchmark: a 16-run sweep serially, on the process pool and on Dask.

Reports wall times, parallel efficiency (serial time / (workers × parallel time)),
Dask against the pool, and the results store's size on disk per run (and for 1,000
runs, extrapolated). Figures only; nothing here is asserted.

    python -m benchmarks.sweep [--runs 16] [--months 24] [--workers 2] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sim.experiments import ResultsStore, execute
from sim.experiments.execute import close_client, dask_client, default_workers
from sim.experiments.sweep import parse_parameter, sweep_design


def measure(runs: int = 16, months: int = 24, workers: int | None = None, quick: bool = False) -> dict:
    workers = workers or default_workers()
    params = [parse_parameter("regions.overrides.IND.wage_multiplier=0.7:1.3", "baseline"),
              parse_parameter("scoring.price=0.1:0.4", "baseline")]
    design, specs = sweep_design("baseline", params, "lhs", runs, 1, months=months)
    out = {"runs": runs, "months": months, "workers": workers, "world": "baseline (2,000 clients, 200 primes, 500 subcontractors)"}

    t = time.perf_counter()
    serial = list(execute(specs, workers=1))
    out["serial_s"] = time.perf_counter() - t

    t = time.perf_counter()
    list(execute(specs, workers=workers))
    out["pool_s"] = time.perf_counter() - t

    t = time.perf_counter()
    client = dask_client(local_workers=workers)
    out["dask_startup_s"] = time.perf_counter() - t
    try:
        t = time.perf_counter()
        list(execute(specs, client=client))
        out["dask_s"] = time.perf_counter() - t
    finally:
        close_client(client)

    out["pool_efficiency"] = out["serial_s"] / (workers * out["pool_s"])
    out["dask_efficiency"] = out["serial_s"] / (workers * out["dask_s"])
    out["dask_vs_pool"] = out["dask_s"] / out["pool_s"]

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        with ResultsStore(path) as store:
            store.add_experiment(design)
            for o in serial:
                store.commit_run(o, design["experiment_id"])
            store.con.execute("CHECKPOINT")
        size = path.stat().st_size
    out["store_bytes"] = size
    out["store_bytes_per_run"] = size / runs
    out["store_mb_for_1000_runs"] = size / runs * 1000 / 1e6
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.sweep", description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=16)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    result = measure(args.runs, args.months, args.workers)
    for key, value in result.items():
        print(f"{key:24s} {value:.3f}" if isinstance(value, float) else f"{key:24s} {value}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
