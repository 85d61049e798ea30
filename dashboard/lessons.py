"""The Learn page's guided lessons, and the evidence behind their answers.

A lesson opens a bundled scenario on the Live page, says what to watch on which
chart, and asks a question. Its answer explains the mechanism in the model's own
terms (the functions and parameters that produce it) and shows what the model
did in a run of the same scenario with the same seed — the very world a student
sees on the Live page — against the baseline where the lesson is about a policy
or a shock. The numbers in an answer are computed from those runs, never typed
in, and ``tests/test_dashboard_learn.py`` checks that what each lesson tells
students to watch really happens.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.figures import learn as figures
from sim.model import ChainModel
from sim.scenario import FAMILIES, MODES, load_scenario


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    scenario: str
    about: str                  # Markdown
    watch: tuple[str, ...]      # Markdown, one item per chart or panel to watch
    question: str
    answer: str                 # Markdown: the mechanism, with the code and parameters behind it
    speed: int = 300            # ms between months on the Live page
    compare_with: str | None = None   # a second tab on this scenario, same seed, for comparison
    also: tuple[tuple[str, str], ...] = field(default=())   # (label, href) on other pages


def live_href(scenario: str, speed: int) -> str:
    """The Live page on a scenario (it honours ?scenario=NAME&speed=MS)."""
    return "/?" + urlencode({"scenario": scenario, "speed": speed})


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        key="chain_forms",
        title="How a chain forms",
        scenario="classroom",
        about=("The classroom world has 220 clients, 30 primes and 60 subcontractors in 26 regions — and not a "
               "single contract at month 0. Every month clients draw new work, invite a shortlist of six vendors "
               "and choose between them and their own teams; primes split the codifiable parts of what they win "
               "into modules for subcontractors."),
        watch=(
            ("**How links are governed**: the first links appear in month 1 — clients' own teams (hierarchy) and "
             "market and modular contracts with primes. The lines keep climbing because contracts last 12–36 months "
             "and new work arrives every month. Relational links come last, only after many months, and stay few."),
            ("**Chain depth and subcontracting**: from month 1 some contracts already have a second tier: primes "
             "split modules off work they have just won. Third tiers follow soon after."),
            ("**What just happened**, months 11–18: providers that won too little *fail* when their cash runs out, "
             "and at month 18 a burst of providers is *closed* by their owners after 18 months of losses."),
        ),
        question=("The world keeps getting busier, yet about half of its providers disappear between months 11 "
                  "and 18. Why, and what does that do to the chains?"),
        answer=(
            "The world starts with more providers than its work can feed. A tender invites only six vendors, drawn "
            "toward capable, reputable firms in attractive regions (`sim.formation.shortlist`), so wins pile up at "
            "the best-placed providers. Every provider pays a core team at its headquarters and a bench cost for "
            "idle staff out of cash worth six months of its wage bill (`evolution.initial_cash_months`). One that "
            "wins little runs out of cash after about a year and **fails**; one that has lost money 18 months in a "
            "row (`evolution.exit_after_loss_months`) is **closed** by its owners — the burst at month 18 is the "
            "providers that never broke even from month 1 (`sim.evolution.advance`).\n\n"
            "Their client contracts fail with them and are re-tendered the next month, without them, and their "
            "subcontractors lose the modules below: the failure ripples down the chain "
            "(`sim.evolution.fail_firms`). Where providers in a region make money, new ones enter, so the number "
            "recovers slowly."
        ),
        speed=300,
    ),
    Lesson(
        key="governance",
        title="Why governance differs by work type",
        scenario="baseline",
        about=("Nothing in the model says which work gets which governance. For every bid the buyer prices each "
               "mode — market, modular, relational, captive — and takes the cheapest; its own team (hierarchy) "
               "competes in the same tender. This lesson runs the full baseline world: 2,700 firms over 60 months."),
        watch=(
            ("**How links are governed**: among contracts with vendors, modular and market links are the most "
             "common. Relational links are rare in the first year and multiply in the second half of the run."),
            "**Where the work is done**: about two thirds of all work stays in clients' own home teams.",
        ),
        question=("Knowledge work — analytics, research and design, legal — is rarely bought as a market "
                  "transaction, while data processing often is. What in the model decides that? And why do "
                  "relational links appear so late?"),
        answer=(
            "A mode's expected cost is its price plus monitoring, plus the expected loss if delivery fails, plus "
            "lock-in, plus coordination (`sim.governance.expected_cost`). What differs between work types is their "
            "*tacit* content, complexity × (1 − codifiability) (`sim.governance.tacit`): 0.04 for data processing, "
            "simple and highly codified; 0.60 for research and design. A market link fails most on tacit work "
            "(failure propensity = tacit + 0.3 × the supplier's weakness), a modular link less (0.6 × tacit + "
            "0.6 × weakness) as long as the supplier is capable (`sim.governance.failure_propensity`). On codified "
            "work the market's low monitoring wins; on tacit work the expected failure loss — 60% of the price "
            "(`governance.failure_loss`) — makes a modular link, or the client's own team, cheaper.\n\n"
            "Relational links carry tacit work best, but only with trust, and trust starts at zero for every new "
            "pair. It grows with each good month (`evolution.trust_rate`) and counts when a contract is renewed "
            "and its mode chosen again (`sim.management._regovern`): relational links appear as relationships age."
        ),
        speed=200,
    ),
    Lesson(
        key="tax_holiday",
        title="What a tax holiday does",
        scenario="philippines_tax_incentive",
        compare_with="baseline",
        about=("From month 13 the Philippines waives all of its corporate tax on export services for four years; "
               "in the baseline it already waives 60%. Open the baseline in a second tab as well: both worlds use "
               "the same random numbers, so they are identical until month 12 and every difference after that is "
               "the holiday's doing."),
        watch=(
            ("**Delivered work by delivery region**: the Philippines is a small host in this world and sits inside "
             "*other*; the holiday does not lift it into the top regions within five years."),
            ("**Map**, *Tax revenue* and *Direct employment*, in both tabs after month 13: the Philippines collects "
             "nothing from its services profits during the holiday, and employs somewhat more people than in the "
             "baseline, a gap that widens year by year."),
        ),
        question=("The holiday removes the whole tax, yet Philippine bids get less than 2% cheaper. Why so "
                  "little — and what does the Philippines get for the tax it gives up?"),
        answer=(
            "Providers price for an after-tax margin: price = cost × (1 + markup / (1 − tax rate)) "
            "(`sim.tax.price_for_after_tax_margin`). The tax touches only the margin, not the wages and overheads "
            "that make up most of the cost. With the starting markup of 20% and the baseline's effective rate of "
            "25% × (1 − 0.6) = 10%, a Philippine bid costs 1.222 × cost; with no tax, 1.200 × cost: 1.8% "
            "cheaper. Price is one criterion of five (20% of the score, `scoring.price`), so the Philippines wins "
            "only a few more tenders at first. The edge compounds: its providers grow and hire, and relocating "
            "primes compare after-tax costs too (`sim.relocation.unit_cost_by_region`). Meanwhile the treasury "
            "collects no tax on those profits for four years."
        ),
        speed=200,
        also=(("Map: tax revenue", "/map?metric=tax_revenue_usd"), ("Map: direct employment", "/map?metric=employment_direct")),
    ),
    Lesson(
        key="ai_automation",
        title="AI automation shock",
        scenario="ai_automation",
        compare_with="baseline",
        about=("At month 13 AI cuts the effort of work in proportion to its automation exposure, by up to half: "
               "data processing (exposure 0.70) and finance and HR processes (0.60) most, research and design "
               "(0.20) least. Open the baseline in a second tab to compare; the two worlds are identical until "
               "month 12."),
        watch=(
            ("**Delivered work by service family**: nothing drops at month 13. From then on the total grows more "
             "slowly than in the baseline tab, business processes (BPO) most of all; by month 60 the gap is large."),
            ("**Map**, *Direct employment*, both tabs at the last month: India, Spain and the Philippines have far "
             "fewer services jobs after the shock; Indonesia has about as many as without it."),
        ),
        question=("The shock hits at month 13, but employment falls only gradually — and some host regions lose "
                  "a third of their jobs while others lose almost none. Why?"),
        answer=(
            "The cut applies to the effort of *new* and *renewed* work (`sim.demand.draw_needs`, "
            "`sim.management.settle_and_review`); a contract already running keeps its staff until its term ends, "
            "12 to 36 months later. So displaced work builds up month by month as contracts come up for renewal.\n\n"
            "Where the jobs go depends on the labour market. In regions whose talent pool was already fully "
            "employed (blue in the chart below) there was more work than people: smaller packages let the same "
            "staff take on more of them, so employment hardly moves. Regions with people left to hire (red) lose "
            "staff as their work shrinks: providers lay off idle staff above their target utilisation "
            "(`sim.evolution._hire`)."
        ),
        speed=200,
        also=(("Map: direct employment", "/map?metric=employment_direct"),),
    ),
    Lesson(
        key="backlash_tax",
        title="A backlash tax on offshoring",
        scenario="us_backlash_tax",
        compare_with="baseline",
        about=("From month 13 US clients pay a 15% levy on the value of new nearshore and offshore contracts. It is "
               "meant to bring work home. Open the baseline in a second tab to compare."),
        watch=(
            ("**Where the work is done**: clients' own home teams end with a larger share than in the baseline tab, "
             "work abroad with a smaller one; onshore vendors stay a sliver in both."),
            "**Map**, *Tax revenue*: the United States collects far more than in the baseline tab.",
        ),
        question="Who gets the work the levy brings home, and who pays for the work that stays abroad?",
        answer=(
            "The levy adds 15% of the price to every nearshore and offshore bid (`sim.market.tender`), and a client "
            "compares that with all its options, its own teams included (`sim.make_or_buy.add_own_options`). US "
            "vendors pay US wages — about six times India's for a developer — so a 15% levy on their rivals hardly "
            "ever makes them the best bid: the work that comes home goes to clients' own teams. Most work stays "
            "abroad, and US clients pay the levy on it; it is collected as US tax revenue (`sim.delivery.deliver`)."
        ),
        speed=200,
        also=(("Map: tax revenue", "/map?metric=tax_revenue_usd"),),
    ),
)
BY_KEY = {lesson.key: lesson for lesson in LESSONS}


# ---------------------------------------------------------------------------- the runs behind the answers
@dataclass(frozen=True)
class LessonRun:
    """What the answers need from a finished run: its metrics, events, client contracts and labour markets."""

    scenario: str
    metrics: pd.DataFrame
    events: pd.DataFrame
    contracts: pd.DataFrame      # every client contract signed: work_type, family, mode
    tightness: pd.Series         # employed / talent pool by region at the end


def contracts_of(model: ChainModel) -> pd.DataFrame:
    """Every client contract (tier 1) signed in the run, own teams included, by work type, family and mode."""
    L = model.links
    rows = np.flatnonzero(L.tier == 1)
    return pd.DataFrame({
        "work_type": np.array(model.catalogue.names, dtype=object)[L.work_type[rows]],
        "family": np.array(FAMILIES, dtype=object)[L.family[rows].astype(np.int64)],
        "mode": np.array(MODES, dtype=object)[L.mode[rows].astype(np.int64)],
    })


_RUN_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _run(scenario: str) -> LessonRun:
    model = ChainModel(load_scenario(scenario)).run()
    r = model.regions
    return LessonRun(scenario, model.metrics(), model.events(), contracts_of(model),
                     pd.Series(r.employed / np.maximum(r.talent_pool, 1e-9), index=model.region_ids))


def run_of(scenario: str) -> LessonRun:
    """A finished run of a bundled scenario with its own seed — the world the Live page shows —
    computed once per server (one at a time: two tabs asking at once share the work)."""
    with _RUN_LOCK:
        return _run(scenario)


# ---------------------------------------------------------------------------- evidence: a figure and a sentence
def _change(x: float) -> str:
    """A relative change for a sentence: +16%, −35%, or ±0% when it rounds to nothing."""
    return "±0%" if abs(x) < 0.005 else f"{x:+.0%}".replace("-", "−")


def _chain_forms() -> tuple[go.Figure, str]:
    run = run_of("classroom")
    alive = run.metrics[run.metrics.metric == "firms_alive"].set_index("step").value
    early, late = alive[alive.index <= 12], alive[(alive.index > 12) & (alive.index <= 24)]
    kinds = run.events.kind.value_counts()
    text = (f"In this run {int(early.max())} providers are alive at the peak (month {int(early.idxmax())}) and "
            f"{int(late.min())} at the low (month {int(late.idxmin())}), {1 - late.min() / early.max():.0%} fewer. Over "
            f"{int(alive.index.max())} months {int(kinds.get('failed', 0))} providers ran out of cash, "
            f"{int(kinds.get('exited', 0))} were closed by their owners after sustained losses, and "
            f"{int(kinds.get('entered', 0))} entered.")
    return figures.providers_over_time(run.metrics), text


def market_share(contracts: pd.DataFrame, family: str | None = None, work_type: str | None = None,
                 outsourced_only: bool = True) -> float:
    """Share of client contracts (of a family or work type) governed as market links."""
    rows = contracts
    if family:
        rows = rows[rows.family == family]
    if work_type:
        rows = rows[rows.work_type == work_type]
    if outsourced_only:
        rows = rows[rows["mode"] != "hierarchy"]
    return float((rows["mode"] == "market").mean()) if len(rows) else 0.0


def _governance() -> tuple[go.Figure, str]:
    run = run_of("baseline")
    c = run.contracts
    kpo = c[c.family == "KPO"]
    text = (f"In this run, of the client contracts that went to a vendor, market links carried "
            f"{market_share(c, work_type='it_data_processing'):.0%} of data processing but "
            f"{market_share(c, family='KPO'):.0%} of knowledge work; clients kept "
            f"{(kpo['mode'] == 'hierarchy').mean():.0%} of knowledge-work contracts in their own teams.")
    return figures.governance_by_work_type(c), text


def _at_end(metrics: pd.DataFrame, metric: str, region: str) -> float:
    last = int(metrics.step.max())
    rows = metrics[(metrics.metric == metric) & (metrics.region == region) & (metrics.step == last)]
    return float(rows.value.sum())


def _from_month(metrics: pd.DataFrame, metric: str, region: str, month: int) -> float:
    rows = metrics[(metrics.metric == metric) & (metrics.region == region) & (metrics.step >= month)]
    return float(rows.value.sum())


def _tax_holiday() -> tuple[go.Figure, str]:
    base, holiday = run_of("baseline"), run_of("philippines_tax_incentive")
    jobs_b, jobs_h = (_at_end(r.metrics, "employment_direct", "PHL") for r in (base, holiday))
    tax_b, tax_h = (_from_month(r.metrics, "tax_revenue_usd", "PHL", 13) for r in (base, holiday))
    last = int(base.metrics.step.max())
    extra = jobs_h - jobs_b
    per_job = f" — {(tax_b - tax_h) / extra:,.0f} USD of tax forgone per extra job" if extra > 0 else ""
    text = (f"In this run the Philippines employs {jobs_h:,.0f} people in services at month {last} with the holiday "
            f"and {jobs_b:,.0f} without ({_change(jobs_h / max(jobs_b, 1e-9) - 1)}). From month 13 it collects "
            f"{tax_h:,.0f} USD of tax on services profits, against {tax_b:,.0f} USD without the holiday{per_job}.")
    return figures.region_against_baseline(base.metrics, holiday.metrics, "PHL", "tax holiday"), text


def full_regions(run: LessonRun, threshold: float = 0.95) -> set[str]:
    """Regions whose talent pool is (nearly) fully employed at the end of a run."""
    return set(run.tightness[run.tightness >= threshold].index)


def employment_change_at_end(base: LessonRun, other: LessonRun) -> pd.Series:
    """Relative change of direct employment in the last month, by region (regions with any employment)."""
    last = int(base.metrics.step.max())
    b, o = (figures.employment_at(r.metrics, last) for r in (base, other))
    b = b[b > 0]
    return (o.reindex(b.index).fillna(0.0) / b - 1.0).sort_values()


def _ai_automation() -> tuple[go.Figure, str]:
    base, shock = run_of("baseline"), run_of("ai_automation")
    displaced = shock.metrics[shock.metrics.metric == "displaced_fte"].set_index("step").value
    change = employment_change_at_end(base, shock)
    big = base.metrics[(base.metrics.metric == "employment_direct") & (base.metrics.step == base.metrics.step.max())]
    big = set(big.sort_values("value", ascending=False).region[:12])
    full = full_regions(base)
    losers = [r for r in change.index if r in big and r not in full][:3]
    kept = [r for r in change.index[::-1] if r in big and r in full]
    last = int(displaced.index.max())
    text = (f"In this run the shock displaces {displaced.get(13, 0.0):,.0f} FTE in month 13, "
            f"{displaced.get(min(24, last), 0.0):,.0f} by month {min(24, last)} and {displaced.iloc[-1]:,.0f} by "
            f"month {last}. Of the largest hosts, " + ", ".join(f"{r} {_change(change[r])}" for r in losers)
            + " lose most" + (("; those with a full talent pool change little: "
                               + ", ".join(f"{r} {_change(change[r])}" for r in kept)) if kept else "") + ".")
    fig = figures.employment_change(base.metrics, shock.metrics, full)
    return fig, text


def _backlash_tax() -> tuple[go.Figure, str]:
    base, levy = run_of("baseline"), run_of("us_backlash_tax")
    sb, sl = figures.location_shares(base.metrics), figures.location_shares(levy.metrics)
    tax_b, tax_l = (_from_month(r.metrics, "tax_revenue_usd", "USA", 13) / max(int(r.metrics.step.max()) - 12, 1)
                    for r in (base, levy))
    text = (f"In this run, over the last year, clients' own home teams do {sl['inhouse']:.1%} of all work with the levy "
            f"and {sb['inhouse']:.1%} without; onshore vendors {sl['onshore']:.1%} and {sb['onshore']:.1%}; work "
            f"abroad {sl['abroad']:.1%} and {sb['abroad']:.1%}. From month 13 the United States collects "
            f"{tax_l:,.0f} USD a month on average, against {tax_b:,.0f} USD without the levy.")
    return figures.sourcing_against_baseline(base.metrics, levy.metrics, "USA", "backlash levy"), text


EVIDENCE = {"chain_forms": _chain_forms, "governance": _governance, "tax_holiday": _tax_holiday,
            "ai_automation": _ai_automation, "backlash_tax": _backlash_tax}


def evidence(key: str) -> tuple[go.Figure, str]:
    """The chart and the sentence that show a lesson's answer in the model (KeyError for an unknown lesson)."""
    if key not in EVIDENCE:
        raise KeyError(key)
    return EVIDENCE[key]()
