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
import datetime as _dt
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: called after every step of every phase."""

REPO = Path(__file__).resolve().parent.parent
QUICK = {"firms": 1_000, "months": 6, "boltzmann_agents": 1_000, "boltzmann_steps": 6}
TARGET_RATIO = 2.0
BOLTZMANN_TIME_BUDGET = 60.0  # seconds of stepping per Boltzmann variant before it stops early


# --------------------------------------------------------------------------- machine

def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def machine_info() -> dict:
    import mesa
    import numpy as np

    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = None
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "cpu_usable": usable,
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "chainsim": _version("chainsim"),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": None if status is None else bool(status),
        "utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def peak_rss_kb() -> int:
    """Process high-water resident set size in KB (Linux reports KB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak // 1024) if sys.platform == "darwin" else int(peak)


def current_rss_kb() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------- chain model

def step_timing(step_seconds: list[float], stepping: float, cpu: float) -> dict:
    """The per-step timing figures both models report."""
    return {
        "step_seconds_total": stepping,
        "step_cpu_seconds": cpu,
        "seconds_per_step": stepping / len(step_seconds),
        "seconds_per_step_median": statistics.median(step_seconds),
        "seconds_per_step_min": min(step_seconds),
        "seconds_per_step_max": max(step_seconds),
    }


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


# --------------------------------------------------------------------------- Boltzmann

def _boltzmann_classes():
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannWealth

    class BoltzmannWithoutCollector(BoltzmannWealth):
        """Mesa's example with the per-step DataCollector call removed (construction unchanged)."""

        def step(self):
            self.agents.shuffle_do("step")

    return BoltzmannWealth, BoltzmannWithoutCollector


def bench_boltzmann(n: int = 10_000, steps: int = 60, seed: int = 1, datacollector: bool = True,
                    time_budget: float = BOLTZMANN_TIME_BUDGET, progress: Progress | None = None) -> dict:
    """Build and run Mesa's Boltzmann wealth model on a square grid; return its timings.

    Stepping stops early (and says so) once it has taken ``time_budget`` seconds.
    """
    shipped, stripped = _boltzmann_classes()
    cls = shipped if datacollector else stripped
    side = math.ceil(math.sqrt(n))
    phase = "boltzmann" if datacollector else "boltzmann (no DataCollector)"
    gc.collect()
    rss_before = current_rss_kb()

    t0 = time.perf_counter()
    model = cls(n=int(n), width=side, height=side, seed=seed)
    t1 = time.perf_counter()

    step_seconds: list[float] = []
    agents: list[int] = []
    cpu0 = time.process_time()
    for step in range(int(steps)):
        agents.append(len(model.agents))
        start = time.perf_counter()
        model.step()
        step_seconds.append(time.perf_counter() - start)
        if progress is not None:
            progress(phase, step + 1, int(steps))
        if sum(step_seconds) > time_budget and step + 1 < steps:
            break

    cpu = time.process_time() - cpu0
    stepping = sum(step_seconds)
    agent_steps = sum(agents)
    return {
        "variant": "as shipped (DataCollector every step)" if datacollector else "without DataCollector",
        "datacollector": bool(datacollector),
        "seed": int(seed),
        "agents": int(n),
        "grid": [side, side],
        "steps_requested": int(steps),
        "steps_run": len(step_seconds),
        "truncated": len(step_seconds) < int(steps),
        "time_budget_seconds": time_budget,
        "build_seconds": t1 - t0,
        **step_timing(step_seconds, stepping, cpu),
        "agent_steps": agent_steps,
        "agent_steps_per_second": agent_steps / stepping,
        "rss_kb_before": rss_before,
        "peak_rss_kb": peak_rss_kb(),
        "step_seconds": step_seconds,
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
        "ratio = chain living agent-steps/s / Boltzmann as-shipped agent-steps/s (DataCollector every step, "
        "as in Mesa's example; the chain model also records metrics every month).",
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


# --------------------------------------------------------------------------- profile

def profile_chain(firms: int = 10_000, months: int = 12, seed: int = 1, top: int = 15, events: bool = False) -> dict:
    """cProfile the chain model's stepping (construction excluded); return the hot spots.

    Returns ``{"tottime": [...], "cumulative": [...], "total_seconds": ...}``,
    each list the ``top`` entries as dicts of function, file:line, calls,
    tottime and cumtime, plus the ``pstats`` text of both sorts under ``text``.
    """
    import cProfile
    import io
    import pstats

    from sim import ChainModel, load_scenario

    overrides = {f"world.{k}": v for k, v in world_sizes(firms).items()}
    overrides["world.months"] = int(months)
    if events:
        overrides["events"] = all_events(months)
    model = ChainModel(load_scenario("baseline", overrides), seed=seed)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(int(months)):
        model.step()
    profiler.disable()
    total = time.perf_counter() - start

    stats = pstats.Stats(profiler)
    root = str(REPO) + os.sep

    def entries(key: str) -> list[dict]:
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2 if key == "tottime" else 3], reverse=True)
        out = []
        for (filename, line, func), (cc, nc, tt, ct, _callers) in rows[:top]:
            where = filename[len(root):] if filename.startswith(root) else filename
            if "site-packages" + os.sep in where:
                where = where.split("site-packages" + os.sep, 1)[1]
            out.append({"function": func, "where": f"{where}:{line}", "calls": nc, "primitive_calls": cc,
                        "tottime": tt, "cumtime": ct, "share_of_total": tt / total if total else None})
        return out

    text = {}
    for key in ("tottime", "cumulative"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(key).print_stats(top)
        text[key] = buffer.getvalue()
    return {"firms": int(firms), "months": int(months), "total_seconds": total,
            "tottime": entries("tottime"), "cumulative": entries("cumulative"), "text": text}


def render_profile(profile: dict, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    console.print(f"[bold]chain model profile[/bold] — {profile['firms']:,} firms x {profile['months']} months, "
                  f"{profile['total_seconds']:.2f} s under cProfile (construction excluded)")
    for key, title in (("tottime", "by own time (tottime)"), ("cumulative", "by cumulative time")):
        table = Table(title=title, show_header=True, header_style="bold")
        for column, justify in (("#", "right"), ("function", "left"), ("file:line", "left"), ("calls", "right"),
                                ("tottime s", "right"), ("cumtime s", "right"), ("own %", "right")):
            table.add_column(column, justify=justify)
        for i, row in enumerate(profile[key], 1):
            table.add_row(str(i), row["function"], row["where"], f"{row['calls']:,}", f"{row['tottime']:.3f}",
                          f"{row['cumtime']:.3f}", f"{100 * (row['share_of_total'] or 0):.1f}")
        console.print(table)


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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    firms = args.firms if args.firms is not None else (QUICK["firms"] if args.quick else 10_000)
    if args.profile:
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
