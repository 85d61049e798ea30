"""ChainModel: global service-outsourcing chains as a Mesa model.

Clients in their home regions need IT, business-process and knowledge work;
they decide to do it in-house, in their own captive centres abroad, or to
outsource it. Prime providers bid from delivery centres around the world and
split codifiable work into modules for subcontractors, who may pass it on
again. Host regions supply labour at a wage, tax the profit booked there and
set the rules data must follow. Each link of the chain is governed in the
mode its parties find cheapest; chains form, are reviewed, fail and re-form.

One ``step`` is one month, in the order of the design (DESIGN §3). The hot
state lives in column tables (``regions``, ``firms``, ``centres``,
``links``); the agents are thin views on their rows.
"""

from __future__ import annotations

import mesa
import numpy as np

from . import (
    delivery,
    demand,
    evolution,
    labour,
    management,
    subcontracting,
    upgrading,
    workforce,
)
from .agents import AGENT_CLASS, Region
from .catalogue import load_catalogue
from .contracts import sign
from .geography import Geography
from .market import tender
from .metrics import Recorder
from .network import chain_graph
from .rng import Streams
from .scenario import Scenario, load_scenario
from .timeline import Timeline
from .trust import TrustBook
from .world import (
    ACTIVE,
    PRIME,
    centre_table,
    extend_firm_index,
    firm_table,
    host_attractiveness,
    link_table,
    populate,
    region_table,
)


class ChainModel(mesa.Model):
    """A world of clients, prime providers, subcontractors and host regions.

    Args:
        scenario: a validated ``Scenario``, a bundled scenario name or a TOML path.
        seed: drives all randomness (default: the scenario's ``world.seed``).
        overrides: dotted-key overrides applied when ``scenario`` is a name or path.
    """

    def __init__(self, scenario: Scenario | str = "baseline", seed: int | None = None, overrides: dict | None = None):
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario, overrides)
        scenario = scenario.model_copy(deep=True)  # events change parameters; the caller's copy stays as it was
        seed = int(scenario.world.seed if seed is None else seed)
        super().__init__(seed=seed)
        self.scenario, self.seed = scenario, seed
        self.streams = Streams(seed)
        self.catalogue = load_catalogue(scenario)
        self.regions, self.region_data = region_table(scenario)
        self.region_ids = list(self.region_data["region_id"])
        self.geography = Geography(self.regions)
        w = scenario.world
        n_firms = w.clients + w.primes + w.subcontractors
        self.firms = firm_table(n_firms + 64)
        self.centres = centre_table(n_firms * 2 + 64)
        # links are kept after they end (about 12 per client by month 60 in the baseline): reserve for
        # the run, so the table is not regrown and copied column by column halfway through it
        self.links = link_table(max(1024, w.clients * (4 + w.months // 4)))
        self.trust = TrustBook()
        self.automation_factor = np.ones(len(self.catalogue))
        self.industries = list(scenario.demand.industry_shares)
        self.industry_sensitivity = np.array([scenario.demand.industry_sensitivity.get(i, 0.0) for i in self.industries])
        self.active_links = np.zeros(0, dtype=np.int64)
        self._links_ended = 0      # calls of ``contracts.end_links`` that ended a link (``refresh_active``)
        self._active_seen = None   # (table length, ends) at the last ``refresh_active``
        self._active_modules = None  # ``contracts.kept_active`` lists (active module links; outsourced
        self._outsourced_contracts = None  # client contracts), each with the table length it has seen
        self._term_ends = None  # ``management._ending``: client contracts filed by the month their term ends
        self.split_next = np.zeros(0, dtype=np.int64)  # module links to split further next month
        self.relocation_plans = {"source": np.zeros(0, dtype=np.int64), "region": np.zeros(0, dtype=np.int64),
                                 "fte": np.zeros(0), "ready": np.zeros(0, dtype=np.int64),
                                 "captive": np.zeros(0, dtype=bool)}
        self.pending = demand.empty_packages()
        self.last_settle = None  # centres' capacity (and a parameter) at the last ``workforce.settle``
        self.refresh_space()
        populate(self)
        upgrading.mark_starting_levels(self, np.flatnonzero(self.firms.kind != 0))

        Region.create_agents(self, len(self.regions), row=np.arange(len(self.regions)),
                             region_id=self.region_ids, name=self.region_data["name"])
        self.firm_agents: dict[int, mesa.Agent] = {}
        for kind, cls in AGENT_CLASS.items():
            rows = np.flatnonzero(self.firms.kind == kind)
            for agent in cls.create_agents(self, rows.size, row=rows):
                self.firm_agents[agent.row] = agent

        self.timeline = Timeline(self)
        self.recorder = Recorder(self)
        self.running = True

    # ------------------------------------------------------------------ the month
    @property
    def month(self) -> int:
        return self.steps

    def step(self) -> None:
        self.timeline.apply(self.month)                          # 1 policy events and shocks
        labour.update_labour_markets(self)                       # 2 wages, talent pools, clusters
        self.refresh_space()
        self.refresh_active()
        reviewed = management.settle_and_review(self)            # 3 ends, quarterly reviews, switching
        needs = demand.concat(demand.draw_needs(self), demand.concat(self.pending, reviewed["retender"]))
        awarded = self.tender(needs)                             # 4 make-or-buy, bids, scoring, award
        subcontracting.subcontract(self, np.concatenate([awarded, reviewed["renewed"]]))  # 5 modules
        self.refresh_active()
        delivered = delivery.deliver(self)                       # 6 quality, SLA, incidents, money, tax
        evolved = evolution.advance(self, delivered)             # 7 learning, markups, hiring, exit, entry
        self.pending = evolved["retender"] or demand.empty_packages()
        self.recorder.collect(delivered, evolved, self._insourced)  # 8 tidy metrics
        self._log_events(reviewed, evolved)
        self.last_delivery = delivered
        if self.month >= self.scenario.world.months:
            self.running = False

    def tender(self, needs: dict) -> np.ndarray:
        bids, choice = tender(self, needs, PRIME, self.streams.shortlist, self.streams.governance)
        rows = sign(self, needs, bids, choice)
        L = self.links
        insourced = rows[L.own[rows] & L.was_outsourced[rows]]
        self._insourced = float(L.fte[insourced].sum())
        self._insourced_rows = insourced
        prev = L.previous_supplier[rows]
        self._switched_rows = rows[~L.own[rows] & (prev >= 0) & (L.supplier[rows] != prev)]
        return rows

    def _log_events(self, reviewed, evolved) -> None:
        log, L, c = self.recorder.log, self.links, self.centres
        log("entered", evolved["entered"])
        failed = evolved["failed"]
        log("failed", failed, detail="ran out of cash; its contracts fail and are re-tendered")
        log("exited", np.setdiff1d(evolved["exited"], failed), detail="owners closed it after sustained losses")
        log("upgraded", evolved["upgraded"], detail="functional (subcontractor to prime)")
        for detail, firms in evolved["upgrades"]:
            log("upgraded", firms, detail=detail)
        moved = evolved["relocated"]
        log("relocated", c.firm[moved], region=c.region[moved], detail="moved capacity")
        ins = self._insourced_rows
        log("insourced", L.client[ins], family=L.family[ins].astype(np.int64), detail="work brought in-house")
        sw = self._switched_rows
        log("switched", L.client[sw], family=L.family[sw].astype(np.int64), detail="moved to another vendor")

    # ------------------------------------------------------------------ helpers
    def refresh_active(self) -> None:
        """``active_links``: the rows of the links whose status is active, in row order.

        A link stops being active only in ``contracts.end_links`` (which counts its calls that end
        any, in ``_links_ended``), and links are only appended, active. So when no call ended a
        link since the last refresh the set is the same, plus the rows appended since (a copy
        instead of a scan of the ~90k-row status column): the first refresh of a month (nothing
        ends between the last one of the month before and it) and the one after the tenders
        (links are only signed in between) cost next to nothing."""
        L = self.links
        ended = getattr(self, "_links_ended", 0)
        seen = getattr(self, "_active_seen", None)   # (table length, ends) at the last refresh
        if (seen is not None and seen[1] == ended and seen[0] <= L.n
                and (L.status[seen[0]:] == ACTIVE).all()):
            if seen[0] < L.n:
                self.active_links = np.concatenate([self.active_links, np.arange(seen[0], L.n)])
        else:
            self.active_links = np.flatnonzero(L.status == ACTIVE)
        self._active_seen = (L.n, ended)

    def refresh_space(self) -> None:
        """Region-pair attractiveness and family fit, from this month's wages and rules."""
        self.attractiveness = host_attractiveness(self)
        r = self.regions
        # providers can hire beyond their staff on award only where the talent pool has people left
        self.labour_slack = (r.employed < r.talent_pool).astype(float)
        self.family_fit = np.stack([
            0.4 + 0.6 * r.skill,                       # ITO: technical skill
            0.4 + 0.6 * r.english,                     # BPO: language for front and back office
            0.2 + 0.8 * r.skill ** 2,                  # KPO: the deepest skill
        ])

    def add_providers(self, kind: int, home: np.ndarray) -> np.ndarray:
        """New providers (entry): one centre each in their home region, sized like their peers there."""
        return self.open_providers([self.draw_providers(kind, home)])

    def draw_providers(self, kind: int, home: np.ndarray) -> dict:
        """The columns of new providers of one kind (``add_providers``), drawn but not yet added."""
        f, c, s = self.firms, self.centres, self.scenario
        rng = self.streams.evolution
        n = home.size
        # headquarters (one in ~4 centres) first, then their firms: the same peers in the same order
        hq = np.flatnonzero(c.hq)
        firm = c.firm.take(hq)
        peers = hq.take(np.flatnonzero(c.alive.take(hq) & (f.kind.take(firm) == kind) & f.alive.take(firm)))
        typical = np.median(c.capacity.take(peers), overwrite_input=True) if peers.size else 20.0
        cap = np.maximum(typical * rng.lognormal(-0.2, 0.5, n), s.evolution.core_team_fte)
        wage_bill = cap * self.regions.wage[home, 1]
        low, high = (0.4, 0.8) if kind == PRIME else (0.2, 0.6)
        return {"kind": np.full(n, kind, dtype=f.kind.dtype), "home": home, "capacity": cap,
                "cash": wage_bill * s.evolution.initial_cash_months,
                "security": rng.uniform(low + 0.1, high + 0.2, n), "capability": rng.uniform(low, high, (n, 3)),
                "team_stability": rng.uniform(0.6, 0.9, n)}

    def open_providers(self, drawn: list[dict]) -> np.ndarray:
        """Add the providers of ``draw_providers`` batches, in their order; returns their firm rows.

        Entry draws both kinds first and adds them in one go: neither kind's draws read the
        other's new rows (its peers and its counts are of its own kind), and each new firm's
        rows, staff and agent are its own, so one append of each table, one settle of the new
        staff and one pass of the firm index give what a call per kind gives."""
        f, c, s = self.firms, self.centres, self.scenario
        d = drawn[0] if len(drawn) == 1 else {k: np.concatenate([b[k] for b in drawn]) for k in drawn[0]}
        n, home, cap = d["home"].size, d["home"], d["capacity"]
        rows = f.append(
            n, kind=d["kind"], home=home, alive=True, size=1.0, cash=d["cash"],
            reputation=0.5, markup=s.cost.initial_markup, security=d["security"],
            capability=d["capability"], team_stability=d["team_stability"],
            entered=self.month, exited=-1, win_rate=0.3,
        )
        centres = c.append(n, firm=rows, region=home, capacity=cap, alive=True, own=False, opened=self.month,
                           experience=0.1, hq=True)
        workforce.hired(self, centres, cap)   # a new firm's staff are all new
        upgrading.mark_starting_levels(self, rows)
        extend_firm_index(self)
        # one by one, as ``create_agents`` would (the same ids in the same order), without the
        # argument wrappers and the ``AgentSet`` it builds and this throws away
        for row, kind in zip(rows.tolist(), d["kind"].tolist()):
            self.firm_agents[row] = AGENT_CLASS[kind](self, row)
        return rows

    def replace_agents(self, rows: np.ndarray) -> None:
        """A firm's kind changed (upgrading): swap its agent for one of the new class, same row."""
        for row in np.asarray(rows).tolist():
            old = self.firm_agents.pop(row, None)
            if old is not None:
                old.remove()
            cls = AGENT_CLASS[int(self.firms.kind[row])]
            self.firm_agents[row] = cls(self, row)

    def on_exit(self, firms: np.ndarray) -> None:
        for row in np.asarray(firms).tolist():
            agent = self.firm_agents.pop(row, None)
            if agent is not None:
                agent.remove()

    # ------------------------------------------------------------------ outputs
    def metrics(self):
        """Tidy metrics: step, metric, region, family, mode, location, value."""
        return self.recorder.frame()

    def events(self):
        """Firm-level events: step, kind, firm, region, family, detail."""
        return self.recorder.events_frame()

    def chain_graph(self):
        return chain_graph(self)

    def run(self, months: int | None = None, progress=None) -> ChainModel:
        months = self.scenario.world.months if months is None else months
        for _ in range(months):
            self.step()
            if progress is not None:
                progress()
        return self
