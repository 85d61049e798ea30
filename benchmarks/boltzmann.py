"""The yardstick: Mesa's own Boltzmann wealth model, timed as shipped and without its DataCollector.

``BoltzmannWealth`` from ``mesa.examples`` with ``n`` agents on a square grid of
side ceil(sqrt(n)) (one agent per cell on average, the density of Mesa's
100-agent 10 x 10 default). See ``benchmarks.engine`` for how it is compared.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

from benchmarks.machine import current_rss_kb, peak_rss_kb, step_timing

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: called after every step of every phase."""

BOLTZMANN_TIME_BUDGET = 60.0  # seconds of stepping per Boltzmann variant before it stops early


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
