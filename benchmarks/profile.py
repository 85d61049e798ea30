"""Where the chain model's month goes: cProfile of its stepping, the hot spots by own and cumulative time.

    python -m benchmarks.engine --profile --months 60 --top 30

Construction is excluded; the world is the engine benchmark's (the baseline scaled
to ``firms`` in its proportions, optionally with one policy event of every kind).
cProfile slows numpy-light Python code more than array code, so read shares, not
absolute times; measure speed with ``benchmarks.engine`` itself.
"""

from __future__ import annotations

import os
import time

from benchmarks.engine import all_events, world_sizes
from benchmarks.machine import REPO


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
            where = filename.removeprefix(root)
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
