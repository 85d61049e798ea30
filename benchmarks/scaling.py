"""Scaling benchmark: how time per month, agent-steps per second and memory grow with the world.

Issue #8 asks for a curve over 1k, 3k, 10k, 30k and 100k firms x 24 months
with every mechanism on, Mesa's Boltzmann wealth model at the same agent
counts in the same run, and three goals: at least 2x Boltzmann's
agent-steps/s at 10k firms and at least 1x at 100k; time per step growing at
most about linearly (exponent <= 1.1 from 10k to 100k); peak RSS <= 2 GB at
100k. Figures only: nothing here is asserted.

    python -m benchmarks.scaling                      # the full curve (about 10 minutes on 2 cores)
    python -m benchmarks.scaling --quick              # 300 and 900 firms x 3 months: checks the harness works
    python -m benchmarks.scaling --sizes 1000 10000 --months 12
    python -m benchmarks.scaling --sweep              # add the 16-run sweep's parallel efficiency

Each size runs in a fresh Python process (``python -m benchmarks.engine``), so
its peak RSS is that world's own high-water mark, not the largest world's so
far. Within a process the chain model runs first, then Boltzmann as shipped
and without its DataCollector, exactly as in ``benchmarks.engine``; "every
mechanism on" adds one policy event of every kind (``--events``), because the
baseline scenario has none. The exponent is the least-squares slope of
log(seconds per step) on log(firms) over the sizes from 10k up.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SIZES = [1_000, 3_000, 10_000, 30_000, 100_000]
QUICK_SIZES = [300, 900]
GOALS = {"ratio_at_10k": 2.0, "ratio_at_100k": 1.0, "exponent_10k_100k": 1.1, "peak_rss_gb_at_100k": 2.0}
DEFAULT_JSON = REPO / "benchmarks" / "results" / "scaling.json"
DEFAULT_PLOT = REPO / "docs" / "img" / "scaling"


def measure_size(firms: int, months: int, events: bool = True, seed: int = 1) -> dict:
    """One world size, in its own process; returns the engine benchmark's figures for it."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "size.json"
        cmd = [sys.executable, "-m", "benchmarks.engine", "--firms", str(firms), "--months", str(months),
               "--repeats", "1", "--seed", str(seed), "--out", str(out)] + (["--events"] if events else [])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        done = subprocess.run(cmd, check=False, cwd=REPO, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the benchmark of {firms} firms failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
        return json.loads(out.read_text())


def row(result: dict) -> dict:
    """The figures of one size that the curve needs."""
    chain, shipped, stripped = result["chain"], result["boltzmann"], result["boltzmann_no_datacollector"]
    return {
        "firms": chain["firms"],
        "months": chain["months"],
        "chain_seconds_per_step": chain["seconds_per_step"],
        "chain_agent_steps_per_second": chain["agent_steps_per_second_living"],
        "chain_peak_rss_mb": chain["peak_rss_kb"] / 1024,
        "chain_build_seconds": chain["build_seconds"],
        "links_active_end": chain["links_active_end"],
        "living_agents_end": chain["living_agents_end"],
        "boltzmann_seconds_per_step": shipped["seconds_per_step"],
        "boltzmann_agent_steps_per_second": shipped["agent_steps_per_second"],
        "boltzmann_no_datacollector_agent_steps_per_second": stripped["agent_steps_per_second"],
        "boltzmann_truncated": bool(shipped["truncated"] or stripped["truncated"]),
        "ratio": result["ratio"],
        "ratio_vs_no_datacollector": result["ratio_vs_no_datacollector"],
    }


def exponent(rows: list[dict], from_firms: int = 10_000, key: str = "chain_seconds_per_step") -> float | None:
    """Slope of log(seconds per step) on log(firms) over sizes >= ``from_firms`` (None with fewer than two)."""
    points = [(r["firms"], r[key]) for r in rows if r["firms"] >= from_firms]
    if len(points) < 2:
        return None
    x, y = np.log([p[0] for p in points]), np.log([p[1] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def goals(rows: list[dict]) -> dict:
    """Each goal of the issue with the measured figure and whether it is met (None: size not measured)."""
    by_size = {r["firms"]: r for r in rows}
    slope = exponent(rows)

    def check(value, goal, at_most=False):
        if value is None:
            return {"measured": None, "goal": goal, "met": None}
        return {"measured": value, "goal": goal, "met": bool(value <= goal if at_most else value >= goal)}

    return {
        "ratio_at_10k": check(by_size.get(10_000, {}).get("ratio"), GOALS["ratio_at_10k"]),
        "ratio_at_100k": check(by_size.get(100_000, {}).get("ratio"), GOALS["ratio_at_100k"]),
        "exponent_10k_100k": check(slope if 100_000 in by_size and 10_000 in by_size else None,
                                   GOALS["exponent_10k_100k"], at_most=True),
        "peak_rss_gb_at_100k": check(None if 100_000 not in by_size else by_size[100_000]["chain_peak_rss_mb"] / 1024,
                                     GOALS["peak_rss_gb_at_100k"], at_most=True),
    }


def figure(rows: list[dict]):
    """Seconds per step and memory against world size (log-log), both models; the ratio on its own panel."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    firms = [r["firms"] for r in rows]
    fig = make_subplots(rows=1, cols=3, subplot_titles=("seconds per step", "chain ÷ Boltzmann agent-steps/s",
                                                        "peak RSS of the chain model (MB)"))
    fig.add_trace(go.Scatter(x=firms, y=[r["chain_seconds_per_step"] for r in rows], name="chain model",
                             mode="lines+markers"), 1, 1)
    fig.add_trace(go.Scatter(x=firms, y=[r["boltzmann_seconds_per_step"] for r in rows], name="Boltzmann (as shipped)",
                             mode="lines+markers"), 1, 1)
    if len(rows) >= 1:   # a guide line of slope 1 through the first point
        first = rows[0]
        fig.add_trace(go.Scatter(x=[firms[0], firms[-1]],
                                 y=[first["chain_seconds_per_step"], first["chain_seconds_per_step"] * firms[-1] / firms[0]],
                                 name="linear growth", mode="lines", line={"dash": "dot", "color": "#94a3b8"}), 1, 1)
    fig.add_trace(go.Scatter(x=firms, y=[r["ratio"] for r in rows], name="ratio (as shipped)", mode="lines+markers"), 1, 2)
    fig.add_trace(go.Scatter(x=firms, y=[r["ratio_vs_no_datacollector"] for r in rows],
                             name="ratio (no DataCollector)", mode="lines+markers"), 1, 2)
    fig.add_hline(y=2.0, line_dash="dash", line_color="#b45309", row=1, col=2, annotation_text="goal at 10k: 2×")
    fig.add_hline(y=1.0, line_dash="dash", line_color="#64748b", row=1, col=2, annotation_text="goal at 100k: 1×")
    fig.add_trace(go.Bar(x=[str(f) for f in firms], y=[r["chain_peak_rss_mb"] for r in rows], name="peak RSS",
                         showlegend=False), 1, 3)
    fig.update_xaxes(type="log", title_text="firms", row=1, col=1)
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_xaxes(type="log", title_text="firms", row=1, col=2)
    fig.update_xaxes(title_text="firms", row=1, col=3)
    fig.update_layout(width=1300, height=420, legend={"orientation": "h", "y": -0.25})
    return fig


def run(sizes: list[int], months: int, events: bool = True, sweep: bool = False, quick: bool = False,
        progress=None) -> dict:
    """Measure every size (smallest first) and, optionally, the sweep's parallel efficiency."""
    from benchmarks.machine import machine_info

    started = time.perf_counter()
    rows = []
    for i, firms in enumerate(sorted(sizes)):
        if progress:
            progress(f"{firms:,} firms x {months} months", i, len(sizes))
        rows.append(row(measure_size(firms, months, events)))
    result = {
        "benchmark": "scaling",
        "quick": quick,
        "machine": machine_info(),
        "months": months,
        "events": events,
        "rows": rows,
        "exponent_chain": exponent(rows),
        "exponent_boltzmann": exponent(rows, key="boltzmann_seconds_per_step"),
        "goals": goals(rows),
    }
    if sweep:
        from benchmarks.sweep import measure

        if progress:
            progress(f"sweep of {4 if quick else 16} runs", None, None)
        result["sweep"] = measure(runs=4 if quick else 16, months=3 if quick else 24, quick=quick)
    result["wall_seconds"] = time.perf_counter() - started
    return result


def render(result: dict) -> str:
    """A plain-text table of the curve and the goals (what the terminal and docs/performance.md show)."""
    lines = ["| firms | chain s/step | chain agent-steps/s | Boltzmann agent-steps/s | ratio | ratio (no DC) | peak RSS MB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["rows"]:
        lines.append(f"| {r['firms']:,} | {r['chain_seconds_per_step']:.4f} | {r['chain_agent_steps_per_second']:,.0f} | "
                     f"{r['boltzmann_agent_steps_per_second']:,.0f} | {r['ratio']:.2f}× | "
                     f"{r['ratio_vs_no_datacollector']:.2f}× | {r['chain_peak_rss_mb']:,.0f} |")
    def fmt(value):
        return "n/a" if value is None else f"{value:.2f}"

    lines.append("")
    lines.append(f"exponent of seconds per step, 10k→100k: {fmt(result['exponent_chain'])} "
                 f"(Boltzmann: {fmt(result['exponent_boltzmann'])})")
    for name, g in result["goals"].items():
        state = "not measured" if g["met"] is None else ("met" if g["met"] else "MISSED")
        value = "" if g["measured"] is None else f"{g['measured']:.2f} against {g['goal']}: "
        lines.append(f"- {name}: {value}{state}")
    if "sweep" in result:
        s = result["sweep"]
        lines.append(f"- sweep of {s['runs']} runs: serial {s['serial_s']:.1f} s, pool {s['pool_s']:.1f} s "
                     f"on {s['workers']} workers (efficiency {s.get('pool_efficiency', float('nan')):.2f})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__.split("\n\n")[0],
                                     epilog="Example: python -m benchmarks.scaling --sizes 1000 10000 --months 12")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, metavar="FIRMS",
                        help=f"world sizes in firms (default {' '.join(map(str, SIZES))}; quick {' '.join(map(str, QUICK_SIZES))})")
    parser.add_argument("--months", type=int, default=None, help="months per run (default 24; quick 3)")
    parser.add_argument("--no-events", action="store_true", help="the bare baseline, without one policy event of each kind")
    parser.add_argument("--sweep", action="store_true", help="also time a 16-run sweep serially and on the process pool")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness works (not a measurement)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE.json",
                        help=f"write the figures here (default {DEFAULT_JSON.relative_to(REPO)}; quick: not written)")
    parser.add_argument("--plot", type=Path, default=None, metavar="PATH",
                        help=f"write the plot as PATH.png (default {DEFAULT_PLOT.relative_to(REPO)}; quick: not written)")
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    months = args.months or (3 if args.quick else 24)
    if any(s < 3 for s in sizes) or months < 1:
        parser.error(f"--sizes must each be at least 3 firms and --months at least 1 (got sizes {sizes}, months {months})")

    def progress(what: str, done: int | None, total: int | None) -> None:
        counter = "" if done is None else f"[{done + 1}/{total}] "
        print(f"{counter}{what} ...", file=sys.stderr, flush=True)

    result = run(sizes, months, events=not args.no_events, sweep=args.sweep, quick=args.quick, progress=progress)
    print(render(result))
    out = args.out or (None if args.quick else DEFAULT_JSON)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(result, indent=2, default=float))
        tmp.replace(out)                                   # never a half-written file
        print(f"figures written to {out}", file=sys.stderr)
    plot = args.plot or (None if args.quick else DEFAULT_PLOT)
    if plot is not None:
        from sim.figures import browser

        if browser() is None:
            print("no Chromium found: the plot (PNG) was not written", file=sys.stderr)
        else:
            os.environ.setdefault("BROWSER_PATH", browser())
            plot.parent.mkdir(parents=True, exist_ok=True)
            figure(result["rows"]).write_image(plot.with_suffix(".png"), width=1300, height=420)
            print(f"plot written to {plot.with_suffix('.png')}", file=sys.stderr)
    return 0 if all(math.isfinite(r["chain_seconds_per_step"]) for r in result["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
