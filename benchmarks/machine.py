"""The machine and the measuring: what a benchmark ran on, its memory high-water mark, per-step timing."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import resource
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], check=False, cwd=REPO, capture_output=True, text=True, timeout=10)
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
        "utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
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
