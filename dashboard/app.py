"""The chainsim dashboard: a multi-page Dash app, offline, on 127.0.0.1 by default.

Each page lives in ``dashboard/pages/`` and wires the model to the screen only;
the figures come from ``sim.figures`` (shared with the CLI). Models run in this
server process, one per browser session.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import dash
import diskcache
from dash import Dash, DiskcacheManager, dcc, html

PAGES = Path(__file__).resolve().parent / "pages"


def background_cache_folder() -> Path:
    """Where background callbacks (the Compare page's runs) keep their progress and results.

    Per user, so two people on one machine never share or block each other's jobs:
    ``$XDG_CACHE_HOME/chainsim/background`` (``~/.cache/...``), or a folder in the
    temp dir when the home folder is not writable. Created on demand.
    """
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for folder in (home / "chainsim" / "background",
                   Path(tempfile.gettempdir()) / f"chainsim-{os.getuid()}" / "background"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise OSError("no writable folder for the dashboard's background jobs (tried ~/.cache and the temp dir)")


def create_app(scenario: str = "classroom", cache_folder: str | Path | None = None) -> Dash:
    """The app; long jobs (a policy comparison) run as background callbacks cached in ``cache_folder``."""
    folder = Path(cache_folder) if cache_folder else background_cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    app = Dash(
        __name__, use_pages=True, pages_folder=str(PAGES), title="chainsim",
        suppress_callback_exceptions=True, serve_locally=True,
        background_callback_manager=DiskcacheManager(diskcache.Cache(str(folder))),
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


def main(host: str = "127.0.0.1", port: int = 8050, debug: bool = False, scenario: str = "classroom",
         results: str | Path | None = None) -> None:
    app = create_app(scenario)
    if results is not None:   # the results store the Compare page writes to and the Experiments page reads
        app.server.config["CHAINSIM_RESULTS"] = str(results)
    app.run(host=host, port=port, debug=debug)
