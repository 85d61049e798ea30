"""The models behind the pages: one live model per browser tab, shared by every page.

The Live page steps a tab's model; Chain and Map show the same model, so a
teacher can pause, switch page and look at the world as it stands. A page
opened before anything has run shows a finished run of the server's scenario
instead (kept for reuse: a run of the baseline takes a few seconds).

Flask serves requests on several threads, and a browser playing fast sends the
next frame before the last one has come back: two steps of one model at once
corrupt its tables. So every change to a tab's model (a step, a lever, a
restart) happens while holding that tab's lock (``tab_lock``); pages that read
the model while it may be playing can take the same lock.
"""

from __future__ import annotations

import csv
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import dash

from sim.experiments.browse import store_file
from sim.model import ChainModel
from sim.scenario import SCENARIO_DIR, load_scenario

SESSIONS: OrderedDict[str, ChainModel] = OrderedDict()   # tab id -> model, in this server process
MAX_SESSIONS = 32

# World sizes a teacher can pick on the Live page; "scenario" keeps the file's own numbers.
# Small is the classroom world (runs in a second), large the baseline's; the mix of clients,
# primes and subcontractors stays near the baseline's, so a smaller world is the same market
# with fewer firms.
WORLD_SIZES: dict[str, dict[str, int]] = {
    "scenario": {},
    "small": {"world.clients": 220, "world.primes": 30, "world.subcontractors": 60},
    "medium": {"world.clients": 750, "world.primes": 80, "world.subcontractors": 170},
    "large": {"world.clients": 2000, "world.primes": 200, "world.subcontractors": 500},
}

_KEYS: dict[str, tuple[str, str]] = {}          # tab id -> (scenario, world size) of its live model
_LOCKS: dict[str, threading.RLock] = {}         # tab id -> lock held while its model changes
_REGISTRY = threading.Lock()                    # guards the three dicts above


def _region_names() -> dict[str, str]:
    with open(SCENARIO_DIR / "data" / "regions.csv", encoding="utf-8") as f:
        return {row["region_id"]: row["name"] for row in csv.DictReader(f)}


REGION_NAMES = _region_names()      # region id -> name, in the data file's order
REGION_IDS = list(REGION_NAMES)


def bundled() -> list[str]:
    """The scenario names a page may load (anything else from the browser is refused)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def default_scenario() -> str:
    """The scenario the server was started with (``chainsim dashboard --scenario``)."""
    name = dash.get_app().server.config.get("CHAINSIM_SCENARIO", "classroom")
    return name if name in bundled() else "classroom"


def results_store() -> Path:
    """The results store this server writes and reads (``chainsim dashboard --results``: a folder or a
    .duckdb file), else the CLI's default."""
    return store_file(dash.get_app().server.config.get("CHAINSIM_RESULTS"))


@lru_cache(maxsize=64)
def world_size_firms(scenario: str, size: str) -> int:
    """How many firms (clients, primes, subcontractors) a world of this size has at the start."""
    w = load_scenario(scenario, WORLD_SIZES[size]).world
    return w.clients + w.primes + w.subcontractors


def tab_lock(session: str) -> threading.RLock:
    """The lock to hold while stepping or changing this tab's model (re-entrant: a holder may call ``model_for``)."""
    with _REGISTRY:
        return _LOCKS.setdefault(session, threading.RLock())


def model_for(session: str, scenario: str, fresh: bool = False, size: str | None = None) -> ChainModel:
    """This tab's live model, started afresh on reset or when the tab picks another scenario or world size.

    ``size`` is a key of ``WORLD_SIZES``; ``None`` keeps the size the tab's model
    has (the scenario's own for a new tab), so a page that only reads the model
    never restarts it.
    """
    if size is not None and (not isinstance(size, str) or size not in WORLD_SIZES):
        raise ValueError(f"unknown world size {size!r}; choose one of {', '.join(WORLD_SIZES)}")
    with tab_lock(session):
        current = _KEYS.get(session) if session in SESSIONS else None
        key = (scenario, size if size is not None else current[1] if current else "scenario")
        if fresh or current != key:
            model = ChainModel(load_scenario(scenario, WORLD_SIZES[key[1]]))
            with _REGISTRY:
                if session not in SESSIONS and len(SESSIONS) >= MAX_SESSIONS:
                    oldest, _ = SESSIONS.popitem(last=False)       # the oldest tab gives way
                    _KEYS.pop(oldest, None)
                    _LOCKS.pop(oldest, None)
                SESSIONS[session], _KEYS[session] = model, key
        with _REGISTRY:
            SESSIONS.move_to_end(session)
            return SESSIONS[session]


@lru_cache(maxsize=4)
def finished_run(scenario: str, months: int) -> ChainModel:
    """A completed run of a bundled scenario (seeded as the file says), computed once per server."""
    return ChainModel(load_scenario(scenario, {"world.months": months})).run()


def model_to_show(session, months: int = 24) -> ChainModel:
    """This tab's live model if it has run at least a month, else a finished run of the server's scenario."""
    live = SESSIONS.get(session) if isinstance(session, str) else None
    if live is not None and live.month > 0:
        return live
    return finished_run(default_scenario(), months)


def is_live(model: ChainModel, session) -> bool:
    """Whether ``model`` is this tab's live model (rather than a finished run standing in for it)."""
    return isinstance(session, str) and SESSIONS.get(session) is model


def shown_source(model: ChainModel, session) -> str:
    """Which world a page is showing: the tab's own Live world, or a finished run standing in for it."""
    name = model.scenario.scenario.name
    if is_live(model, session):
        return (f"Your Live model: this tab's live world, the {name} scenario at month {model.month}. "
                "Step or play it on Live, then come back.")
    return (f"A finished {model.month}-month run of the {name} scenario: nothing has run on the Live page "
            "in this tab yet. Press step or play there to see your own world.")


def read_shown(session, read, months: int = 24):
    """``read(model)`` on the model this tab shows (see ``model_to_show``). A tab's live model is
    read under the tab's lock, so a Live step still in flight when the user switched pages cannot
    change it halfway through the read."""
    model = model_to_show(session, months)
    if is_live(model, session):
        with tab_lock(session):
            return read(model)
    return read(model)
