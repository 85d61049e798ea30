"""The engine benchmark's quick run fills every figure (speed is reported, never asserted)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is not an installed package; `pytest` alone may not put the root on the path
    sys.path.insert(0, str(ROOT))

from benchmarks.engine import QUICK, main, run_benchmark, world_sizes  # noqa: E402


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def test_world_sizes_keep_baseline_proportions():
    from sim import load_scenario

    w = load_scenario("baseline").world
    base = {"clients": w.clients, "primes": w.primes, "subcontractors": w.subcontractors}
    assert world_sizes(sum(base.values())) == base
    for total in (1_000, 10_000):
        sizes = world_sizes(total)
        assert sum(sizes.values()) == total
        for kind, n in sizes.items():
            assert abs(n / total - base[kind] / sum(base.values())) < 1e-3


def test_quick_run_fills_every_figure():
    seen = []
    result = run_benchmark(quick=True, progress=lambda phase, done, total: seen.append((phase, done, total)))

    assert result["quick"] is True
    for key in ("platform", "python", "cpu_count", "numpy", "mesa"):
        assert result["machine"][key], key

    chain = result["chain"]
    assert chain["firms"] == QUICK["firms"] and chain["months"] == QUICK["months"]
    assert sum(chain["world"].values()) == QUICK["firms"]
    for key in ("build_seconds", "step_seconds_total", "seconds_per_step", "agent_steps_per_second_living",
                "agent_steps_per_second_nominal", "agent_steps_living", "agent_steps_nominal", "peak_rss_kb",
                "links_created"):
        assert _positive(chain[key]), (key, chain[key])
    assert chain["agent_steps_nominal"] == QUICK["firms"] * QUICK["months"]
    assert len(chain["step_seconds"]) == len(chain["living_agents_per_step"]) == QUICK["months"]
    assert chain["agent_steps_living"] == sum(chain["living_agents_per_step"])
    assert chain["living_agents_first_step"] == QUICK["firms"] + chain["regions"]
    assert chain["mesa_agents_end"] == chain["living_agents_end"]  # living count agrees with Mesa's registry

    for name in ("boltzmann", "boltzmann_no_datacollector"):
        b = result[name]
        assert b["agents"] == QUICK["boltzmann_agents"] and b["steps_run"] == QUICK["boltzmann_steps"]
        assert b["agent_steps"] == QUICK["boltzmann_agents"] * QUICK["boltzmann_steps"]
        for key in ("build_seconds", "step_seconds_total", "seconds_per_step", "agent_steps_per_second", "peak_rss_kb"):
            assert _positive(b[key]), (name, key, b[key])
    assert result["boltzmann"]["datacollector"] and not result["boltzmann_no_datacollector"]["datacollector"]

    for key in ("ratio", "ratio_nominal", "ratio_vs_no_datacollector", "peak_rss_kb", "wall_seconds"):
        assert _positive(result[key]), (key, result[key])
    assert isinstance(result["meets_target"], bool)
    assert result["repeats"] == len(result["rounds"]) == 1 and result["ratio_median"] == result["ratio"]
    assert result["notes"]
    json.dumps(result)  # plain data throughout

    phases = {phase for phase, _, _ in seen}
    assert phases == {"chain", "boltzmann", "boltzmann (no DataCollector)"}
    assert ("chain", QUICK["months"], QUICK["months"]) in seen


def test_main_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--quick", "--months", "2", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["quick"] is True and data["chain"]["months"] == 2 and data["boltzmann"]["steps_run"] == 2
    assert "ratio" in capsys.readouterr().out


def test_sweep_benchmark_quick_mode_fills_its_figures():
    from benchmarks.sweep import measure

    result = measure(runs=2, months=3, workers=2)
    for key in ("serial_s", "pool_s", "dask_s", "dask_startup_s", "pool_efficiency", "dask_vs_pool", "store_bytes_per_run"):
        assert _positive(result[key]), key


def test_scaling_quick_runs_each_size_in_its_own_process_and_fits_the_curve():
    from benchmarks.scaling import exponent, goals, render, run

    result = run([300, 900], months=2, events=True)
    rows = result["rows"]
    assert [r["firms"] for r in rows] == [300, 900]
    for r in rows:
        for key in ("chain_seconds_per_step", "chain_agent_steps_per_second", "chain_peak_rss_mb",
                    "boltzmann_agent_steps_per_second", "ratio"):
            assert _positive(r[key]), (key, r[key])
    assert result["goals"]["ratio_at_10k"]["met"] is None          # sizes not measured are said to be so
    assert "300" in render(result)
    # the fit itself: an exactly linear curve has exponent 1, a quadratic one 2
    linear = [{"firms": f, "chain_seconds_per_step": f * 1e-6} for f in (10_000, 30_000, 100_000)]
    quadratic = [{"firms": f, "chain_seconds_per_step": (f / 1e4) ** 2} for f in (10_000, 100_000)]
    assert abs(exponent(linear) - 1.0) < 1e-9 and abs(exponent(quadratic) - 2.0) < 1e-9
    rows100 = [{**linear[0], "ratio": 2.5}, {**linear[2], "ratio": 0.8, "chain_peak_rss_mb": 900}]
    g = goals(rows100)
    assert g["ratio_at_10k"]["met"] is True and g["ratio_at_100k"]["met"] is False
    assert g["peak_rss_gb_at_100k"]["met"] is True and g["exponent_10k_100k"]["met"] is True
