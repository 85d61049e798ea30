"""The four agent kinds: thin Mesa agents whose hot state lives in the model's tables.

Each agent knows its ``row``; its properties read (and its rare decisions
write) the column arrays that the monthly market updates for all agents at
once. Use them to inspect one firm or region, in notebooks, tests and the
dashboard's firm cards.
"""

from __future__ import annotations

import itertools
import weakref

import mesa
import numpy as np

from .scenario import FAMILIES


class _IdCounters(weakref.WeakKeyDictionary):
    """Mesa's per-model unique-id counters, held weakly.

    Mesa 3.3 keeps them in a class-level ``defaultdict`` keyed by the model
    (``mesa.Agent._ids``), so every model ever built stays in memory
    (mesa/mesa#3179, unreleased fix). The dashboard builds a model per tab and
    per reset, and a serial sweep one per run: with strong keys they pile up.
    """

    def __getitem__(self, model):
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


class ChainAgent(mesa.Agent):
    """Base of chainsim's agents: Mesa's agent with id counters that let finished models go."""

    _ids = _IdCounters()


class Region(ChainAgent):
    """A host region: wages by skill band, talent pool, skill, tax, risk, data regime."""

    def __init__(self, model, row: int, region_id: str, name: str):
        super().__init__(model)
        self.row, self.region_id, self.name = int(row), region_id, name

    def _col(self, name):
        return getattr(self.model.regions, name)[self.row]

    wage = property(lambda self: self._col("wage").copy(), doc="USD per FTE-month: contact centre, developer, knowledge")
    talent_pool = property(lambda self: float(self._col("talent_pool")))
    employed = property(lambda self: float(self._col("employed")))
    skill = property(lambda self: float(self._col("skill")))
    tax_rate = property(lambda self: float(self._col("tax_rate")))
    tax_incentive = property(lambda self: float(self._col("tax_incentive")))
    risk = property(lambda self: float(self._col("risk")))

    def __repr__(self):
        return f"Region({self.region_id})"


class Firm(ChainAgent):
    """Shared view of a firm row (clients and providers)."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = int(row)

    def _col(self, name):
        return getattr(self.model.firms, name)[self.row]

    alive = property(lambda self: bool(self._col("alive")))
    cash = property(lambda self: float(self._col("cash")))
    home = property(lambda self: self.model.region_ids[int(self._col("home"))])
    reputation = property(lambda self: float(self._col("reputation")))

    @property
    def capability(self) -> dict:
        return dict(zip(FAMILIES, map(float, self._col("capability"))))

    def links(self, role: str = "any", active_only: bool = True):
        """Row ids of this firm's links as buyer, supplier or either."""
        L = self.model.links
        rows = self.model.active_links if active_only else np.arange(L.n)
        mask = np.zeros(rows.size, dtype=bool)
        if role in ("any", "buyer"):
            mask |= L.buyer[rows] == self.row
        if role in ("any", "supplier"):
            mask |= L.supplier[rows] == self.row
        return rows[mask]

    def centres(self):
        c = self.model.centres
        return np.flatnonzero((c.firm == self.row) & c.alive)

    def __repr__(self):
        return f"{type(self).__name__}(row={self.row}, home={self.home})"


class Client(Firm):
    """An end client (发包方): draws needs, decides make-or-buy, tenders, reviews, renews or switches."""

    vendor_count = property(lambda self: int(np.unique(self.model.links.supplier[self.links("buyer")]).size))
    industry = property(lambda self: self.model.industries[int(self._col("industry"))])


class PrimeProvider(Firm):
    """A prime provider (外包服务总提供商): bids, delivers in its centres, subcontracts modules."""

    markup = property(lambda self: float(self._col("markup")))


class Subcontractor(Firm):
    """A tier-2/3 provider: bids for primes' modules, may pass work on again."""

    markup = property(lambda self: float(self._col("markup")))


AGENT_CLASS = {0: Client, 1: PrimeProvider, 2: Subcontractor}
