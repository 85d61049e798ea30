"""Live: start a small world, press play, watch chains form (for teaching)."""

from __future__ import annotations

import uuid

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from sim import figures
from sim.model import ChainModel
from sim.scenario import SCENARIO_DIR, ScenarioError, load_scenario

dash.register_page(__name__, path="/", name="Live")

SESSIONS: dict[str, ChainModel] = {}   # one running model per browser session, in this server process
MAX_SESSIONS = 32


def bundled() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def _speed(value, fallback=400) -> int:
    """Milliseconds between months, from a slider or a URL parameter (bad values: the fallback)."""
    try:
        ms = int(float(value))
    except (TypeError, ValueError):
        return fallback
    return ms if 100 <= ms <= 5000 else fallback


def layout(scenario=None, speed=None, **_):
    """URL parameters ?scenario=NAME&speed=MS are honoured when valid and ignored otherwise."""
    default = scenario if scenario in bundled() else dash.get_app().server.config.get("CHAINSIM_SCENARIO", "classroom")
    interval = _speed(speed)
    return html.Div([
        dcc.Store(id="session", data=str(uuid.uuid4())),
        html.Div([
            dcc.Dropdown(id="scenario", options=bundled(), value=default if default in bundled() else "classroom",
                         clearable=False, style={"width": "320px"}),
            html.Button("▶ play", id="play", n_clicks=0),
            html.Button("❚❚ pause", id="pause", n_clicks=0),
            html.Button("step", id="step", n_clicks=0),
            html.Button("reset", id="reset", n_clicks=0),
            html.Label("speed"),
            dcc.Slider(id="speed", min=100, max=2000, step=100, value=min(interval, 2000), marks={100: "fast", 2000: "slow"},
                       included=False, className="speed"),
            html.Span("month 0", id="month", className="month"),
        ], className="controls"),
        html.Div(id="message", className="message"),
        dcc.Interval(id="tick", interval=interval, disabled=True),
        html.Div([
            dcc.Graph(id="delivery", config={"displaylogo": False}),
            dcc.Graph(id="locations", config={"displaylogo": False}),
            dcc.Graph(id="governance", config={"displaylogo": False}),
        ], className="charts"),
        html.H3("What just happened"),
        html.Ul(id="ticker", className="ticker"),
    ], className="page")


def model_for(session: str, scenario: str, fresh: bool = False) -> ChainModel:
    if fresh or session not in SESSIONS or SESSIONS[session].scenario.scenario.name != scenario:
        if len(SESSIONS) >= MAX_SESSIONS:
            SESSIONS.pop(next(iter(SESSIONS)))
        SESSIONS[session] = ChainModel(load_scenario(scenario))
    return SESSIONS[session]


@callback(Output("tick", "disabled"), Input("play", "n_clicks"), Input("pause", "n_clicks"), prevent_initial_call=True)
def play_pause(_play, _pause):
    return ctx.triggered_id != "play"


@callback(Output("tick", "interval"), Input("speed", "value"))
def speed(value):
    return _speed(value)


@callback(
    Output("month", "children"), Output("delivery", "figure"), Output("locations", "figure"),
    Output("governance", "figure"), Output("ticker", "children"), Output("message", "children"),
    Input("tick", "n_intervals"), Input("step", "n_clicks"), Input("reset", "n_clicks"), Input("scenario", "value"),
    State("session", "data"),
)
def advance(_tick, _step, _reset, scenario, session):
    if scenario not in bundled() or not isinstance(session, str):
        return no_update, no_update, no_update, no_update, no_update, f"Unknown scenario {scenario!r}; choose one from the list."
    try:
        model = model_for(session, scenario, fresh=ctx.triggered_id == "reset")
    except ScenarioError as exc:
        return no_update, no_update, no_update, no_update, no_update, str(exc)
    if ctx.triggered_id in ("tick", "step") and model.running:
        model.step()
    metrics = model.metrics()
    if metrics.empty:
        empty = figures.empty("Press step or play: chains form month by month")
        return "month 0", empty, empty, empty, [], ""
    events = model.recorder.events_frame(last=12).tail(8).iloc[::-1]
    ticker = [html.Li(f"month {e.step}: {e.kind} — firm {e.firm} ({e.region}) {e.detail}") for e in events.itertuples()]
    note = "" if model.running else f"The scenario ends at month {model.month}; press reset to start again."
    return (f"month {model.month}", figures.delivery_by_region(metrics), figures.location_split(metrics),
            figures.governance_mix(metrics), ticker, note)
