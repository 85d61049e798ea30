"""CLI commands for experiments: ``chainsim compare`` and ``chainsim results``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .cli import app, console, err_console, fail, parse_sets
from .experiments.compare import OUTCOMES, OutcomeError, compare_runs, parse_outcome
from .experiments.design import compare_design
from .experiments.execute import default_workers, execute
from .experiments.store import DEFAULT_PATH, ResultsStore, StoreError
from .scenario import ScenarioError

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
    workers: int = typer.Option(default_workers(), "--workers", "-w", min=1, max=256, help="Processes (1 = serial). Results are identical either way."),
    store: Path = typer.Option(DEFAULT_PATH, "--store", help="Results store (DuckDB); runs already there are not run again."),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Also write the effects table as CSV."),
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
    try:
        results = ResultsStore(store)
    except StoreError as exc:
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

            for _ in execute(todo, workers=workers, on_done=commit):
                pass
        runs = results.runs(design["experiment_id"])
        runs = runs[runs.run_id.isin([s.run_id for s in specs])]
        runs = runs.assign(scenario=runs.scenario.map(dict(zip([s.run_id for s in specs], [s.scenario for s in specs]))).fillna(runs.scenario))
        metrics = results.metrics(runs.run_id, [OUTCOMES[parse_outcome(o)[0]][0] for o in outcomes])
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


def _open(store: Path) -> ResultsStore:
    try:
        return ResultsStore(store, read_only=True)
    except StoreError as exc:
        fail(str(exc))


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
    with _open(store) as results:
        try:
            design = results.design(experiment)
        except StoreError as exc:
            fail(str(exc))
        runs = results.runs(experiment)
    console.print({k: v for k, v in design.items() if k != "runs"})
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
