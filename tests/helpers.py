"""Helpers shared by the tests: small worlds and pooled measurements.

``SMALL`` is the default test world (300 clients, 60 primes, 150
subcontractors); ``MEDIUM`` is used where a mechanism's direction must be
measured through the noise of whole runs.
"""

from __future__ import annotations

from sim import ChainModel, load_scenario

SMALL = {"world.clients": 300, "world.primes": 60, "world.subcontractors": 150, "world.months": 24}
MEDIUM = {"world.clients": 600, "world.primes": 100, "world.subcontractors": 250, "world.months": 36}


def build(overrides: dict | None = None, seed: int = 1, base: dict = SMALL) -> ChainModel:
    """A fresh, un-run model of a small world with extra dotted-key overrides."""
    return ChainModel(load_scenario("baseline", {**base, **(overrides or {})}), seed=seed)


def run_model(overrides: dict | None = None, seed: int = 1, months: int | None = None, base: dict = SMALL) -> ChainModel:
    """Build and run (for the scenario's ``world.months`` unless ``months`` is given)."""
    return build(overrides, seed, base).run(months)


def delivered(model: ChainModel):
    """delivered_fte rows done away from clients' home teams (location != inhouse)."""
    df = model.metrics()
    return df[(df.metric == "delivered_fte") & (df.location != "inhouse")]


def pooled_share(region: str, overrides: dict, seeds, base: dict = MEDIUM, months: int | None = None) -> float:
    """Region's share of delivered FTE outside home teams, pooled over several seeds."""
    num = den = 0.0
    for seed in seeds:
        d = delivered(run_model(overrides, seed, months, base))
        num += float(d.loc[d.region == region, "value"].sum())
        den += float(d.value.sum())
    return num / den if den > 0 else 0.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1, so browser tests can run side by side (``dash_duo.start_server(app, port=...)``)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_component(node, id_):
    """Depth-first search of a Dash layout for the component with this id (None when absent)."""
    if getattr(node, "id", None) == id_:
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        hit = find_component(child, id_) if child is not None and not isinstance(child, str) else None
        if hit is not None:
            return hit
    return None


def page_module(path: str):
    """A dashboard page's module as Dash loaded it (as ``pages.NAME``), for calling its callbacks.

    Importing ``dashboard.pages.NAME`` instead would register the page a second time, and Dash
    then refuses to serve any page in that process. An app is made first if none has loaded the pages.
    """
    import sys

    import dash

    if not any(page["path"] == path for page in dash.page_registry.values()):
        from dashboard.app import create_app

        create_app("classroom")
    entry = next(page for page in dash.page_registry.values() if page["path"] == path)
    return sys.modules[entry["module"]]
