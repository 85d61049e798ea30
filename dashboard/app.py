"""The chainsim dashboard: a multi-page Dash app, offline, on 127.0.0.1 by default.

Each page lives in ``dashboard/pages/`` and wires the model to the screen only;
the figures come from ``sim.figures`` (shared with the CLI). Models run in this
server process, one per browser session.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import dash
from dash import Dash, dcc, html

PAGES = Path(__file__).resolve().parent / "pages"


def create_app(scenario: str = "classroom") -> Dash:
    app = Dash(
        __name__, use_pages=True, pages_folder=str(PAGES), title="chainsim",
        suppress_callback_exceptions=True, serve_locally=True,
    )
    app.server.config["CHAINSIM_SCENARIO"] = scenario
    app.layout = lambda: shell()   # a function: each browser tab gets its own session id
    return app


def shell() -> html.Div:
    """The frame around every page; the session store lives here so all pages share one tab's model."""
    return html.Div([
        dcc.Store(id="session", data=str(uuid.uuid4()), storage_type="session"),
        html.Header([
            html.H1("chainsim", className="brand"),
            html.Nav([dcc.Link(page["name"], href=page["relative_path"], className="nav-link")
                      for page in dash.page_registry.values()]),
        ], className="header"),
        dash.page_container,
    ], className="app")


def main(host: str = "127.0.0.1", port: int = 8050, debug: bool = False, scenario: str = "classroom") -> None:
    create_app(scenario).run(host=host, port=port, debug=debug)
