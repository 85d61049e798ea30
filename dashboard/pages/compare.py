"""Compare: policy scenarios against the baseline, effect sizes with 95% intervals (for planners).

The machinery is the CLI's (``chainsim compare``), not a copy of it: ``compare_design``
(every scenario on the baseline's seeds, spawned from the same base seed),
``execute`` (a fork process pool) and ``compare_runs`` (paired differences,
bootstrap intervals). So a comparison made here has the same run ids and the same
numbers as the command line, and the page shows that command.

A comparison takes seconds to minutes, so it runs as a Dash background callback:
the DiskcacheManager (``dashboard/app.py``) forks a job process, the page polls its
progress, and Cancel kills the job and its pool. The server keeps serving meanwhile.

Runs can go into the results store while the Experiments page reads it: see
``sim.experiments.shared_store`` (short commits, one transaction per run; a locked
store means "not saved", never half-written).
"""

# No `from __future__ import annotations`: Dash imports pages without registering them in
# sys.modules, and dataclasses cannot resolve string annotations there.
import math
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.sessions import (
    REGION_IDS,
    REGION_NAMES,
    bundled,
    results_store,
    world_size_firms,
)
from dashboard.sessions import WORLD_SIZES as SIZES
from sim import figures
from sim.experiments.compare import (
    OUTCOMES,
    REGIONAL,
    OutcomeError,
    parse_outcome,
)
from sim.experiments.design import RunSpec, compare_design
from sim.experiments.shared_store import Comparison, run_shared
from sim.figures import effects as effects_figure
from sim.scenario import ScenarioError, load_scenario

dash.register_page(__name__, path="/compare", name="Compare", order=3)

BASELINE = "baseline"
BASE_SEED = 1             # the CLI's default --seed: the page's runs are the command line's runs
WINDOW = 12               # months averaged, ending at the last month (the CLI's default --window)
REPLICATES = (1, 10)
MONTHS = (12, 120)
MAX_OUTCOMES = 12

# World sizes, as on the Live page (a smaller world keeps the baseline's mix of firms); the
# baseline's own size is "scenario" here.
WORLD_SIZES = {size: SIZES[size] for size in ("small", "medium", "scenario")}

OUTCOME_LABELS = {
    "jobs": "jobs (direct)",
    "jobs_indirect": "jobs (indirect)",
    "tax_revenue": "tax revenue",
    "delivered_fte": "work delivered (FTE)",
    "delivered_value": "value delivered (USD)",
    "wages": "mean wage",
    "savings": "client savings vs in-house",
    "sla": "SLA compliance",
    "displaced_fte": "work displaced (FTE)",
    "share": "share of all work",
    "offshore_share": "share of work done offshore",
}
DEFAULT_SCENARIOS = ["philippines_tax_incentive", "us_backlash_tax"]
DEFAULT_OUTCOMES = ["jobs", "tax_revenue", "offshore_share", "share:PHL", "jobs:PHL", "tax_revenue:PHL"]
TABLE_COLUMNS = [   # (effects column, heading, format)
    ("scenario", "scenario", "text"), ("outcome", "outcome", "text"), ("replicates", "seeds", "int"),
    ("baseline", "baseline", "num"), ("scenario_value", "with policy", "num"), ("effect", "effect", "signed"),
    ("ci_low", "95% low", "signed"), ("ci_high", "95% high", "signed"), ("relative", "relative", "pct"),
]
CSV_COLUMNS = ["scenario", "outcome", "replicates", "baseline", "scenario_value", "effect", "ci_low", "ci_high", "relative"]


class CompareInputError(ValueError):
    """A choice the page cannot run; the message says what to choose instead."""


@dataclass(frozen=True)
class Request:
    scenarios: tuple[str, ...]
    replicates: int
    months: int
    world: str
    outcomes: tuple[str, ...]


# ---------------------------------------------------------------- choices

def policies() -> list[str]:
    """Scenarios that can be compared with the baseline (the classroom world is not a policy)."""
    return [s for s in bundled() if s not in (BASELINE, "classroom")]


def world_labels() -> dict[str, str]:
    """Each world size with its number of firms, so a planner can judge the wait."""
    def firms(size: str) -> str:
        return f"{world_size_firms(BASELINE, size):,} firms"

    return {"small": f"small: {firms('small')} (seconds)", "medium": f"medium: {firms('medium')}",
            "scenario": f"as in the scenario files: {firms('scenario')} (slow)"}


def outcome_label(outcome: str) -> str:
    name, _, region = outcome.partition(":")
    label = OUTCOME_LABELS.get(name, name)
    return f"{label} in {REGION_NAMES.get(region, region)}" if region else label


def outcome_options() -> list[dict]:
    """World-wide outcomes first, then each regional outcome for every region (the dropdown is searchable)."""
    plain = [{"label": outcome_label(n), "value": n} for n in OUTCOMES if n != "share"]
    regional = [{"label": f"{outcome_label(f'{n}:{r}')} ({r})", "value": f"{n}:{r}"}
                for r in REGION_IDS for n in OUTCOMES if n in REGIONAL]
    return plain + regional


@cache
def question(scenario: str) -> str:
    return load_scenario(scenario).scenario.description


@cache
def policy_start(scenario: str) -> int | None:
    """The month the scenario's first event applies (None: it differs from the baseline from the start)."""
    months = [e.month for e in load_scenario(scenario).events]
    return min(months) if months else None


def _whole(value, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CompareInputError(f"{what} must be a whole number from {low} to {high}.")
    try:
        number = float(value)
    except ValueError:
        raise CompareInputError(f"{what} must be a whole number from {low} to {high}, not {value!r}.") from None
    if not math.isfinite(number) or number != int(number) or not low <= number <= high:
        raise CompareInputError(f"{what} must be a whole number from {low} to {high}, not {value!r}.")
    return int(number)


def _names(value, what: str) -> list[str]:
    """A dropdown's value as a list of distinct strings (a multi dropdown sends a list, or null when empty)."""
    items = [] if value is None else [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if items is None or not all(isinstance(item, str) for item in items):
        raise CompareInputError(f"Choose {what} from the list.")
    return list(dict.fromkeys(items))


def read_request(scenarios, replicates, months, world, outcomes) -> Request:
    """The browser's choices, checked: anything not offered by the page is refused with a message."""
    chosen = _names(scenarios, "scenarios")
    if not chosen:
        raise CompareInputError("Choose at least one scenario to compare with the baseline.")
    unknown = [s for s in chosen if s not in policies()]
    if unknown:
        raise CompareInputError(f"Unknown scenario {str(unknown[0])[:60]!r}: choose scenarios from the list.")
    wanted = _names(outcomes, "outcomes")
    if not wanted:
        raise CompareInputError("Choose at least one outcome to measure.")
    if len(wanted) > MAX_OUTCOMES:
        raise CompareInputError(f"Choose at most {MAX_OUTCOMES} outcomes (you chose {len(wanted)}).")
    for outcome in wanted:
        try:
            parse_outcome(outcome, REGION_IDS)
        except OutcomeError as exc:
            raise CompareInputError(f"Outcome {outcome[:60]!r} cannot be measured: {exc}") from None
    if not isinstance(world, str) or world not in WORLD_SIZES:
        raise CompareInputError(f"Choose a world size: {', '.join(WORLD_SIZES)}.")
    return Request(tuple(chosen), _whole(replicates, *REPLICATES, "Replicates"), _whole(months, *MONTHS, "Months"),
                   world, tuple(wanted))


def plan(request: Request) -> tuple[dict, list[RunSpec]]:
    """The CLI's design: baseline first, every scenario on the same replicate seeds."""
    return compare_design(list(request.scenarios), BASELINE, request.replicates, BASE_SEED, request.months,
                          WORLD_SIZES[request.world])


def cli_command(request: Request) -> str:
    """The command line that makes the same runs and the same table."""
    parts = ["chainsim compare", *request.scenarios, f"--replicates {request.replicates}", f"--months {request.months}"]
    parts += [f"--set {key}={value}" for key, value in WORLD_SIZES[request.world].items()]
    parts += [f"-o {o}" for o in request.outcomes]
    return " ".join(parts)


def timing_notes(request: Request) -> list[str]:
    """Warn when a policy starts too late to show in the months measured."""
    first_measured = request.months - min(WINDOW, request.months) + 1
    notes = []
    for scenario in request.scenarios:
        start = policy_start(scenario)
        if start is not None and start > request.months:
            notes.append(f"{scenario}'s policy starts at month {start}, after the last month run: its effect is zero "
                         f"by construction. Run at least {start + WINDOW - 1} months.")
        elif start is not None and start > first_measured:
            notes.append(f"{scenario}'s policy starts at month {start}: the effect covers only its first "
                         f"{request.months - start + 1} months.")
    return notes


# ---------------------------------------------------------------- running

def run_comparison(request: Request, store: Path | None = None,
                   progress: Callable[[int, int], None] = lambda done, total: None,
                   workers: int | None = None) -> Comparison:
    """Run (or reuse from the store) every run of the request's design and measure the effects."""
    design, specs = plan(request)
    return run_shared(design, specs, list(request.outcomes), WINDOW, store, progress, workers)


# ---------------------------------------------------------------- showing

def _cell(value, how: str) -> str:
    """Numbers as a planner reads them: thousands in full (121,900, not 1.219e+05), small ones to 4 digits."""
    if how == "text":
        return str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if how == "int":
        return f"{int(value)}"
    if how == "pct":
        return f"{value:+.1%}"
    sign = "+" if how == "signed" else ""
    return f"{value:{sign},.0f}" if abs(value) >= 1000 else f"{value:{sign}.4g}"


def effects_table(effects: pd.DataFrame) -> html.Table:
    head = html.Thead(html.Tr([html.Th(heading, className=f"col-{c}") for c, heading, _ in TABLE_COLUMNS]))
    body = html.Tbody([
        html.Tr([html.Td(outcome_label(row[c]) if c == "outcome" else _cell(row[c], how), className=f"col-{c}")
                 for c, _, how in TABLE_COLUMNS])
        for row in effects.to_dict("records")])
    return html.Table([head, body], className="compare-table")


def summary(request: Request, result: Comparison) -> list:
    m = result.design["months"]
    window = min(WINDOW, m)
    runs = f"{result.ran} runs computed" + (f", {result.reused} reused from the store" if result.reused else "")
    world = "the scenario files' world" if request.world == "scenario" else f"a {request.world} world"
    return [
        html.P(f"{len(request.scenarios)} scenario(s) against {BASELINE} on {request.replicates} paired seed(s), "
               f"{m} months, {world}; each outcome is the mean of months "
               f"{m - window + 1}–{m}. {runs}. Experiment {result.design['experiment_id']}."),
        html.P(["Same runs from the command line: ", html.Code(cli_command(request))] if request.replicates > 1 else
               "The command line compares 2 or more replicates (`chainsim compare --replicates 2`)."),
    ]


def notes(request: Request, result: Comparison, store: Path | None) -> list[html.Li]:
    """What to know before reading the numbers (warnings first), then where the runs were kept."""
    warnings = timing_notes(request)
    if request.replicates == 1:
        warnings.append("One replicate gives an effect but no interval: choose 2 or more (10 for a decision).")
    elif request.replicates < 5:
        warnings.append(f"Intervals from {request.replicates} seeds are rough; use 10 for a decision.")
    if result.store_note:
        warnings.append(result.store_note)
    said = [html.Li(w) for w in warnings]
    if store is not None and result.saved and not result.store_note:
        said.append(html.Li(f"Saved {result.saved} run(s) in {store}: the Experiments page and `chainsim results show "
                            f"{result.design['experiment_id']}` read them, and a rerun reuses them.", className="info"))
    return said


def effects_frame(data) -> pd.DataFrame:
    """The effects table kept in the browser, checked before it becomes a CSV."""
    rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise CompareInputError("There is nothing to download yet: run a comparison first.")
    frame = pd.DataFrame(rows)
    if list(frame.columns) != CSV_COLUMNS:
        raise CompareInputError("The effects kept in this page are not a comparison's table: run the comparison again.")
    return frame


def _download_name(data) -> str:
    experiment = data.get("experiment") if isinstance(data, dict) else None
    ok = isinstance(experiment, str) and experiment.isalnum() and len(experiment) <= 32
    return f"effects-{experiment}.csv" if ok else "effects.csv"


# ---------------------------------------------------------------- page

def layout(**_):
    store = results_store()
    return html.Div([
        html.H2("Compare policies against the baseline"),
        html.P("Each scenario runs on the same seeds as the baseline (common random numbers); an effect is the "
               "paired difference averaged over seeds, with a bootstrap 95% interval.", className="compare-intro"),
        html.Div([
            html.Label("Scenarios", htmlFor="compare-scenarios"),
            dcc.Dropdown(id="compare-scenarios", multi=True, value=DEFAULT_SCENARIOS,
                         options=[{"label": s, "value": s, "title": question(s)} for s in policies()]),
            html.Label("Outcomes", htmlFor="compare-outcomes"),
            dcc.Dropdown(id="compare-outcomes", multi=True, value=DEFAULT_OUTCOMES, options=outcome_options(),
                         placeholder="type a region or a measure, e.g. Philippines"),
            html.Label("Replicates", htmlFor="compare-replicates"),
            html.Div([dcc.Input(id="compare-replicates", type="number", min=REPLICATES[0], max=REPLICATES[1], step=1,
                                value=3),
                      html.Span(f"seeds per scenario ({REPLICATES[0]}–{REPLICATES[1]})", className="compare-hint")],
                     className="compare-number"),
            html.Label("Months", htmlFor="compare-months"),
            html.Div([dcc.Input(id="compare-months", type="number", min=MONTHS[0], max=MONTHS[1], step=1, value=36),
                      html.Span(f"per run ({MONTHS[0]}–{MONTHS[1]}); the bundled policies start at month 13",
                                className="compare-hint")], className="compare-number"),
            html.Label("World"),
            dcc.RadioItems(id="compare-world", value="small", inline=True, className="compare-world",
                           options=[{"label": label, "value": k} for k, label in world_labels().items()]),
            html.Span(),
            dcc.Checklist(id="compare-save", value=["save"], className="compare-save", options=[{
                "label": f" save the runs in the results store ({store}) for the Experiments page and "
                         "`chainsim results`; a rerun reuses them", "value": "save"}]),
        ], className="compare-form"),
        html.Div([
            html.Button("Run comparison", id="compare-run", n_clicks=0, className="compare-primary"),
            html.Button("Cancel", id="compare-cancel", n_clicks=0, disabled=True),
            html.Progress(id="compare-progress", value="0", max="1"),
            html.Span("", id="compare-progress-text", className="compare-progress-text"),
        ], className="controls compare-actions"),
        html.Div(id="compare-message", className="message"),
        html.Div(id="compare-summary", className="compare-summary"),
        dcc.Graph(id="compare-figure", config={"displaylogo": False},
                  figure=figures.empty("Choose scenarios and outcomes, then press Run comparison")),
        html.Div([
            html.Button("Download CSV", id="compare-download", n_clicks=0, disabled=True),
            dcc.Download(id="compare-csv"),
        ], className="controls"),
        html.Div(id="compare-table"),
        html.Details([
            html.Summary("What each scenario asks"),
            html.Dl([item for s in policies() for item in (html.Dt(s), html.Dd(question(s)))]),
        ], className="compare-questions"),
        dcc.Store(id="compare-effects"),
    ], className="page compare")


@callback(
    Output("compare-figure", "figure"), Output("compare-table", "children"), Output("compare-summary", "children"),
    Output("compare-effects", "data"), Output("compare-download", "disabled"), Output("compare-message", "children"),
    Input("compare-run", "n_clicks"),
    State("compare-scenarios", "value"), State("compare-replicates", "value"), State("compare-months", "value"),
    State("compare-world", "value"), State("compare-outcomes", "value"), State("compare-save", "value"),
    State("session", "data"),   # keeps two tabs' identical comparisons apart in the background cache
    background=True, interval=250, prevent_initial_call=True,
    progress=[Output("compare-progress", "value"), Output("compare-progress", "max"),
              Output("compare-progress-text", "children")],
    running=[(Output("compare-run", "disabled"), True, False), (Output("compare-cancel", "disabled"), False, True)],
    cancel=[Input("compare-cancel", "n_clicks")],
)
def run_compare(set_progress, _clicks, scenarios, replicates, months, world, outcomes, save, _session):
    """Runs in the background job process; returns the figure, the table and what to say about them."""
    keep = (no_update,) * 5
    try:
        request = read_request(scenarios, replicates, months, world, outcomes)
    except CompareInputError as exc:
        return (*keep, str(exc))
    store = results_store() if isinstance(save, list) and "save" in save else None
    set_progress(("0", "1", "preparing the runs…"))

    def report(done: int, total: int) -> None:
        set_progress((str(done), str(total), f"{done} of {total} runs"))

    try:
        result = run_comparison(request, store, report)
    except (ScenarioError, OutcomeError) as exc:
        return (*keep, f"The comparison could not run: {exc}")
    except Exception as exc:  # noqa: BLE001 - the page's boundary: a message in the page, never a traceback
        traceback.print_exc(file=sys.stderr)
        return (*keep, f"The comparison failed: {exc}")
    labels = {o: outcome_label(o) for o in request.outcomes}
    data = {"experiment": result.design["experiment_id"], "rows": result.effects[CSV_COLUMNS].to_dict("records")}
    said = notes(request, result, store)
    return (effects_figure(result.effects, labels), effects_table(result.effects), summary(request, result),
            data, False, html.Ul(said) if said else "")


@callback(Output("compare-message", "children", allow_duplicate=True), Output("compare-progress-text", "children",
                                                                            allow_duplicate=True),
          Input("compare-cancel", "n_clicks"), prevent_initial_call=True)
def cancelled(_n):
    said = ("Cancelled. When saving, the runs that had finished (all but the last second's) are in the results "
            "store and will not be run again.")
    return said, "cancelled"


@callback(Output("compare-csv", "data"), Output("compare-message", "children", allow_duplicate=True),
          Input("compare-download", "n_clicks"), State("compare-effects", "data"), prevent_initial_call=True)
def download(_n, data):
    try:
        frame = effects_frame(data)
    except CompareInputError as exc:
        return no_update, str(exc)
    return dcc.send_data_frame(frame.to_csv, _download_name(data), index=False), no_update
