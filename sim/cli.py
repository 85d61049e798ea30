"""The ``chainsim`` command line.

Examples:
    chainsim run baseline
    chainsim run baseline --months 24 --seed 7 --set world.clients=500 --out results/small
    chainsim scenarios list
    chainsim scenarios validate my_scenario.toml
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .scenario import SCENARIO_DIR, Scenario, ScenarioError, load_scenario

app = typer.Typer(
    help="chainsim — simulate global service-outsourcing chains: clients, primes, subcontractors, host regions.\n\n"
    "Start with `chainsim run baseline`, then try `chainsim scenarios list`.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
scenarios_app = typer.Typer(help="List, show and validate scenario files.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")
console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 2):
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def parse_sets(values: list[str]) -> dict:
    overrides = {}
    for item in values or []:
        if "=" not in item:
            fail(f"--set {item!r}: expected KEY=VALUE with a dotted key, e.g. --set world.clients=500.")
        key, value = item.split("=", 1)
        overrides[key.strip()] = value.strip()
    return overrides


@app.command()
def run(
    scenario: str = typer.Argument("baseline", help="Bundled scenario name (see `chainsim scenarios list`) or path to a TOML file."),
    months: Optional[int] = typer.Option(None, "--months", "-m", min=1, max=1200, help="Months to simulate (default: the scenario's world.months)."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0, help="Seed for all randomness (default: the scenario's world.seed)."),
    set_: list[str] = typer.Option([], "--set", help="Override a scenario value by dotted key, repeatable: --set world.clients=500 --set scoring.price=0.3 (every key, unit and range: `chainsim scenarios fields`)"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for metrics.parquet, chain.graphml and provenance.json (default: results/<scenario>-seed<seed>)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; print only the summary."),
    figures: Optional[Path] = typer.Option(None, "--figures", help="Also save figures here (HTML, and PNG when Chromium is installed)."),
):
    """Run a scenario and print a summary; write tidy metrics (Parquet) and the chain (GraphML).

    Example: [bold]chainsim run baseline --months 24 --set world.clients=500 --out results/small[/]
    """
    from .runner import run as run_scenario

    try:
        sc = load_scenario(scenario, parse_sets(set_))
    except ScenarioError as exc:
        fail(str(exc))
    months = months or sc.world.months
    seed = sc.world.seed if seed is None else seed
    out = out or Path("results") / f"{sc.scenario.name}-seed{seed}"
    if out.exists() and not out.is_dir():
        fail(f"--out {out}: exists and is not a folder.")
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("months"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, disable=quiet, transient=False,
    ) as progress:
        task = progress.add_task(f"{sc.scenario.name} (seed {seed})", total=months)
        result = run_scenario(sc, seed=seed, months=months, progress=lambda: progress.advance(task))
    write_outputs(result, out)
    print_summary(result)
    if figures:
        from . import figures as fig

        written = fig.save(fig.delivery_by_region(result.metrics), figures, "delivery_by_region")
        console.print("Figures: " + ", ".join(str(p) for p in written))
    console.print(f"\nWrote [bold]{out}/[/] metrics.parquet ({len(result.metrics):,} rows), chain.graphml "
                  f"({result.graph.number_of_nodes():,} nodes, {result.graph.number_of_edges():,} edges), provenance.json")


def write_outputs(result, out: Path) -> None:
    """Write all files into a temporary sibling folder, then move them into place: never half-written."""
    import networkx as nx

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        result.metrics.to_parquet(tmp / "metrics.parquet", index=False)
        nx.write_graphml(result.graph, tmp / "chain.graphml")
        (tmp / "provenance.json").write_text(json.dumps(result.provenance, indent=2))
        if not out.exists():
            os.replace(tmp, out)
        else:
            for f in tmp.iterdir():
                os.replace(f, out / f.name)
            tmp.rmdir()
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def print_summary(result) -> None:
    from . import summary

    m = result.metrics
    console.print(f"\n[bold]{result.scenario.scenario.name}[/] — {result.months} months, seed {result.seed}, "
                  f"scenario hash {result.scenario.content_hash()}  (figures: mean of the last 12 months)")
    vol = summary.volume_by_region(m)
    t = Table(title="Delivery by region (top 12)", show_lines=False)
    for col in ("region", "FTE", "share", "value USD/month", "offshore FTE"):
        t.add_column(col, justify="right" if col != "region" else "left")
    for region, row in vol.head(12).iterrows():
        t.add_row(region, f"{row.fte:,.0f}", f"{row.share:.1%}", f"{row.value_usd:,.0f}", f"{row.offshore_fte:,.0f}")
    console.print(t)
    split = summary.location_split(m)
    console.print("Location split: " + ", ".join(f"{k} {v:.1%}" for k, v in split.items()))
    gov = summary.governance_mix(m)
    t = Table(title="Governance mix (active links, last month)")
    for col in ("mode", "links", "value share"):
        t.add_column(col, justify="right" if col != "mode" else "left")
    for mode, row in gov.iterrows():
        t.add_row(mode, f"{row.links:,.0f}", f"{row.value_share:.1%}")
    console.print(t)
    sav = summary.savings_by_family(m)
    console.print("Client savings vs in-house at home: " + ", ".join(f"{k} {v:.1%}" for k, v in sav.items()))
    sc = summary.scalar_means(m, ["sla_compliance", "data_incidents", "chain_depth_mean", "subcontracted_share", "hhi_primes", "firms_alive"])
    console.print(
        f"SLA compliance {sc.get('sla_compliance', 0):.1%}; data incidents {sc.get('data_incidents', 0):.1f}/month; "
        f"chain depth {sc.get('chain_depth_mean', 0):.2f}; subcontracted {sc.get('subcontracted_share', 0):.1%}; "
        f"HHI of primes {sc.get('hhi_primes', 0):.3f}; providers alive {sc.get('firms_alive', 0):,.0f}"
    )


@scenarios_app.command("list")
def scenarios_list():
    """Bundled scenarios with the question each answers."""
    t = Table(title=f"Scenarios in {SCENARIO_DIR}")
    t.add_column("name")
    t.add_column("description")
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            sc = load_scenario(path)
            t.add_row(path.stem, sc.scenario.description)
        except ScenarioError as exc:
            t.add_row(path.stem, f"[red]invalid: {exc}[/]")
    console.print(t)


@scenarios_app.command("validate")
def scenarios_validate(files: list[str] = typer.Argument(..., help="Scenario names or TOML paths.")):
    """Check scenario files; exit 2 if any is invalid."""
    bad = 0
    for name in files:
        try:
            sc = load_scenario(name)
            console.print(f"[green]ok[/] {name} (hash {sc.content_hash()})")
        except ScenarioError as exc:
            bad += 1
            err_console.print(f"[bold red]invalid:[/] {exc}", highlight=False, soft_wrap=True)
    if bad:
        raise typer.Exit(2)


@scenarios_app.command("show")
def scenarios_show(name: str = typer.Argument(..., help="Scenario name or TOML path.")):
    """Print the resolved values of a scenario and what differs from baseline."""
    try:
        sc = load_scenario(name)
        base = load_scenario("baseline")
    except ScenarioError as exc:
        fail(str(exc))
    a, b = sc.model_dump(mode="json"), base.model_dump(mode="json")
    console.print_json(json.dumps(a))
    diffs = list(_diff(a, b))
    console.print(f"\n[bold]Differs from baseline[/] ({len(diffs)}):" if diffs else "\nSame values as baseline.")
    for key, mine, theirs in diffs:
        console.print(f"  {key}: {theirs!r} → {mine!r}")


def _diff(a, b, prefix=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            yield from _diff(a.get(k), b.get(k), f"{prefix}{k}.")
    elif a != b:
        yield prefix.rstrip("."), a, b


@scenarios_app.command("fields")
def scenarios_fields(section: Optional[str] = typer.Argument(None, help="Only this section, e.g. world, cost, governance.")):
    """Every scenario field you can set (in a file or with --set): baseline value, unit, allowed range, meaning."""
    from pydantic import BaseModel

    from .docs import _fmt, _limits

    base = load_scenario("baseline")
    sections = [n for n, f in Scenario.model_fields.items()
                if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel) and n != "scenario"]
    if section and section not in sections:
        fail(f"no section {section!r}; sections: {', '.join(sections)}.")
    for name in [section] if section else sections:
        model = Scenario.model_fields[name].annotation
        t = Table(title=escape(f"[{name}]"), title_justify="left")
        for col in ("field", "baseline", "unit", "allowed", "meaning"):
            t.add_column(col, overflow="fold")
        for key, f in model.model_fields.items():
            lo, hi = _limits(f)
            allowed = "" if lo is None and hi is None else f"{_fmt(lo) if lo is not None else '-inf'} .. {_fmt(hi) if hi is not None else 'inf'}"
            unit = (f.json_schema_extra or {}).get("unit", "") if isinstance(f.json_schema_extra, dict) else ""
            value = getattr(getattr(base, name), key)
            shown = _fmt(value) if not (isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel)) else f"{len(value)} entries"
            t.add_row(f"{name}.{key}", shown, unit, allowed, f.description or "")
        console.print(t)


@scenarios_app.command("schema")
def scenarios_schema():
    """JSON Schema of scenario files (for editors and validators)."""
    console.print_json(json.dumps(Scenario.model_json_schema()))


@app.command()
def dashboard(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8050, "--port", min=1, max=65535, help="Port."),
    scenario: str = typer.Option("classroom", "--scenario", help="Scenario the Live page starts with."),
    results: Path = typer.Option(Path("results"), "--results", help="Results folder (or .duckdb file) that the Compare "
                                 "page writes to and the Experiments page browses, as `chainsim compare --store`."),
    debug: bool = typer.Option(False, "--debug", help="Dash debug mode (reloader and error pages): for development only."),
):
    """Start the dashboard (offline; open http://127.0.0.1:8050 in a browser).

    Example: `chainsim dashboard --scenario baseline --results results/ --port 8060`
    """
    try:
        load_scenario(scenario)
    except ScenarioError as exc:
        fail(str(exc))
    from dashboard.app import main as serve

    console.print(f"chainsim dashboard on http://{host}:{port}/  (Ctrl+C to stop)")
    serve(host=host, port=port, debug=debug, scenario=scenario, results=results)


@app.command()
def bench(
    firms: int = typer.Option(10_000, help="Firms in the chain world (single-size run)."),
    months: Optional[int] = typer.Option(None, help="Months to simulate (default 60; 24 with --scaling)."),
    scaling: bool = typer.Option(False, "--scaling", help="The scaling curve: 1k, 3k, 10k, 30k and 100k firms, "
                                 "each in a fresh process, with Boltzmann at the same sizes (about 10 minutes)."),
    sweep: bool = typer.Option(False, "--sweep", help="With --scaling: also time a 16-run sweep serially and on the pool."),
    quick: bool = typer.Option(False, help="A tiny run that checks the harness works (not a measurement)."),
    out: Optional[Path] = typer.Option(None, help="Write the figures as JSON here."),
):
    """Measure agent-steps per second against Mesa's Boltzmann wealth model.

    Examples: `chainsim bench` (10,000 firms x 60 months), `chainsim bench --scaling --sweep`
    (the curve of docs/performance.md), `chainsim bench --quick`.
    """
    # benchmarks/ sits beside sim/ in the repository (it is not installed): find it from the package
    repo = Path(__file__).resolve().parent.parent
    if (repo / "benchmarks" / "engine.py").exists() and str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    try:
        from benchmarks import engine, scaling as scaling_bench
    except ImportError:
        fail(f"the benchmark harness was not found beside {repo / 'sim'}: `chainsim bench` needs a source checkout "
             "(pip install -e .), where benchmarks/ lives beside sim/.")
    extra = (["--quick"] if quick else []) + (["--out", str(out)] if out else [])
    if months is not None:
        extra += ["--months", str(months)]
    if scaling:
        raise typer.Exit(scaling_bench.main(extra + (["--sweep"] if sweep else [])))
    engine.main(["--firms", str(firms)] + extra)


from . import cli_experiments  # noqa: E402,F401  (registers compare and results on the app)


def main():  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
