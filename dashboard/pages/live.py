"""Live: start a small world, press play, watch chains form (for teaching)."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard.sessions import REGION_IDS, bundled, default_scenario, model_for
from sim import figures
from sim.scenario import ScenarioError

dash.register_page(__name__, path="/", name="Live", order=0)

LEVERS = {   # scenario event kinds a teacher can pull live; magnitudes mean what they mean in scenario files
    "tax_incentive": "tax incentive (share waived)",
    "tax_rate": "corporate tax rate (+/-)",
    "wage_shock": "wage shock (+/- share)",
    "training_subsidy": "training subsidy (+skill)",
    "risk_shock": "country risk (+/-)",
    "backlash_tax": "backlash tax on offshoring (home)",
    "data_localisation": "data localisation (home)",
    "ai_automation": "AI automation (all work)",
}


def _speed(value, fallback=400) -> int:
    """Milliseconds between months, from a slider or a URL parameter (bad values: the fallback)."""
    try:
        ms = int(float(value))
    except (TypeError, ValueError):
        return fallback
    return ms if 100 <= ms <= 5000 else fallback


def layout(scenario=None, speed=None, **_):
    """URL parameters ?scenario=NAME&speed=MS are honoured when valid and ignored otherwise."""
    default = scenario if scenario in bundled() else default_scenario()
    interval = _speed(speed)
    return html.Div([
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
        html.Div([
            html.Label("lever"),
            dcc.Dropdown(id="lever-kind", options=[{"label": label, "value": kind} for kind, label in LEVERS.items()],
                         value="tax_incentive", clearable=False, style={"width": "230px"}),
            dcc.Dropdown(id="lever-target", options=REGION_IDS, value="PHL", clearable=False, style={"width": "110px"}),
            dcc.Input(id="lever-size", type="number", value=0.5, step=0.05, min=-1, max=1, style={"width": "80px"}),
            html.Button("apply now", id="lever-apply", n_clicks=0),
        ], className="controls levers"),
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
    # the message line belongs to whoever has something to say (a lever's confirmation stays until then)
    note = no_update if model.running else f"The scenario ends at month {model.month}; press reset to start again."
    if ctx.triggered_id in ("reset", "scenario"):
        note = ""
    charts = [figures.delivery_by_region(metrics), figures.location_split(metrics), figures.governance_mix(metrics)]
    for month_applied, label in getattr(model, "levers", []):
        for chart in charts:   # every lever leaves a marker on every time series
            chart.add_vline(x=month_applied, line_dash="dash", line_color="#b45309",
                            annotation_text=label, annotation_position="top left")
    return (f"month {model.month}", *charts, ticker, note)


@callback(Output("message", "children", allow_duplicate=True), Input("lever-apply", "n_clicks"),
          State("lever-kind", "value"), State("lever-target", "value"), State("lever-size", "value"),
          State("session", "data"), State("scenario", "value"), prevent_initial_call=True)
def pull_lever(_n, kind, target, size, session, scenario):
    """Apply a policy lever or shock at the current month; it is marked on every chart."""
    from sim.scenario import Event
    from sim.timeline import apply_event

    if kind not in LEVERS or target not in REGION_IDS or scenario not in bundled() or not isinstance(session, str):
        return "That lever cannot be applied: choose a lever and a region from the lists."
    try:
        size = float(size)
    except (TypeError, ValueError):
        return "The lever's size must be a number between -1 and 1."
    if not -1 <= size <= 1:
        return "The lever's size must be between -1 and 1."
    model = model_for(session, scenario)
    where = "" if kind == "ai_automation" else target
    if where and where not in model.region_ids:
        return f"{target} is not in this scenario's world."
    apply_event(model, Event(month=max(model.month, 1), kind=kind, target=where, magnitude=size))
    model.geography.refresh()
    model.levers = getattr(model, "levers", []) + [(model.month, f"{kind} {where} {size:+g}".strip())]
    return f"Applied at month {model.month}: {LEVERS[kind]} {where} {size:+g}. Press play to see what follows."
