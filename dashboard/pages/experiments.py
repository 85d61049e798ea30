"""Experiments: browse the results store — comparisons, sweeps, their runs, sensitivity
indices and PRIM boxes — and plot any metric of any run (for researchers).

The store is whatever ``chainsim compare``, ``sweep`` and ``sensitivity`` wrote: the
server's ``CHAINSIM_RESULTS`` setting (a results folder or the DuckDB file; default the
CLI's ``results/chainsim.duckdb``). It is opened read-only for each request and closed
at once, so experiments can keep writing to it between two clicks; while one writes,
the page says so instead of failing. Sensitivity indices and PRIM boxes are computed
from the stored runs for the outcome chosen here, the way ``chainsim discover`` does.
"""

from __future__ import annotations

import math

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.sessions import REGION_IDS, results_store
from sim import figures
from sim.experiments import browse
from sim.experiments.browse import DIMENSIONS, EVERY, DesignError, StoreUnavailable
from sim.experiments.compare import OUTCOMES, REGIONAL
from sim.experiments.store import StoreError
from sim.figures import experiments as exp_figures
from sim.metrics import METRICS

dash.register_page(__name__, path="/experiments", name="Experiments", order=4)

ALL_EXPERIMENTS = "__every_experiment__"
COMPARE_OUTCOMES = ["jobs", "tax_revenue", "wages", "savings", "sla", "offshore_share"]   # the CLI's defaults
GRAPH = {"displaylogo": False}
MAX_ROWS = 500      # rows a table shows; `chainsim results export` has them all
EXPERIMENT_COLUMNS = [("experiment_id", "experiment"), ("kind", "kind"), ("created", "created"),
                      ("finished_runs", "finished runs"), ("about", "what it compares or sweeps")]
RUN_COLUMNS = [("label", "run"), ("scenario", "scenario"), ("seed", "seed"), ("months", "months"),
               ("finished", "finished"), ("seconds", "seconds"), ("scenario_hash", "scenario hash"),
               ("code_version", "code"), ("run_id", "run id"), ("experiment_id", "experiment"),
               ("overrides", "overrides")]


def table(frame: pd.DataFrame, pairs, id_: str | None = None) -> html.Div:
    """A plain scrolling table of ``frame``'s columns (key, heading); long cells show in full on hover."""
    head = html.Thead(html.Tr([html.Th(name) for _, name in pairs]))
    rows = [html.Tr([html.Td(cell(row[key]), title=cell(row[key])) for key, _ in pairs])
            for row in frame.head(MAX_ROWS).to_dict("records")]
    more = [html.P(f"The first {MAX_ROWS} of {len(frame)} rows; `chainsim results export` writes them all.",
                   className="exp-note")] if len(frame) > MAX_ROWS else []
    return html.Div([html.Table([head, html.Tbody(rows)], className="exp-table"), *more],
                    className="exp-table-wrap", **({"id": id_} if id_ else {}))


def cell(value) -> str:
    """Text for a table cell: numbers to four significant figures, seeds and ids whole."""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.4g}"
    return str(value)


def section(title: str, *children, class_name: str = "") -> html.Section:
    return html.Section([html.H3(title), *children], className=f"exp-section {class_name}".strip())


def initial_outcome(text) -> tuple[str, str | None]:
    """``?outcome=share:IND`` → ("share", "IND") when valid, else the default ("jobs", all regions)."""
    name, _, region = text.partition(":") if isinstance(text, str) else ("", "", "")
    if name in OUTCOMES and (not region or (region in REGION_IDS and name in REGIONAL)):
        return name, region or None
    return "jobs", None


def layout(experiment=None, outcome=None, **_):
    """``?experiment=ID&outcome=share:IND`` opens that experiment and analyses that outcome when
    both are valid (anything else is ignored), so a view can be shared as a link."""
    outcome_name, outcome_region = initial_outcome(outcome)
    return html.Div([
        html.Div([
            html.H2("Experiments"),
            html.Span(id="exp-store", className="exp-store"),
            html.Button("reload", id="exp-reload", n_clicks=0, title="Read the store again (new experiments appear)"),
        ], className="exp-head"),
        html.Div(id="exp-status", className="message"),
        dcc.Store(id="exp-wanted", data=experiment if isinstance(experiment, str) else None),
        section("In the store", html.Div(id="exp-table")),
        html.Section([
            html.Div([
                html.H3("Runs of"),
                dcc.Dropdown(id="exp-choice", options=[], clearable=False, className="exp-choice",
                             placeholder="no experiments yet"),
            ], className="exp-section-head"),
            html.Div(id="exp-runs-table"),
        ], className="exp-section"),
        section("A metric over time", html.Div([
            html.Div([html.Label("runs"), dcc.Dropdown(id="exp-runs", options=[], multi=True,
                                                       placeholder="choose one or more runs")],
                     className="field wide"),
            html.Div([html.Label("metric"), dcc.Dropdown(id="exp-metric", options=list(METRICS),
                                                         value="delivered_fte", clearable=False)], className="field"),
            *[html.Div([html.Label(dim), dcc.Dropdown(id=f"exp-{dim}", options=[], value=EVERY, clearable=False)],
                       className="field narrow") for dim in DIMENSIONS],
            html.Div([html.Label("one line per"), dcc.Dropdown(
                id="exp-split", options=[{"label": "run", "value": ""}] + [{"label": d, "value": d} for d in DIMENSIONS],
                value="", clearable=False)], className="field narrow"),
        ], className="exp-fields"),
            html.Div(id="exp-series-message", className="message"),
            dcc.Graph(id="exp-series", config=GRAPH, figure=figures.empty("Choose a run and a metric"))),
        section("Analysis", html.Div([
            html.Div([html.Label("outcome"), dcc.Dropdown(id="exp-outcome", options=list(OUTCOMES), value=outcome_name,
                                                          clearable=False)], className="field"),
            html.Div([html.Label("region"), dcc.Dropdown(id="exp-outcome-region", options=REGION_IDS,
                                                         value=outcome_region, placeholder="all regions")], className="field narrow"),
            html.Div([html.Label("runs of interest (PRIM)"), dcc.RadioItems(
                id="exp-condition", options=[{"label": "below", "value": "below"}, {"label": "above", "value": "above"}],
                value="below", inline=True)], className="field"),
            html.Div([html.Label("threshold"), dcc.Input(id="exp-threshold", type="number", placeholder="median",
                                                         debounce=True)], className="field narrow"),
            html.Div([html.Label("box density"), dcc.Input(id="exp-density", type="number", value=0.8, min=0.05,
                                                           max=1, step=0.05, debounce=True)], className="field narrow"),
        ], className="exp-fields"),
            html.Div(id="exp-analysis-message", className="message"),
            dcc.Loading(html.Div(id="exp-analysis"), type="dot")),
    ], className="page experiments")


# ---------------------------------------------------------------- the store and its experiments

@callback(Output("exp-store", "children"), Output("exp-status", "children"), Output("exp-table", "children"),
          Output("exp-choice", "options"), Output("exp-choice", "value"),
          Input("exp-reload", "n_clicks"), State("exp-choice", "value"), State("exp-wanted", "data"))
def read_store(_reload, chosen, wanted):
    path = results_store()
    where = f"store: {path}"
    try:
        with browse.reading(path) as store:
            experiments = browse.experiments(store)
    except StoreUnavailable as exc:
        return where, str(exc), [], [], None
    if experiments.empty:
        return where, (f"The results store {path} holds no experiments yet. Run one into it, e.g. "
                       f"`chainsim sweep --param scoring.price=0.1:0.4 --param world.clients=200:800 -n 8 "
                       f"--store {path}`, then press reload."), [], [], None
    options = [{"label": f"{row.experiment_id} · {row.kind} · {row.about}", "value": row.experiment_id}
               for row in experiments.itertuples()]
    options.append({"label": "every experiment (all runs)", "value": ALL_EXPERIMENTS})
    ids = set(experiments.experiment_id)
    value = next((e for e in (chosen, wanted) if e in ids or e == ALL_EXPERIMENTS), experiments.experiment_id.iloc[-1])
    return where, "", table(experiments, EXPERIMENT_COLUMNS), options, value


@callback(Output("exp-runs-table", "children"), Output("exp-runs", "options"), Output("exp-runs", "value"),
          Input("exp-choice", "value"), State("exp-runs", "value"))
def show_runs(experiment, shown):
    if not isinstance(experiment, str):
        return [], [], []
    try:
        with browse.reading(results_store()) as store:
            runs = browse.runs(store, None if experiment == ALL_EXPERIMENTS else experiment)
    except StoreUnavailable:
        return [], [], []          # the status line above already says why
    options = [{"label": f"{row.label} · {row.run_id[:8]}", "value": row.run_id} for row in runs.itertuples()]
    kept = [r for r in (shown or []) if r in set(runs.run_id)] if isinstance(shown, list) else []
    return table(runs, RUN_COLUMNS), options, kept or first_seed_of_each_scenario(runs)


def first_seed_of_each_scenario(runs: pd.DataFrame, most: int = 3) -> list[str]:
    """What to draw first: for a comparison, each scenario on the same seed (the baseline and its
    policies, paired); for a sweep, its first few points on that seed."""
    if runs.empty:
        return []
    first = runs[runs.seed == runs.seed.iloc[0]]
    if first.scenario.nunique() > 1:
        first = first.drop_duplicates("scenario")
    return list(first.run_id[:most])


# ---------------------------------------------------------------- a metric over time

@callback(*[Output(f"exp-{dim}", prop) for dim in DIMENSIONS for prop in ("options", "value", "disabled")],
          Input("exp-runs", "value"), Input("exp-metric", "value"),
          *[State(f"exp-{dim}", "value") for dim in DIMENSIONS])
def dimension_choices(run_ids, metric, *current):
    """Each dimension offers the values this metric takes in these runs; one it lacks is disabled."""
    values = {d: [] for d in DIMENSIONS}
    if valid_runs(run_ids) and metric in METRICS:
        try:
            with browse.reading(results_store()) as store:
                values = browse.dimensions(store, run_ids, metric)
        except StoreUnavailable:
            pass
    out = []
    how = "sum" if metric in browse.ADDITIVE else "mean"
    for dim, now in zip(DIMENSIONS, current):
        options = [{"label": f"all ({how})", "value": EVERY}] + [{"label": v, "value": v} for v in values[dim]]
        out += [options, now if now in values[dim] else EVERY, not values[dim]]
    return out


def valid_runs(run_ids) -> bool:
    return isinstance(run_ids, list) and 0 < len(run_ids) <= 50 and all(isinstance(r, str) for r in run_ids)


@callback(Output("exp-series", "figure"), Output("exp-series-message", "children"),
          Input("exp-runs", "value"), Input("exp-metric", "value"), Input("exp-split", "value"),
          *[Input(f"exp-{dim}", "value") for dim in DIMENSIONS])
def plot_metric(run_ids, metric, split, *chosen):
    if not run_ids:
        return figures.empty("Choose one or more runs"), ""
    if not valid_runs(run_ids) or metric not in METRICS or split not in ("", *DIMENSIONS):
        return figures.empty("Nothing to draw"), "Choose up to 50 runs and a metric from the lists."
    choice = dict(zip(DIMENSIONS, chosen))
    try:
        with browse.reading(results_store()) as store:
            known = browse.dimensions(store, run_ids, metric)
            bad = [f"{d}={v!r}" for d, v in choice.items() if v != EVERY and v not in known[d]]
            if bad:
                return figures.empty("Nothing to draw"), f"{metric} has no rows for {', '.join(bad)} in these runs."
            data = browse.series(store, run_ids, metric, choice, split or None)
            every_run = browse.runs(store)
    except StoreUnavailable as exc:
        return figures.empty("The store cannot be read now"), str(exc)
    if data.empty:
        return figures.empty(f"No {metric} rows in these runs"), ""
    labels = dict(zip(every_run.run_id, every_run.label))
    return exp_figures.metric_over_time(data, labels, metric, narrowing(metric, choice, split)), ""


def narrowing(metric: str, choice: dict, split: str) -> str:
    """Subtitle: which rows the line keeps and how the others were combined."""
    kept = [f"{d} {v}" for d, v in choice.items() if v != EVERY]
    text = ", ".join(kept) if kept else "all rows"
    text += f"; {browse.combination(metric)} over the other dimensions"
    return text + (f"; one line per {split} (the largest 10)" if split else "")


# ---------------------------------------------------------------- effects, sensitivity, PRIM

@callback(Output("exp-analysis", "children"), Output("exp-analysis-message", "children"),
          Input("exp-choice", "value"), Input("exp-outcome", "value"), Input("exp-outcome-region", "value"),
          Input("exp-condition", "value"), Input("exp-threshold", "value"), Input("exp-density", "value"))
def analyse(experiment, outcome, region, condition, threshold, density):
    if not isinstance(experiment, str):
        return [], ""              # nothing in the store: the status line above says why
    if experiment == ALL_EXPERIMENTS:
        return [], "Choose one experiment to see its effects, sensitivity indices or PRIM boxes."
    if outcome not in OUTCOMES or not (region is None or region in REGION_IDS):
        return [], "Choose an outcome and a region from the lists."
    if region and outcome not in REGIONAL:
        return [], f"{outcome} has no regional form; clear the region (regional outcomes: {', '.join(sorted(REGIONAL))})."
    name = f"{outcome}:{region}" if region else outcome
    try:
        with browse.reading(results_store()) as store:
            kind = store.design(experiment).get("kind", "")
            if kind == "compare":
                return comparison(store, experiment, name), ""
            if str(kind).startswith("sweep"):
                return sweep_analysis(store, experiment, name, condition, threshold, density)
            return [], f"Experiment {experiment} is a {kind!r}: nothing to analyse here."
    except (StoreUnavailable, StoreError, ValueError) as exc:   # DesignError, OutcomeError and SALib's own
        return [], str(exc)


def comparison(store, experiment: str, outcome: str) -> list:
    outcomes = [outcome] + [o for o in COMPARE_OUTCOMES if o != outcome]
    effects = browse.effects(store, experiment, outcomes)
    shown = effects.assign(interval=[f"[{lo:+,.4g}, {hi:+,.4g}]" for lo, hi in zip(effects.ci_low, effects.ci_high)])
    pairs = [("scenario", "scenario"), ("outcome", "outcome"), ("replicates", "seeds"), ("baseline", "baseline"),
             ("scenario_value", "with policy"), ("effect", "effect"), ("interval", "95% interval"),
             ("relative", "relative")]
    shown["relative"] = [f"{r:+.1%}" for r in shown.relative]
    return [dcc.Graph(id="exp-effects", figure=figures.effects(effects), config=GRAPH),
            table(shown, pairs, "exp-effects-table")]


def sweep_analysis(store, experiment: str, outcome: str, condition, threshold, density) -> tuple[list, str]:
    design, cases, values = browse.sweep_outcomes(store, experiment, outcome)
    if cases.empty:
        return [], f"No finished runs of this sweep have {outcome}."
    points = cases.rename(columns={"outcome": outcome})
    parts = [dcc.Graph(id="exp-sweep", figure=figures.sweep_points(points, outcome), config=GRAPH)]
    parts += sensitivity_part(design, values, outcome)
    box, note = prim_part(cases, outcome, condition, threshold, density)
    return parts + box, note


def sensitivity_part(design: dict, values: dict, outcome: str) -> list:
    method = design.get("method")
    try:
        indices = browse.sensitivity_indices(design, values)
    except DesignError as exc:
        return [html.H4("Sensitivity indices"), html.P(str(exc), className="exp-note")]
    indices_table = pd.DataFrame(indices)
    pairs = [(c, c) for c in indices_table.columns]
    return [html.H4("Sensitivity indices"),
            html.Div([dcc.Graph(id="exp-sensitivity", figure=figures.sensitivity_indices(indices, method, outcome),
                                config=GRAPH),
                      table(indices_table, pairs, "exp-sensitivity-table")], className="exp-pair")]


def prim_part(cases: pd.DataFrame, outcome: str, condition, threshold, density) -> tuple[list, str]:
    """The PRIM box (table and figure) for the runs whose outcome is below/above the threshold."""
    if condition not in ("below", "above"):
        return [], "Choose below or above for the runs of interest."
    try:
        threshold = float(cases.outcome.median()) if threshold in (None, "") else float(threshold)
        density = 0.8 if density in (None, "") else float(density)
    except (TypeError, ValueError):
        return [], "The threshold and the box density must be numbers."
    if not 0.05 <= density <= 1:
        return [], "The box density must be between 0.05 and 1."
    sign = "<" if condition == "below" else ">"
    text = f"{outcome} {sign} {threshold:.4g}"
    heading = html.H4(f"Scenario discovery (PRIM): runs with {text}")
    try:
        result = browse.prim_box(cases, threshold if condition == "below" else None,
                                 threshold if condition == "above" else None, density)
    except DesignError as exc:
        return [heading, html.P(str(exc), className="exp-note")], ""
    limits = result["limits"]
    summary = html.P(f"{result['hits']} of {result['cases']} runs have {text}. The box holds {result['coverage']:.0%} "
                     f"of them (coverage); {result['density']:.0%} of the runs inside it have it (density).",
                     className="exp-note")
    if limits.empty:
        return [heading, summary, html.P("No parameter range stands out: the condition is spread over the whole space.",
                                         className="exp-note")], ""
    box_table = limits.reset_index(names="parameter").rename(columns={"min": "from", "max": "to"})
    pairs = [("parameter", "parameter"), ("from", "from"), ("to", "to")]
    hits = cases.outcome < threshold if condition == "below" else cases.outcome > threshold
    return [heading, summary, html.Div([
        dcc.Graph(id="exp-prim", figure=exp_figures.prim_box(cases, limits, hits, text), config=GRAPH),
        table(box_table, pairs, "exp-prim-table"),
    ], className="exp-pair")], ""


__all__ = ["analyse", "dimension_choices", "layout", "plot_metric", "read_store", "show_runs"]
