"""Engine benchmark: agent-steps per second of the chain model and of Mesa's Boltzmann wealth model.

The issue's question: how many agent-steps per second does a 10,000-firm
world with every mechanism on manage over 60 months, and how does that
compare with Mesa's Boltzmann wealth model on a grid (as shipped in Mesa's
examples) with 10,000 agents, measured in the same run? Target: the chain
model at least 2x Boltzmann's agent-steps per second. The figures are
reported, never asserted.

    python -m benchmarks.engine                 # 10,000 firms x 60 months, Boltzmann 10,000 agents
    python -m benchmarks.engine --quick         # 1,000 firms x 6 months, Boltzmann 1,000 x 6 steps
    python -m benchmarks.engine --out bench.json  # also write every figure as JSON
    python -m benchmarks.engine --profile       # cProfile 10,000 firms x 12 months, top 15 hot spots

How the figures are counted:

* Chain model. The bundled ``baseline`` scenario scaled to ``firms`` firms in
  the baseline's proportions of clients, primes and subcontractors, with
  ``world.months`` set to ``months``. Scenario loading, model construction
  and stepping are timed separately. *Living* agent-steps count, for every
  month, the agents alive when the month starts (firms with ``alive`` set plus
  the host regions, which are Mesa agents too); firms that exit stop counting
  and entrants start counting. *Nominal* agent-steps are firms x months.
* Boltzmann. ``BoltzmannWealth`` from ``mesa.examples`` with ``n`` agents on
  a square grid of side ceil(sqrt(n)) (100 x 100 for 10,000 agents: one
  agent per cell on average, the density of Mesa's 100-agent 10 x 10
  default). It is timed twice with the same seed: *as shipped* (its
  ``DataCollector`` runs ``compute_gini`` and records every agent's wealth
  each step) and *without DataCollector* (the same step, agents only). The
  headline ratio uses the as-shipped timing, because the chain model also
  records its metrics every month; the ratio against the model without
  DataCollector is reported beside it as the stricter figure.
* Rounds. The command line runs 3 interleaved rounds (``--repeats``;
  ``run_benchmark`` defaults to 1) and reports each phase's fastest round
  plus the median of the per-round ratios: on a shared machine noise only
  ever slows a round down.
* Everything runs serially in this process: ``import mesa`` forces the
  multiprocessing start method to "spawn", so no multiprocessing here.
* Peak RSS is ``getrusage(RUSAGE_SELF).ru_maxrss``, the process high-water
  mark: the chain model runs first, so the peak read after it is the chain
  model's (plus the interpreter and imports); the peak read after Boltzmann
  is the larger of the two. The resident size before each phase is read
  from /proc where available.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

from benchmarks.boltzmann import BOLTZMANN_TIME_BUDGET, Progress, bench_boltzmann
from benchmarks.machine import (
    current_rss_kb,
    machine_info,
    peak_rss_kb,
    step_timing,
)

QUICK = {"firms": 1_000, "months": 6, "boltzmann_agents": 1_000, "boltzmann_steps": 6}
TARGET_RATIO = 2.0


# --------------------------------------------------------------------------- chain model

def world_sizes(firms: int) -> dict[str, int]:
    """``firms`` split into clients, primes and subcontractors in the bundled baseline's proportions."""
    from sim import load_scenario

    w = load_scenario("baseline").world
    base = {"clients": w.clients, "primes": w.primes, "subcontractors": w.subcontractors}
    total = sum(base.values())
    firms = int(firms)
    if firms < 3:
        raise ValueError(f"firms must be at least 3 (one client, one prime, one subcontractor), got {firms}")
    clients = max(1, round(firms * base["clients"] / total))
    primes = max(1, round(firms * base["primes"] / total))
    return {"clients": clients, "primes": primes, "subcontractors": max(0, firms - clients - primes)}


def all_events(months: int) -> list[dict]:
    """One scenario event of every kind, spread over the horizon (for ``events=True``).

    The baseline scenario has no events, so its timeline is a no-op; these
    exercise every policy lever and shock, half of them with a duration so
    their undo runs inside the horizon too.
    """
    plan = [
        ("tax_rate", "IND", 0.05, 6), ("tax_incentive", "PHL", 0.9, 0), ("training_subsidy", "VNM", 0.1, 0),
        ("infrastructure", "EGY", 0.1, 0), ("cluster_park", "POL", 0.1, 0), ("data_localisation", "", 0.0, 0),
        ("adequacy_decision", "IND", 1.0, 12), ("ai_automation", "BPO", 0.3, 0), ("wage_shock", "IND", 0.2, 6),
        ("currency_shock", "PHL", -0.15, 6), ("risk_shock", "UKR", 0.3, 12), ("backlash_tax", "USA", 0.05, 12),
        ("communication_cost", "", -0.2, 0),
    ]
    out = []
    for i, (kind, target, magnitude, duration) in enumerate(plan):
        month = min(months, 1 + i * max(months - 1, 1) // len(plan))
        out.append({"month": month, "kind": kind, "target": target, "magnitude": magnitude, "duration": duration})
    return out


def bench_chain(firms: int = 10_000, months: int = 60, seed: int = 1, events: bool = False,
                progress: Progress | None = None) -> dict:
    """Build and run the chain model; return its timings and counts."""
    from sim import ChainModel, load_scenario
    from sim.world import ACTIVE

    sizes = world_sizes(firms)
    overrides = {f"world.{k}": v for k, v in sizes.items()}
    overrides["world.months"] = int(months)
    if events:
        overrides["events"] = all_events(months)
    gc.collect()
    rss_before = current_rss_kb()

    t0 = time.perf_counter()
    scenario = load_scenario("baseline", overrides)
    t1 = time.perf_counter()
    model = ChainModel(scenario, seed=seed)
    t2 = time.perf_counter()

    step_seconds: list[float] = []
    living: list[int] = []
    regions = len(model.regions)
    cpu0 = time.process_time()
    for month in range(int(months)):
        living.append(int(model.firms.alive.sum()) + regions)  # agents that enter this month (not timed)
        start = time.perf_counter()
        model.step()
        step_seconds.append(time.perf_counter() - start)
        if progress is not None:
            progress("chain", month + 1, int(months))

    cpu = time.process_time() - cpu0
    stepping = sum(step_seconds)
    living_steps = sum(living)
    nominal_steps = int(firms) * int(months)
    return {
        "scenario": "baseline",
        "seed": int(seed),
        "firms": int(firms),
        "world": sizes,
        "months": int(months),
        "events": len(scenario.events),
        "events_applied": len(getattr(model.timeline, "applied", [])),
        "regions": regions,
        "scenario_load_seconds": t1 - t0,
        "build_seconds": t2 - t1,
        **step_timing(step_seconds, stepping, cpu),
        "agent_steps_living": living_steps,
        "agent_steps_nominal": nominal_steps,
        "agent_steps_per_second_living": living_steps / stepping,
        "agent_steps_per_second_nominal": nominal_steps / stepping,
        "living_agents_first_step": living[0],
        "living_agents_last_step": living[-1],
        "living_agents_end": int(model.firms.alive.sum()) + regions,
        "mesa_agents_end": len(model.agents),
        "firms_created": int(model.firms.n),
        "links_created": int(model.links.n),
        "links_active_end": int((model.links.status == ACTIVE).sum()),
        "rss_kb_before": rss_before,
        "peak_rss_kb": peak_rss_kb(),
        "step_seconds": step_seconds,
        "living_agents_per_step": living,
        "counting": "living = firms alive at the start of each month + regions; nominal = firms x months",
    }


# --------------------------------------------------------------------------- together

def run_benchmark(firms: int = 10_000, months: int = 60, boltzmann_steps: int | None = None, seed: int = 1,
                  quick: bool = False, progress: Progress | None = None, *, boltzmann_agents: int | None = None,
                  events: bool = False, repeats: int = 1, time_budget: float = BOLTZMANN_TIME_BUDGET) -> dict:
    """Run the chain model and both Boltzmann variants in this process, serially; return every figure.

    ``quick`` replaces the sizes by 1,000 firms x 6 months and Boltzmann
    1,000 agents x 6 steps (a smoke run, not a measurement). Otherwise
    Boltzmann runs ``boltzmann_agents`` agents (default: as many as firms)
    for ``boltzmann_steps`` steps (default: as many as months).
    ``repeats`` rounds each run the three phases in turn; the headline
    figures are each phase's fastest round (see ``_run``).
    ``progress(phase, done, total)`` is called after every step.
    """
    if quick:
        firms, months = QUICK["firms"], QUICK["months"]
        boltzmann_agents, boltzmann_steps = QUICK["boltzmann_agents"], QUICK["boltzmann_steps"]
    return _run(firms, months, boltzmann_agents, boltzmann_steps, seed, quick, progress, events, repeats, time_budget)


def _run(firms, months, boltzmann_agents, boltzmann_steps, seed, quick, progress, events, repeats, time_budget) -> dict:
    """Rounds of chain, Boltzmann as shipped, Boltzmann without DataCollector, interleaved.

    Interleaving keeps a slow spell of a shared machine from landing on one
    model only. Both models are seeded, so every round does the same work;
    noise only ever slows a round down, so the headline figures are each
    phase's fastest round (as ``timeit`` does) and the per-round ratios are
    kept with their median. Peak RSS is read after each phase's first round
    (later rounds only see the process high-water mark again).
    """
    firms, months, repeats = int(firms), int(months), int(repeats)
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    boltzmann_agents = firms if boltzmann_agents is None else int(boltzmann_agents)
    boltzmann_steps = months if boltzmann_steps is None else int(boltzmann_steps)
    if boltzmann_agents < 1 or boltzmann_steps < 1:
        raise ValueError("Boltzmann needs at least one agent and one step")

    started = time.perf_counter()
    machine = machine_info()
    runs: dict[str, list[dict]] = {"chain": [], "boltzmann": [], "boltzmann_no_datacollector": []}
    for r in range(repeats):
        tag = "" if repeats == 1 else f" [{r + 1}/{repeats}]"

        tagged = None if progress is None else (lambda phase, done, total, _t=tag: progress(phase + _t, done, total))
        runs["chain"].append(bench_chain(firms, months, seed, events=events, progress=tagged))
        runs["boltzmann"].append(bench_boltzmann(boltzmann_agents, boltzmann_steps, seed, True, time_budget, tagged))
        runs["boltzmann_no_datacollector"].append(
            bench_boltzmann(boltzmann_agents, boltzmann_steps, seed, False, time_budget, tagged))

    best = {}
    for name, phase_runs in runs.items():
        index = min(range(len(phase_runs)), key=lambda i: phase_runs[i]["seconds_per_step"])
        best[name] = {**phase_runs[index], "round": index + 1, "peak_rss_kb": phase_runs[0]["peak_rss_kb"]}
    chain, shipped, stripped = best["chain"], best["boltzmann"], best["boltzmann_no_datacollector"]
    rounds = []
    for c, b, s in zip(runs["chain"], runs["boltzmann"], runs["boltzmann_no_datacollector"]):
        rounds.append({
            "chain_seconds_per_step": c["seconds_per_step"],
            "chain_agent_steps_per_second_living": c["agent_steps_per_second_living"],
            "boltzmann_seconds_per_step": b["seconds_per_step"],
            "boltzmann_agent_steps_per_second": b["agent_steps_per_second"],
            "boltzmann_no_datacollector_agent_steps_per_second": s["agent_steps_per_second"],
            "ratio": c["agent_steps_per_second_living"] / b["agent_steps_per_second"],
            "ratio_vs_no_datacollector": c["agent_steps_per_second_living"] / s["agent_steps_per_second"],
        })

    living = chain["agent_steps_per_second_living"]
    ratio = living / shipped["agent_steps_per_second"]
    notes = [
        ("ratio = chain living agent-steps/s / Boltzmann as-shipped agent-steps/s (DataCollector every step, "
         "as in Mesa's example; the chain model also records metrics every month)."),
        "ratio_vs_no_datacollector uses Boltzmann without its per-step DataCollector: the stricter comparison.",
        "All phases run serially in one process; peak RSS is the process high-water mark after each phase's first round.",
    ]
    if repeats > 1:
        notes.append(f"{repeats} interleaved rounds; figures are each phase's fastest round, "
                     f"ratio_median is the median of the per-round ratios.")
    if quick:
        notes.append("quick run: tiny sizes, a smoke test of the harness, not a measurement.")
    for b in (shipped, stripped):
        if b["truncated"]:
            notes.append(f"Boltzmann {b['variant']}: stopped after {b['steps_run']} of {b['steps_requested']} steps "
                         f"(over the {time_budget:.0f} s budget); its rate is over the steps run.")
    if not events:
        notes.append("The baseline scenario has no policy events; pass events=True (--events) to add one of each kind.")
    return {
        "benchmark": "engine",
        "quick": bool(quick),
        "repeats": repeats,
        "machine": machine,
        "chain": chain,
        "boltzmann": shipped,
        "boltzmann_no_datacollector": stripped,
        "ratio": ratio,
        "ratio_nominal": chain["agent_steps_per_second_nominal"] / shipped["agent_steps_per_second"],
        "ratio_vs_no_datacollector": living / stripped["agent_steps_per_second"],
        "ratio_median": statistics.median(r["ratio"] for r in rounds),
        "ratio_range": [min(r["ratio"] for r in rounds), max(r["ratio"] for r in rounds)],
        "rounds": rounds,
        "target_ratio": TARGET_RATIO,
        "meets_target": bool(ratio >= TARGET_RATIO),
        "peak_rss_kb": peak_rss_kb(),
        "wall_seconds": time.perf_counter() - started,
        "notes": notes,
    }


# --------------------------------------------------------------------------- output

def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value == 0 or abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)


def render(result: dict, console=None) -> None:
    """Print the result as rich tables."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    m, c, b, s = result["machine"], result["chain"], result["boltzmann"], result["boltzmann_no_datacollector"]
    console.print(
        f"[bold]chainsim engine benchmark[/bold]{' (quick)' if result['quick'] else ''} — "
        f"{m['platform']}, Python {m['python']}, {m['cpu_count']} CPUs, numpy {m['numpy']}, mesa {m['mesa']}, "
        f"commit {m['git_commit'] or '?'}{' (dirty)' if m['git_dirty'] else ''}"
    )
    table = Table(show_header=True, header_style="bold")
    table.add_column("")
    table.add_column("chain model", justify="right")
    table.add_column("Boltzmann as shipped", justify="right")
    table.add_column("Boltzmann no DataCollector", justify="right")
    w = c["world"]
    rows = [
        ("size", f"{c['firms']:,} firms ({w['clients']:,}/{w['primes']:,}/{w['subcontractors']:,}) + {c['regions']} regions",
         f"{b['agents']:,} agents, {b['grid'][0]}x{b['grid'][1]}", f"{s['agents']:,} agents, {s['grid'][0]}x{s['grid'][1]}"),
        ("steps", f"{c['months']} months", f"{b['steps_run']} of {b['steps_requested']}", f"{s['steps_run']} of {s['steps_requested']}"),
        ("build s", _fmt(c["build_seconds"]), _fmt(b["build_seconds"]), _fmt(s["build_seconds"])),
        ("stepping s (wall)", _fmt(c["step_seconds_total"]), _fmt(b["step_seconds_total"]), _fmt(s["step_seconds_total"])),
        ("stepping s (CPU)", _fmt(c["step_cpu_seconds"]), _fmt(b["step_cpu_seconds"]), _fmt(s["step_cpu_seconds"])),
        ("s / step (mean)", _fmt(c["seconds_per_step"]), _fmt(b["seconds_per_step"]), _fmt(s["seconds_per_step"])),
        ("s / step (median)", _fmt(c["seconds_per_step_median"]), _fmt(b["seconds_per_step_median"]), _fmt(s["seconds_per_step_median"])),
        ("s / step (max)", _fmt(c["seconds_per_step_max"]), _fmt(b["seconds_per_step_max"]), _fmt(s["seconds_per_step_max"])),
        ("agent-steps", f"{c['agent_steps_living']:,} living / {c['agent_steps_nominal']:,} nominal",
         _fmt(b["agent_steps"]), _fmt(s["agent_steps"])),
        ("agent-steps / s", f"{_fmt(c['agent_steps_per_second_living'])} living / {_fmt(c['agent_steps_per_second_nominal'])} nominal",
         _fmt(b["agent_steps_per_second"]), _fmt(s["agent_steps_per_second"])),
        ("living agents", f"{c['living_agents_first_step']:,} → {c['living_agents_end']:,}", _fmt(b["agents"]), _fmt(s["agents"])),
        ("links created", f"{c['links_created']:,} ({c['links_active_end']:,} active at end)", "—", "—"),
        ("peak RSS MB (process)", _fmt(c["peak_rss_kb"] / 1024), _fmt(b["peak_rss_kb"] / 1024), _fmt(s["peak_rss_kb"] / 1024)),
    ]
    if result["repeats"] > 1:
        rows.append(("fastest of rounds", f"round {c['round']} of {result['repeats']}",
                     f"round {b['round']} of {result['repeats']}", f"round {s['round']} of {result['repeats']}"))
    for row in rows:
        table.add_row(*row)
    console.print(table)
    verdict = "[green]meets[/green]" if result["meets_target"] else "[red]below[/red]"
    console.print(
        f"ratio (chain living ÷ Boltzmann as shipped): [bold]{result['ratio']:.2f}x[/bold] — {verdict} the "
        f"{result['target_ratio']:.0f}x target; nominal {result['ratio_nominal']:.2f}x; "
        f"vs Boltzmann without DataCollector {result['ratio_vs_no_datacollector']:.2f}x"
        + (f"; per-round median {result['ratio_median']:.2f}x (range {result['ratio_range'][0]:.2f}–"
           f"{result['ratio_range'][1]:.2f})" if result["repeats"] > 1 else "")
    )
    for note in result["notes"]:
        console.print(f"[dim]· {note}[/dim]")


def _json_default(value):
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
    except ImportError:
        pass
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engine", description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=None, help="firms in the chain world (default 10,000; quick 1,000)")
    parser.add_argument("--months", type=int, default=None, help="months to simulate (default 60; quick 6; --profile 12)")
    parser.add_argument("--boltzmann-agents", type=int, default=None, help="Boltzmann agents (default: as many as firms)")
    parser.add_argument("--boltzmann-steps", type=int, default=None, help="Boltzmann steps (default: as many as months)")
    parser.add_argument("--seed", type=int, default=1, help="seed for both models (default 1)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="interleaved rounds; figures are each phase's fastest (default 3; quick 1)")
    parser.add_argument("--events", action="store_true", help="add one scenario event of every kind to the baseline")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run: 1,000 firms x 6 months, Boltzmann 1,000 x 6 (other flags still override)")
    parser.add_argument("--profile", action="store_true",
                        help="instead of the benchmark, cProfile the chain model (default 12 months) and print hot spots")
    parser.add_argument("--top", type=int, default=15, help="hot spots to list with --profile (default 15)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE.json", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    firms = args.firms if args.firms is not None else (QUICK["firms"] if args.quick else 10_000)
    if args.profile:
        from benchmarks.profile import profile_chain, render_profile

        months = args.months if args.months is not None else (QUICK["months"] if args.quick else 12)
        profile = profile_chain(firms, months, args.seed, args.top, args.events)
        render_profile(profile)
        if args.out is not None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(profile, indent=2, default=_json_default) + "\n", encoding="utf-8")
        return 0
    months = args.months if args.months is not None else (QUICK["months"] if args.quick else 60)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    console = Console(stderr=False)
    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)
    tasks: dict[str, int] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bars.add_task(phase, total=total)
        bars.update(tasks[phase], completed=done)

    with bars:
        # Boltzmann defaults to as many agents as firms and as many steps as months (quick: 1,000 x 6)
        result = _run(firms, months, args.boltzmann_agents, args.boltzmann_steps, args.seed, args.quick,
                      progress, args.events, repeats, BOLTZMANN_TIME_BUDGET)
    render(result, console)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, default=_json_default) + "\n", encoding="utf-8")
        console.print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
