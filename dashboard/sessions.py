"""The models behind the pages: one live model per browser tab, shared by every page.

The Live page steps a tab's model; Chain and Map show the same model, so a
teacher can pause, switch page and look at the world as it stands. A page
opened before anything has run shows a finished run of the server's scenario
instead (kept for reuse: a run of the baseline takes a few seconds).
"""

from __future__ import annotations

import csv
from collections import OrderedDict
from functools import lru_cache

import dash

from sim.model import ChainModel
from sim.scenario import SCENARIO_DIR, load_scenario

SESSIONS: OrderedDict[str, ChainModel] = OrderedDict()   # tab id -> model, in this server process
MAX_SESSIONS = 32


def _region_ids() -> list[str]:
    with open(SCENARIO_DIR / "data" / "regions.csv", encoding="utf-8") as f:
        return [row["region_id"] for row in csv.DictReader(f)]


REGION_IDS = _region_ids()


def bundled() -> list[str]:
    """The scenario names a page may load (anything else from the browser is refused)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def default_scenario() -> str:
    """The scenario the server was started with (``chainsim dashboard --scenario``)."""
    name = dash.get_app().server.config.get("CHAINSIM_SCENARIO", "classroom")
    return name if name in bundled() else "classroom"


def model_for(session: str, scenario: str, fresh: bool = False) -> ChainModel:
    """This tab's live model, started afresh on reset or when the tab picks another scenario."""
    if fresh or session not in SESSIONS or SESSIONS[session].scenario.scenario.name != scenario:
        if session not in SESSIONS and len(SESSIONS) >= MAX_SESSIONS:
            SESSIONS.popitem(last=False)                 # the oldest tab gives way
        SESSIONS[session] = ChainModel(load_scenario(scenario))
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
