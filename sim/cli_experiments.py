"""CLI commands for experiments: ``chainsim compare`` and ``chainsim results``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import numpy as np

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from . import figures as fig
from .cli import app, console, err_console, fail, parse_sets
from .experiments.compare import OUTCOMES, OutcomeError, compare_runs, parse_outcome
from .experiments.design import compare_design
from .experiments.execute import close_client, default_workers, execute
from .experiments.store import DEFAULT_PATH, ResultsStore, StoreError
from .scenario import ScenarioError

# Options every experiment command shares (compare, sweep, sensitivity): one declaration each.
Workers = Annotated[int, typer.Option("--workers", "-w", min=1, max=256,
                                      help="Processes (1 = serial). Results are identical either way.")]
Scheduler = Annotated[Optional[str], typer.Option("--scheduler", help="Run on a Dask cluster: tcp://host:port of its scheduler.")]
DaskLocal = Annotated[Optional[int], typer.Option("--dask-local", min=1, max=256,
                                                   help="Run on a new local Dask cluster with N worker processes.")]

results_app = typer.Typer(help="Browse and export the results store.", no_args_is_help=True)
app.add_typer(results_app, name="results")
DEFAULT_OUTCOMES = ["jobs", "tax_revenue", "wages", "savings", "sla", "offshore_share"]


@app.command()
def compare(
    scenarios: list[str] = typer.Argument(..., help="Scenarios to compare with the baseline (names or TOML paths)."),
    baseline: str = typer.Option("baseline", "--baseline", "-b", help="The reference scenario."),
    replicates: int = typer.Option(20, "--replicates", "-r", min=2, max=10_000, help="Seeds per scenario (the same seeds for all: common random numbers)."),
    months: Optional[int] = typer.Option(None, "--months", "-m", min=1, max=1200, help="Months per run (default: each scenario's world.months)."),
    seed: int = typer.Option(1, "--seed", "-s", min=0, help="Base seed the replicate seeds are spawned from."),
    set_: list[str] = typer.Option([], "--set", help="Override for every run, repeatable: --set world.clients=500"),
    outcome: list[str] = typer.Option([], "--outcome", "-o", help=f"Outcome to report, repeatable; NAME or NAME:REGION. Names: {', '.join(OUTCOMES)}. Default: {', '.join(DEFAULT_OUTCOMES)}."),
    horizon: Optional[int] = typer.Option(None, "--horizon", min=1, help="Month the effects are measured at (default: the last)."),
    window: int = typer.Option(12, "--window", min=1, help="Months averaged, ending at the horizon."),
    workers: Workers = default_workers(),
    store: Path = typer.Option(DEFAULT_PATH, "--store", help="Results store (DuckDB); runs already there are not run again."),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Also write the effects table as CSV."),
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    figures: Optional[Path] = typer.Option(None, "--figures", help="Also save the effects figure here (HTML, and PNG when Chromium is installed)."),
):
    """Compare policy scenarios with a baseline: effect sizes with bootstrap 95% intervals.

    Example: [bold]chainsim compare philippines_tax_incentive us_backlash_tax --replicates 20 -o jobs:PHL -o share:PHL[/]
    """
    outcomes = outcome or DEFAULT_OUTCOMES
    try:
        for o in outcomes:
            parse_outcome(o)
        design, specs = compare_design(scenarios, baseline, replicates, seed, months, parse_sets(set_))
    except (ScenarioError, OutcomeError) as exc:
        fail(str(exc))
    horizon = horizon or design["months"]
    if horizon > design["months"]:
        fail(f"--horizon {horizon} is beyond the runs' {design['months']} months.")
    runs, metrics = _run_design(design, specs, store, workers, scheduler, dask_local)
    runs = runs[runs.run_id.isin([s.run_id for s in specs])]
    effects = compare_runs(metrics, runs, baseline, outcomes, horizon, window)
    table = Table(title=f"Effects against {baseline} at month {horizon} (mean of {min(window, horizon)} months; "
                        f"{replicates} paired seeds; experiment {design['experiment_id']})")
    for col in ("scenario", "outcome", "baseline", "with policy", "effect", "95% interval", "relative"):
        table.add_column(col, justify="left" if col in ("scenario", "outcome") else "right")
    for row in effects.itertuples():
        table.add_row(row.scenario, row.outcome, f"{row.baseline:,.4g}", f"{row.scenario_value:,.4g}", f"{row.effect:+,.4g}",
                      f"[{row.ci_low:+,.4g}, {row.ci_high:+,.4g}]", f"{row.relative:+.1%}")
    console.print(table)
    if csv:
        csv.parent.mkdir(parents=True, exist_ok=True)
        effects.to_csv(csv, index=False)
        console.print(f"Wrote {csv}")
    if figures:
        _save(figures, ("effects", fig.effects(effects)))


def _save(folder: Path, *named) -> None:
    written = [p for name, figure in named for p in fig.save(figure, folder, name)]
    console.print("Figures: " + ", ".join(str(p) for p in written))


def _open(store: Path) -> ResultsStore:
    try:
        return ResultsStore(store, read_only=True)
    except StoreError as exc:
        fail(str(exc))


def _load(store: Path, experiment: str, metrics: list[str] | None = None):
    """An experiment's design, runs and (optionally) metrics from the store, or a clean exit 2."""
    with _open(store) as results:
        try:
            design = results.design(experiment)
        except StoreError as exc:
            fail(str(exc))
        runs = results.runs(experiment)
        return design, runs, (results.metrics(runs.run_id, metrics) if metrics else None)


@results_app.command("list")
def results_list(store: Path = typer.Option(DEFAULT_PATH, "--store", help="Results store (DuckDB).")):
    """Experiments in the store, with their finished runs."""
    with _open(store) as results:
        exps = results.experiments()
    table = Table(title=str(store))
    for col in ("experiment", "kind", "created", "finished runs"):
        table.add_column(col)
    for row in exps.itertuples():
        table.add_row(row.experiment_id, row.kind, str(row.created)[:19], str(row.finished_runs))
    console.print(table)


@results_app.command("show")
def results_show(experiment: str = typer.Argument(..., help="Experiment id (see `chainsim results list`)."),
                 store: Path = typer.Option(DEFAULT_PATH, "--store", help="Results store (DuckDB).")):
    """An experiment's design and its runs with their provenance."""
    design, runs, _ = _load(store, experiment)
    console.print({k: v for k, v in design.items() if k not in ("runs", "points", "X")})
    table = Table(title=f"{len(runs)} runs")
    for col in ("run", "scenario", "seed", "months", "scenario hash", "code", "finished", "seconds"):
        table.add_column(col)
    for row in runs.itertuples():
        table.add_row(row.run_id, row.scenario, str(row.seed), str(row.months), row.scenario_hash, row.code_version,
                      str(row.finished)[:19], f"{row.seconds:.2f}")
    console.print(table)


@results_app.command("export")
def results_export(experiment: str = typer.Argument(..., help="Experiment id."),
                   out: Path = typer.Option(..., "--out", "-o", help="Folder to write runs and metrics into."),
                   fmt: str = typer.Option("parquet", "--format", help="csv or parquet."),
                   store: Path = typer.Option(DEFAULT_PATH, "--store", help="Results store (DuckDB).")):
    """Export an experiment's runs and tidy metrics as CSV or Parquet."""
    if fmt not in ("csv", "parquet"):
        fail(f"--format {fmt!r}: choose csv or parquet.")
    with _open(store) as results:
        runs = results.runs(experiment)
        if runs.empty:
            fail(f"{store}: no finished runs for experiment {experiment!r}.")
        metrics = results.metrics(runs.run_id)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("runs", runs), ("metrics", metrics)):
        path = out / f"{name}.{fmt}"
        frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path, index=False)
    console.print(f"Wrote {out}/runs.{fmt} ({len(runs)} runs) and metrics.{fmt} ({len(metrics):,} rows)")


def _run_design(design, specs, store, workers, scheduler=None, dask_local=None):
    """Run what is missing from the store (locally or on Dask); return the experiment's runs and metrics."""
    client = None
    if scheduler or dask_local:
        from .experiments.execute import ExecutorError, dask_client

        try:
            client = dask_client(scheduler, dask_local)
        except ExecutorError as exc:
            fail(str(exc))
    try:
        results = ResultsStore(store)
    except StoreError as exc:
        if client is not None:
            client.close()
        fail(str(exc))
    with results:
        results.add_experiment(design)
        done = results.finished_run_ids(s.run_id for s in specs)
        todo = [s for s in specs if s.run_id not in done]
        if done:
            console.print(f"{len(done)} of {len(specs)} runs already in {store}; running the other {len(todo)}.")
        with Progress(TextColumn("[bold]runs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TimeRemainingColumn(), console=err_console) as progress:
            task = progress.add_task("runs", total=len(todo))

            def commit(out):
                results.commit_run(out, design["experiment_id"])
                progress.advance(task)

            try:
                for _ in execute(todo, workers=workers, on_done=commit, client=client):
                    pass
            finally:
                if client is not None:
                    close_client(client)
        runs = results.runs(design["experiment_id"])
        return runs, results.metrics(runs.run_id)


@app.command()
def sweep(
    scenario: str = typer.Argument("baseline", help="Scenario to vary (name or TOML path)."),
    param: list[str] = typer.Option(..., "--param", "-p", help="Parameter and range, repeatable: --param world.clients=200:800 --param regions.overrides.IND.wage_multiplier=0.8:1.2"),
    method: str = typer.Option("lhs", "--method", help="grid (samples per parameter), lhs, sobol (power of two) or morris (trajectories)."),
    samples: int = typer.Option(16, "--samples", "-n", help="Sample size; its meaning depends on the method."),
    outcome: str = typer.Option("jobs", "--outcome", "-o", help=f"Outcome to summarise: NAME or NAME:REGION ({', '.join(OUTCOMES)})."),
    replicates: int = typer.Option(1, "--replicates", "-r", min=1, max=1000, help="Seeds per sample point (shared by all points)."),
    months: Optional[int] = typer.Option(None, "--months", "-m", min=1, max=1200, help="Months per run."),
    seed: int = typer.Option(1, "--seed", "-s", min=0, help="Seeds the sampler and the replicate seeds."),
    set_: list[str] = typer.Option([], "--set", help="Fixed overrides for every run: --set world.clients=500"),
    workers: Workers = default_workers(),
    store: Path = typer.Option(DEFAULT_PATH, "--store", help="Results store (DuckDB); finished runs are reused."),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Write the sample points and their outcome as CSV."),
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    figures: Optional[Path] = typer.Option(None, "--figures", help="Also save figures here (HTML, and PNG when Chromium is installed)."),
):
    """Sweep parameters by design (grid, Latin hypercube, Sobol, Morris); with sobol or morris, print sensitivity indices.

    Example: [bold]chainsim sweep --param regions.overrides.IND.wage_multiplier=0.7:1.3 --param scoring.price=0.1:0.4 --method sobol -n 16 -o share:IND[/]
    """
    from .experiments.compare import outcome_values
    from .experiments.sweep import DesignError, parse_parameter, sensitivity, sweep_design

    try:
        parse_outcome(outcome)
        params = [parse_parameter(p, scenario) for p in param]
        if len({p.key for p in params}) < len(params):
            raise DesignError("a parameter is given twice.")
        design, specs = sweep_design(scenario, params, method, samples, seed, months, parse_sets(set_), replicates)
    except (ScenarioError, OutcomeError, DesignError) as exc:
        fail(str(exc))
    runs, metrics = _run_design(design, specs, store, workers, scheduler, dask_local)
    values = outcome_values(metrics, outcome, design["months"], min(12, design["months"])).to_dict()
    points = {}
    for run_id, point in zip(design["runs"], design["points"]):
        points.setdefault(point, []).append(values.get(run_id, float("nan")))
    import pandas as pd

    frame = pd.DataFrame(design["X"], columns=[p.key for p in params])
    frame[outcome] = [float(np.nanmean(points[i])) for i in range(len(frame))]
    console.print(f"{len(frame)} sample points, {len(specs)} runs; {outcome} (mean of the last 12 months):")
    console.print(frame.describe().T[["mean", "std", "min", "max"]].to_string())
    named = [("sweep", fig.sweep_points(frame, outcome))]
    if method in ("sobol", "morris"):
        indices = sensitivity(design, values)
        _print_indices(indices, method, outcome)
        named.append(("sensitivity", fig.sensitivity_indices(indices, method, outcome)))
    if csv:
        csv.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(csv, index=False)
        console.print(f"Wrote {csv}")
    if figures:
        _save(figures, *named)


def _print_indices(indices, method, outcome):
    table = Table(title=f"{method.capitalize()} sensitivity of {outcome}")
    cols = ["parameter", "S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else ["parameter", "mu_star", "mu_star_conf", "sigma"]
    for col in cols:
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for row in indices:
        table.add_row(*[row[c] if c == "parameter" else f"{row[c]:.3g}" for c in cols])
    console.print(table)


@app.command()
def sensitivity(
    scenario: str = typer.Argument("baseline", help="Scenario to vary."),
    param: list[str] = typer.Option(..., "--param", "-p", help="Parameter and range, repeatable (at least two)."),
    method: str = typer.Option("sobol", "--method", help="sobol or morris."),
    samples: int = typer.Option(16, "--samples", "-n", help="Sobol: base samples (power of two); Morris: trajectories."),
    outcome: str = typer.Option("jobs", "--outcome", "-o", help="Outcome: NAME or NAME:REGION."),
    months: Optional[int] = typer.Option(None, "--months", "-m", min=1, max=1200, help="Months per run."),
    seed: int = typer.Option(1, "--seed", "-s", min=0, help="Seed."),
    set_: list[str] = typer.Option([], "--set", help="Fixed overrides for every run."),
    workers: Workers = default_workers(),
    store: Path = typer.Option(DEFAULT_PATH, "--store", help="Results store (DuckDB)."),
    figures: Optional[Path] = typer.Option(None, "--figures", help="Also save figures here (HTML, and PNG when Chromium is installed)."),
):
    """Global sensitivity (SALib): Sobol first-order and total indices with intervals, or Morris mu* and sigma."""
    if method not in ("sobol", "morris"):
        fail(f"--method {method!r}: sensitivity is sobol or morris (use `chainsim sweep` for grid and lhs).")
    sweep(scenario=scenario, param=param, method=method, samples=samples, outcome=outcome, replicates=1, months=months,
          seed=seed, set_=set_, workers=workers, store=store, csv=None, scheduler=None, dask_local=None, figures=figures)


@app.command()
def discover(
    experiment: str = typer.Argument(..., help="A stored sweep's experiment id (see `chainsim results list`)."),
    outcome: str = typer.Option(..., "--outcome", "-o", help="Outcome: NAME or NAME:REGION, e.g. share:IND."),
    below: Optional[float] = typer.Option(None, "--below", help="Cases of interest: outcome below this."),
    above: Optional[float] = typer.Option(None, "--above", help="Cases of interest: outcome above this."),
    density: float = typer.Option(0.8, "--density", min=0.05, max=1.0, help="Peel until this share of the box's cases are of interest."),
    store: Path = typer.Option(DEFAULT_PATH, "--store", help="Results store (DuckDB)."),
):
    """Scenario discovery (PRIM): which parameter ranges of a sweep lead to the outcome of interest.

    Example: [bold]chainsim discover 1a2b3c4d5e6f7a8b -o share:IND --below 0.05[/]
    """
    from .experiments.compare import outcome_values
    from .experiments.discover import cases
    from .experiments.discover import discover as find_box
    from .experiments.sweep import DesignError

    try:
        parse_outcome(outcome)
    except OutcomeError as exc:
        fail(str(exc))
    design, runs, metrics = _load(store, experiment, [OUTCOMES[parse_outcome(outcome)[0]][0]])
    try:
        values = outcome_values(metrics, outcome, design.get("months", 1), min(12, design.get("months", 1))).to_dict()
        result = find_box(cases(design, values), below, above, density)
    except DesignError as exc:
        fail(str(exc))
    condition = f"{outcome} < {below}" if below is not None else f"{outcome} > {above}"
    console.print(f"{result['hits']} of {result['cases']} runs have {condition}. The box below holds "
                  f"{result['coverage']:.0%} of them (coverage); {result['density']:.0%} of the runs inside it have it (density).")
    table = Table(title="Parameter ranges that lead there")
    for col in ("parameter", "from", "to"):
        table.add_column(col)
    for name, row in result["limits"].iterrows():
        table.add_row(str(name), f"{row['min']:.4g}", f"{row['max']:.4g}")
    console.print(table if len(result["limits"]) else "No parameter range stands out: the condition is spread over the whole space.")
