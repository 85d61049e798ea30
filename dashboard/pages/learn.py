"""Learn: guided lessons that open a scenario on the Live page, and the model description (ODD).

Each lesson says what it is about, opens its scenario on Live (and the baseline in
a second tab where the lesson compares), says what to watch on which chart, and
asks a question. The answer is hidden until a student asks for it; it explains the
mechanism in the model's terms and shows what the model did in a run of the same
scenario with the same seed (``dashboard.lessons``). Below the lessons, the full
model description, docs/ODD.md, with a table of contents.
"""

from __future__ import annotations

import re
from functools import lru_cache

import dash
from dash import MATCH, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.lessons import BY_KEY, LESSONS, evidence, live_href
from sim import docs
from sim.scenario import ScenarioError

dash.register_page(__name__, path="/learn", name="Learn", order=5)


# ---------------------------------------------------------------------------- the model description
def for_screen(markdown: str) -> str:
    """ODD Markdown as the page shows it: without the generator's markers, and with links to other
    files of docs/ (which the dashboard does not serve) turned into their names; links to headings stay."""
    text = re.sub(r"<!-- /?generated:\w+ -->\n?", "", markdown)

    def unlink(match):
        label, target = match.groups()
        return f"`docs/{target}`" if label.strip("`") == target else f"{label} (`docs/{target}`)"

    return re.sub(r"\[([^\]]+)\]\((?!#)([^)]+)\)", unlink, text)


@lru_cache(maxsize=2)
def _odd_parts(modified: float) -> tuple[dict, ...]:
    return tuple(docs.sections(for_screen(docs.ODD.read_text(encoding="utf-8"))))


def odd_parts() -> tuple[dict, ...] | None:
    """The ODD cut at its headings (re-read when the file changes); None when the file is not there,
    as in an installation without the repository's docs/ folder."""
    try:
        return _odd_parts(docs.ODD.stat().st_mtime)
    except OSError:
        return None


def contents(parts) -> html.Nav:
    """A table of contents: the ODD's elements and, under each, its subsections."""
    items, current = [], None
    for part in parts:
        link = html.A(part["title"], href=f"#{part['anchor']}")
        if part["level"] == 2:
            current = html.Ul([], className="learn-toc-sub")
            items.append(html.Li([link, current]))
        elif part["level"] == 3 and current is not None:
            current.children.append(html.Li(link))
    for item in items:                      # an element without subsections needs no empty list
        if not item.children[1].children:
            item.children = item.children[:1]
    return html.Nav([html.H4("Contents"), html.Ul(items, className="learn-toc-top")], className="learn-toc")


def model_description() -> html.Section:
    parts = odd_parts()
    if parts is None:
        body = html.P(["The model description is not installed here: it is ", html.Code("docs/ODD.md"),
                       " in the chainsim repository."], className="message")
        return html.Section([html.H2("How the model works"), body], id="model-description", className="learn-odd")
    sections = [html.Section(dcc.Markdown(part["markdown"], className="learn-odd-text"), id=part["anchor"] or None,
                             className="learn-odd-part") for part in parts]
    return html.Section([
        html.H2("How the model works"),
        html.P([("The full model description in the ODD protocol (Grimm et al. 2020): what every agent is and does, "
                 "in what order, and every equation with the function that computes it. The same text is "),
                html.Code("docs/ODD.md"), " in the repository; its parameter tables are generated from the code."],
               className="learn-lead"),
        html.Div([contents(parts), html.Div(sections, className="learn-odd-body")], className="learn-odd-layout"),
    ], id="model-description", className="learn-odd")


# ---------------------------------------------------------------------------- lessons
def lesson_card(number: int, lesson) -> html.Article:
    links = [dcc.Link(f"▶ Open “{lesson.scenario}” on Live", href=live_href(lesson.scenario, lesson.speed),
                      className="learn-open", id={"type": "learn-open", "key": lesson.key})]
    if lesson.compare_with:
        links.append(html.A(f"open “{lesson.compare_with}” in a new tab to compare",
                            href=live_href(lesson.compare_with, lesson.speed), target="_blank",
                            rel="noopener noreferrer", className="learn-compare"))
    links += [dcc.Link(label, href=href, className="learn-also") for label, href in lesson.also]
    return html.Article([
        html.Div(f"Lesson {number}", className="learn-number"),
        html.H3(lesson.title),
        dcc.Markdown(lesson.about, className="learn-about"),
        html.Div(links, className="learn-links"),
        html.H4("What to watch"),
        html.Ul([html.Li(dcc.Markdown(item)) for item in lesson.watch], className="learn-watch"),
        html.H4("Question"),
        html.P(lesson.question, className="learn-question"),
        html.Button("Show the answer", id={"type": "learn-reveal", "key": lesson.key}, n_clicks=0,
                    className="learn-reveal"),
        html.Div([
            dcc.Markdown(lesson.answer, className="learn-answer-text"),
            dcc.Loading(html.Div(id={"type": "learn-evidence", "key": lesson.key}, className="learn-evidence"),
                        type="dot"),
        ], id={"type": "learn-answer", "key": lesson.key}, hidden=True, className="learn-answer"),
    ], id=f"lesson-{lesson.key}", className="learn-lesson")


def layout(**_):
    return html.Div([
        html.Div([
            html.H2("Learn"),
            html.P("Guided lessons for a class. Each opens a scenario on the Live page: press play, watch the charts "
                   "it names, then discuss the question. The answer explains what in the model produces what you saw "
                   "and shows a run of the same scenario with the same seed — the very world on the Live page.",
                   className="learn-lead"),
            html.Div([html.A(f"{i}. {lesson.title}", href=f"#lesson-{lesson.key}") for i, lesson in enumerate(LESSONS, 1)]
                     + [html.A("How the model works", href="#model-description")], className="learn-jump"),
        ], className="learn-intro"),
        html.Div([lesson_card(i, lesson) for i, lesson in enumerate(LESSONS, 1)], className="learn-lessons"),
        model_description(),
    ], className="page learn-page")


@callback(Output({"type": "learn-answer", "key": MATCH}, "hidden"),
          Output({"type": "learn-reveal", "key": MATCH}, "children"),
          Input({"type": "learn-reveal", "key": MATCH}, "n_clicks"), prevent_initial_call=True)
def reveal(clicks):
    """Every other click shows the answer; the text appears at once, the evidence as soon as it is computed."""
    hidden = not (isinstance(clicks, int) and clicks % 2 == 1)
    return hidden, "Show the answer" if hidden else "Hide the answer"


@callback(Output({"type": "learn-evidence", "key": MATCH}, "children"),
          Input({"type": "learn-reveal", "key": MATCH}, "n_clicks"),
          State({"type": "learn-evidence", "key": MATCH}, "children"), prevent_initial_call=True)
def show_evidence(_clicks, shown):
    if shown:                               # computed on the first opening; hiding keeps it
        raise PreventUpdate
    key = ctx.triggered_id.get("key") if isinstance(ctx.triggered_id, dict) else None
    return evidence_block(key)


def evidence_block(key) -> list:
    """The chart and the sentence for a lesson's answer, or a message (an unknown lesson, a broken scenario)."""
    if not isinstance(key, str) or key not in BY_KEY:
        return [html.P(f"There is no lesson {key!r} on this page.", className="message")]
    try:
        figure, sentence = evidence(key)
    except (ScenarioError, ValueError) as exc:
        return [html.P(f"The model could not run this lesson's scenario: {exc}", className="message")]
    return [html.P(sentence, className="learn-in-this-run"),
            dcc.Graph(figure=figure, config={"displaylogo": False, "displayModeBar": False}, className="learn-graph")]

