"""Live: start a world, press play, watch chains form (for teaching).

A teacher picks a scenario and a world size, plays, pauses or steps the months,
pulls policy levers at the current month, and sees eight time series and a
ticker of firm events update together. Every lever leaves a marker on every
time series, so cause and effect sit on one screen.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.sessions import (
    REGION_IDS,
    WORLD_SIZES,
    bundled,
    default_scenario,
    model_for,
    tab_lock,
    world_size_firms,
)
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

# The time series, in reading order on a three-column grid: where work goes, what it is,
# how it is organised, what it costs and how well it is done.
CHARTS = {
    "delivery": figures.delivery_by_region,
    "locations": figures.location_split,
    "families": figures.delivery_by_family,
    "governance": figures.governance_mix,
    "depth": figures.chain_depth,
    "wages": figures.wages_by_region,
    "savings": figures.client_savings,
    "quality": figures.service_quality,
}
PANEL_HEIGHT = 270   # px: three panels side by side and two rows on a 1280x900 screen
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}


def _speed(value, fallback=400) -> int:
    """Milliseconds between months, from a slider or a URL parameter (bad values: the fallback)."""
    try:
        ms = int(float(value))
    except (TypeError, ValueError):
        return fallback
    return ms if 100 <= ms <= 5000 else fallback


def size_options(scenario: str) -> list[dict]:
    """The world sizes on offer, each labelled with how many firms it starts with in this scenario."""
    return [{"label": f"{world_size_firms(scenario, size):,} firms ({size})", "value": size}
            for size in WORLD_SIZES]


def layout(scenario=None, speed=None, size=None, **_):
    """URL parameters ?scenario=NAME&size=SIZE&speed=MS are honoured when valid and ignored otherwise."""
    scenario = scenario if scenario in bundled() else default_scenario()
    size = size if isinstance(size, str) and size in WORLD_SIZES else "scenario"
    interval = _speed(speed)
    return html.Div([
        html.Div([
            # persisted in the tab, so coming back from another page finds the same world, not a new one
            dcc.Dropdown(id="scenario", options=bundled(), value=scenario, clearable=False, style={"width": "220px"},
                         persistence=True, persistence_type="session"),
            html.Label("world"),
            dcc.Dropdown(id="world-size", options=size_options(scenario), value=size, clearable=False,
                         searchable=False, style={"width": "260px"}, persistence=True, persistence_type="session"),
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
                         value="tax_incentive", clearable=False, style={"width": "300px"}),
            dcc.Dropdown(id="lever-target", options=REGION_IDS, value="PHL", clearable=False, style={"width": "110px"}),
            dcc.Input(id="lever-size", type="number", value=0.5, step=0.05, min=-1, max=1, style={"width": "80px"}),
            html.Button("apply now", id="lever-apply", n_clicks=0),
        ], className="controls levers"),
        html.Div(id="message", className="message"),
        dcc.Interval(id="tick", interval=interval, disabled=True),
        # two request slots for played months (see below): the tick each last asked for, and whether it is busy
        dcc.Store(id="frame-a", data=0), dcc.Store(id="drawing-a", data=False),
        dcc.Store(id="frame-b", data=0), dcc.Store(id="drawing-b", data=False),
        dcc.Store(id="levers-pulled", data=0),   # bumped by each lever so the charts redraw with its marker at once
        html.Div([dcc.Graph(id=chart, config=GRAPH_CONFIG, className="chart", responsive=True,
                                     style={"height": f"{PANEL_HEIGHT}px"}) for chart in CHARTS] + [
            html.Div([html.H3("What just happened"), html.Ul(id="ticker", className="ticker")], className="ticker-panel"),
        ], className="charts"),
    ], className="page")


@callback(Output("tick", "disabled"), Input("play", "n_clicks"), Input("pause", "n_clicks"), prevent_initial_call=True)
def play_pause(_play, _pause):
    return ctx.triggered_id != "play"


# Playing keeps two requests for months in flight, in two slots, so the server makes the next
# month while the browser draws this one. One slot would not do: the browser drops the answer to
# a request overtaken by a newer one of the same callback, so ticks faster than the server draws
# would leave the page frozen while the model ran on unseen. A tick that comes while both slots
# are busy is owed and goes out as soon as one is free: fast play runs as fast as server and
# browser can draw, slow play keeps the slider's pace, and pause stops within two months.
dash.clientside_callback(
    """function(n, busyA, busyB, paused, sentA, sentB) {
        const skip = window.dash_clientside.no_update;
        if (paused || !n || n <= Math.max(sentA || 0, sentB || 0)) { return [skip, skip]; }
        if (!busyA) { return [n, skip]; }
        if (!busyB) { return [skip, n]; }
        return [skip, skip];
    }""",
    Output("frame-a", "data"), Output("frame-b", "data"),
    Input("tick", "n_intervals"), Input("drawing-a", "data"), Input("drawing-b", "data"),
    State("tick", "disabled"), State("frame-a", "data"), State("frame-b", "data"), prevent_initial_call=True,
)


@callback(Output("tick", "interval"), Input("speed", "value"))
def speed(value):
    return _speed(value)


@callback(Output("world-size", "options"), Input("scenario", "value"), prevent_initial_call=True)
def sizes_for_scenario(scenario):
    if scenario not in bundled():
        raise PreventUpdate
    return size_options(scenario)


def charts(metrics, levers) -> list:
    """Every time series of the page for this month's metrics, each marked with the levers pulled so far."""
    return [figures.panel(make(metrics), levers, PANEL_HEIGHT) for make in CHARTS.values()]


def waiting(no_months) -> list:
    """Before the first month: each panel's title over a note, rather than empty axes."""
    return [figures.panel(figures.empty("chains form month by month:<br>press step or play",
                                        make(no_months).layout.title.text), height=PANEL_HEIGHT)
            for make in CHARTS.values()]


def ticker(model) -> list:
    """The latest firm events, newest first."""
    events = model.recorder.events_frame(last=12).tail(8).iloc[::-1]
    return [html.Li(f"month {e.step}: {e.kind} — firm {e.firm} ({e.region}) {e.detail}") for e in events.itertuples()]


def _message_only(text: str) -> tuple:
    return (no_update,) * (len(CHARTS) + 2) + (text,)


def frame(trigger, scenario, size, session) -> tuple:
    """One frame: start, restart or step the tab's model, then redraw every chart and the ticker.

    ``trigger`` says why: "play" (a tick), "step", "reset", "scenario", "world-size" or a lever.
    Values come from the browser and are checked before use.
    """
    if scenario not in bundled() or not isinstance(session, str):
        return _message_only(f"Unknown scenario {scenario!r}; choose one from the list.")
    if not isinstance(size, str) or size not in WORLD_SIZES:
        return _message_only(f"Unknown world size {size!r}; choose one from the list.")
    with tab_lock(session):       # one change at a time per model (the other slot, a lever, a duplicated tab)
        try:
            model = model_for(session, scenario, fresh=trigger == "reset", size=size)
        except ScenarioError as exc:
            return _message_only(str(exc))
        if trigger == "play" and not model.running:
            raise PreventUpdate          # the world has ended: nothing new to draw
        if trigger in ("play", "step") and model.running:
            model.step()
        metrics = model.metrics()
        # the message line belongs to whoever has something to say (a lever's confirmation stays until then)
        note = no_update if model.running else f"The scenario ends at month {model.month}; press reset to start again."
        if trigger in ("reset", "scenario", "world-size"):
            note = ""
        if metrics.empty:
            return ("month 0", *waiting(metrics), [html.Li("Nothing yet: press step or play.")], note)
        return (f"month {model.month}", *charts(metrics, getattr(model, "levers", [])), ticker(model), note)


OUTPUTS = [Output("month", "children"), *[Output(chart, "figure") for chart in CHARTS],
           Output("ticker", "children"), Output("message", "children")]


@callback(*OUTPUTS, Input("step", "n_clicks"), Input("reset", "n_clicks"), Input("scenario", "value"),
          Input("world-size", "value"), Input("levers-pulled", "data"), State("session", "data"))
def advance(_step, _reset, scenario, size, _levers, session):
    """Clicks and choices: step, reset, another scenario or world size, a lever just pulled."""
    return frame(ctx.triggered_id, scenario, size, session)


def _play_slot(slot: str):
    @callback(*[Output(o.component_id, o.component_property, allow_duplicate=True) for o in OUTPUTS],
              Input(f"frame-{slot}", "data"), State("scenario", "value"), State("world-size", "value"),
              State("session", "data"), running=[(Output(f"drawing-{slot}", "data"), True, False)],
              prevent_initial_call=True)
    def play(_tick, scenario, size, session):
        return frame("play", scenario, size, session)
    return play


play_a, play_b = _play_slot("a"), _play_slot("b")


@callback(Output("message", "children", allow_duplicate=True), Output("levers-pulled", "data"),
          Input("lever-apply", "n_clicks"),
          State("lever-kind", "value"), State("lever-target", "value"), State("lever-size", "value"),
          State("session", "data"), State("scenario", "value"), prevent_initial_call=True)
def pull_lever(n, kind, target, size, session, scenario):
    """Apply a policy lever or shock at the current month; it is marked on every chart."""
    message = apply_lever(kind, target, size, session, scenario)
    return message, (n if message.startswith("Applied") else no_update)


def apply_lever(kind, target, size, session, scenario) -> str:
    """The lever itself, checked value by value (they come from the browser); returns what to tell the teacher."""
    from sim.scenario import Event
    from sim.timeline import apply_event

    chosen = isinstance(kind, str) and kind in LEVERS and target in REGION_IDS and scenario in bundled()
    if not chosen or not isinstance(session, str):
        return "That lever cannot be applied: choose a lever and a region from the lists."
    try:
        size = float(size)
    except (TypeError, ValueError):
        return "The lever's size must be a number between -1 and 1."
    if not -1 <= size <= 1:
        return "The lever's size must be between -1 and 1."
    with tab_lock(session):          # not in the middle of a month being stepped
        model = model_for(session, scenario)
        where = "" if kind == "ai_automation" else target
        if where and where not in model.region_ids:
            return f"{target} is not in this scenario's world."
        apply_event(model, Event(month=max(model.month, 1), kind=kind, target=where, magnitude=size))
        model.geography.refresh()
        model.levers = getattr(model, "levers", []) + [(model.month, f"{kind} {where} {size:+g}".strip())]
    return f"Applied at month {model.month}: {LEVERS[kind]} {where} {size:+g}. Press play to see what follows."
