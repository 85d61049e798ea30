"""Chain: who works for whom — clients, primes and subcontractors as a layered network.

The page draws the tab's live world (or a finished run of the server's
scenario if nothing has run in this tab): links coloured by governance mode,
firms sized by the value they sell, one band per tier. Clicking a firm opens
its card (``sim.firm_card``). Elements and layout come from
``sim.figures.chain``; this module only wires them to the screen.
"""

from __future__ import annotations

import dash
import dash_cytoscape as cyto
from dash import Input, Output, State, callback, dcc, html

from dashboard.sessions import REGION_IDS, read_shown, shown_source
from sim.figures import chain as chain_fig
from sim.firm_card import firm_card
from sim.scenario import FAMILIES

dash.register_page(__name__, path="/chain", name="Chain", order=1)

SHOWN_MONTHS = 24          # length of the finished run shown when the tab has no live world
DEFAULT_LINKS = 250
CARD_ROWS = 8              # contracts listed per side of a card; the rest are counted
HINT = "Click a firm to see its card: its contracts, partners and history."


def layout(**_):
    return html.Div([
        html.Div([
            html.H2("The chain", className="chain-title"),
            html.Span(id="chain-source", className="chain-source"),
        ], className="chain-head"),
        html.Div([
            html.Label("delivery region"),
            dcc.Dropdown(id="chain-region", options=REGION_IDS, multi=True, placeholder="all regions",
                         className="chain-filter chain-filter-wide"),
            html.Label("work family"),
            dcc.Dropdown(id="chain-family", options=list(FAMILIES), multi=True, placeholder="all families",
                         className="chain-filter"),
            html.Label("tier"),
            dcc.Dropdown(id="chain-tier", options=[{"label": f"tier {t}", "value": t} for t in range(1, chain_fig.DEEPEST_TIER + 1)],
                         multi=True,
                         placeholder="all tiers", className="chain-filter"),
            html.Label("draw at most"),
            dcc.Dropdown(id="chain-max", options=[{"label": f"{n} links", "value": n} for n in chain_fig.LINK_CHOICES],
                         value=DEFAULT_LINKS, clearable=False, className="chain-filter"),
        ], className="controls chain-filters"),
        html.Div(id="chain-message", className="message"),
        html.Div(id="chain-count", className="chain-count"),
        html.Div([
            html.Div([
                legend(),
                cyto.Cytoscape(
                    id="chain-graph", elements=[], stylesheet=chain_fig.stylesheet(),
                    layout={"name": "preset", "fit": True, "padding": 24},
                    minZoom=0.05, maxZoom=4, boxSelectionEnabled=False, autoungrabify=True,
                    className="chain-canvas", style={"width": "100%", "height": "580px"},
                ),
            ], className="chain-graph-panel"),
            html.Aside(html.P(HINT, className="chain-hint"), id="chain-card", className="chain-card"),
        ], className="chain-body"),
    ], className="page chain-page")


def legend() -> html.Div:
    modes = [html.Span([html.Span(className="chain-swatch", style={"background": chain_fig.MODE_COLOURS[m]}), m],
                       className="chain-legend-item") for m in chain_fig.DRAWN_MODES]
    kinds = [html.Span([html.Span(className=f"chain-shape chain-shape-{kind}"), kind], className="chain-legend-item")
             for kind in chain_fig.KIND_SHAPES]
    return html.Div([
        html.Span("governance mode", className="chain-legend-title"), *modes,
        html.Span("firm", className="chain-legend-title"), *kinds,
        html.Span("size and line width: monthly value", className="chain-legend-note"),
    ], className="chain-legend")


@callback(
    Output("chain-graph", "elements"), Output("chain-graph", "layout"), Output("chain-source", "children"),
    Output("chain-count", "children"), Output("chain-message", "children"),
    Input("chain-region", "value"), Input("chain-family", "value"), Input("chain-tier", "value"),
    Input("chain-max", "value"), State("session", "data"),
)
def draw(regions, families, tiers, max_links, session):
    source, links, max_tier = read_shown(
        session, lambda model: (shown_source(model, session), chain_fig.chain_links(model), model.scenario.world.max_tier),
        SHOWN_MONTHS)
    try:
        flt = chain_fig.parse_filter(regions, families, tiers, REGION_IDS, max_tier)
        if max_links not in chain_fig.LINK_CHOICES or isinstance(max_links, bool):
            raise ValueError(f"Choose how many links to draw from the list ({', '.join(map(str, chain_fig.LINK_CHOICES))}).")
    except ValueError as exc:
        return [], dash.no_update, source, "", str(exc)
    view = chain_fig.chain_view(links, flt, max_links)
    if not view.elements:
        return [], dash.no_update, source, "", "No active links between firms match these filters."
    largest = " (the largest of each tier by monthly value)" if view.links_shown < view.links_total else ""
    count = (f"Showing {view.links_shown:,} of {view.links_total:,} firm-to-firm links{largest}, "
             f"{view.firms_shown:,} of {view.firms_total:,} firms.")
    # a fresh layout object makes Cytoscape re-fit the view to the new elements
    return view.elements, {"name": "preset", "fit": True, "padding": 24}, source, count, ""


@callback(Output("chain-card", "children"), Input("chain-graph", "tapNodeData"), State("session", "data"),
          prevent_initial_call=True)
def show_card(node, session):
    node_id = node.get("id") if isinstance(node, dict) else None
    if not isinstance(node_id, str) or not node_id.startswith("firm:"):
        return [html.P("That is not a firm: click a firm in the network.", className="message"), html.P(HINT, className="chain-hint")]
    try:
        card = read_shown(session, lambda model: firm_card(model, node_id), SHOWN_MONTHS)
    except LookupError as exc:
        return [html.P(f"{exc} The world may have been reset: redraw by changing a filter.", className="message")]
    return render_card(card)


# ---------------------------------------------------------------------- the card as HTML
def usd(value) -> str:
    if value is None:
        return "–"
    a = abs(value)
    return f"${value / 1e6:,.1f}M" if a >= 1e6 else f"${value / 1e3:,.1f}k" if a >= 1e3 else f"${value:,.0f}"


def fact(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def render_card(card) -> list:
    letter = chain_fig.KIND_LETTERS[card.kind]
    status = "active" if card.alive else "exited"
    facts = [html.Tr([html.Th(label), html.Td(usd(v) if "USD" in label and "wage" not in label else fact(v))])
             for label, v in card.facts.items()]
    capability = " · ".join(f"{fam} {v:.2f}" for fam, v in card.capability.items())
    history = card.history[::-1][:10]
    return [
        html.H3(f"{card.kind.capitalize()} {letter}{card.firm}", className="chain-card-title"),
        html.P(f"home {card.home} · {status}", className="chain-card-sub"),
        html.Table(facts + [html.Tr([html.Th("capability"), html.Td(capability)])], className="chain-card-facts"),
        html.H4("Delivery centres"),
        html.Ul([html.Li(f"{c['role']} in {c['region']}: "
                         + (f"{c['staff']:,.1f} staff, {c['used']:,.1f} FTE in use" if c["staff"] is not None
                            else f"{c['used']:,.1f} FTE of work")
                         + f" (developer wage {usd(c['wage (USD/FTE-month, developer)'])}/month)")
                 for c in card.centres] or [html.Li("none")], className="chain-card-list"),
        contracts_list("Buys", card.buys, "from"),
        contracts_list("Sells", card.sells, "to"),
        html.P("Ended links: " + ", ".join(f"{k} {v}" for k, v in card.past.items()), className="chain-card-sub"),
        html.H4(f"History ({len(card.history)} event{'' if len(card.history) == 1 else 's'})"),
        html.Ul([html.Li(f"month {e['month']}: {e['event']} {e['region']} {e['family']} — {e['detail']}".replace("  ", " "))
                 for e in history] or [html.Li("nothing logged yet")], className="chain-card-list"),
    ]


def work_name(work_type: str) -> str:
    """'bpo_customer_contact' -> 'BPO customer contact'."""
    family, _, rest = work_type.partition("_")
    return f"{family.upper()} {rest.replace('_', ' ')}".strip()


def contracts_list(title, rows, preposition):
    """Two lines per contract (partner, mode and work; then value, tier, where and how old): fits a side panel."""
    if not rows:
        return html.H4(f"{title}: nothing active")
    items = []
    for r in rows[:CARD_ROWS]:
        partner = ("its own team" if r["partner"] is None
                   else f"{chain_fig.KIND_LETTERS[r['partner_kind']]}{r['partner']} ({r['partner_home']})")
        items.append(html.Li([
            html.Div([f"{preposition} {partner} · ",
                      html.Span(className="chain-swatch", style={"background": chain_fig.MODE_COLOURS[r["mode"]]}),
                      f"{r['mode']} · {work_name(r['work'])}"]),
            html.Div(f"{usd(r['value (USD/month)'])}/month · tier {r['tier']} · delivered in {r['delivered in']} · "
                     f"{r['age (months)']} of {r['term (months)']} months", className="chain-card-sub"),
        ]))
    more = [html.P(f"… and {len(rows) - CARD_ROWS} more", className="chain-card-sub")] if len(rows) > CARD_ROWS else []
    total = sum(r["value (USD/month)"] for r in rows)
    return html.Div([html.H4(f"{title}: {len(rows)} active, {usd(total)}/month"),
                     html.Ul(items, className="chain-contracts"), *more])
