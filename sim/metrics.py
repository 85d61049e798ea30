"""What the model measures each month, as tidy rows.

One row per (step, metric, region, family, mode, location) with a value;
dimension columns are empty where they do not apply. Rows are gathered as
small arrays each step (bincount over links) and become a pandas frame only
when asked for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .geography import INHOUSE, NEARSHORE, OFFSHORE
from .scenario import FAMILIES, LOCATIONS, MODES
from .tables import row_mean
from .world import CLIENT, team_productivity

METRICS = (
    "delivered_fte", "delivered_value_usd", "employment_direct", "employment_indirect", "mean_wage_usd",
    "tax_revenue_usd", "active_links", "link_value_usd", "chain_depth_mean", "subcontracted_share",
    "client_savings_share", "sla_compliance", "data_incidents", "hhi_primes", "firms_entered", "firms_exited",
    "upgrades", "relocations", "insourced_fte", "firms_alive",
    "attrition", "productivity", "displaced_fte",
    "competitiveness", "competitiveness_groundings", "competitiveness_enterprises", "competitiveness_markets",
)
NONE = -1
METRIC_INDEX = {name: i for i, name in enumerate(METRICS)}


def scorecard(model, exported_fte, export_region) -> dict:
    """Region competitiveness in the spirit of seed 002's C-GEM model, each part 0-1:
    groundings (infrastructure, skill, English, stability), enterprises (providers
    present and their track record) and markets (share of the work done for clients
    abroad, and how attractive the region looks from where demand comes from)."""
    r, c, f, s = model.regions, model.centres, model.firms, model.scenario
    R = len(r)
    groundings = (r.infrastructure + r.skill + r.english + (1.0 - r.risk)) / 4.0
    provider = np.flatnonzero(c.alive & ~c.own)   # positions: one mask pass instead of three
    region = c.region.take(provider)
    present = np.bincount(region, minlength=R).astype(float)
    rep = np.bincount(region, f.reputation.take(c.firm.take(provider)), R) / np.maximum(present, 1)
    enterprises = (present / max(present.max(), 1.0) + rep) / 2.0
    value = np.bincount(export_region, exported_fte, R)
    share = value / value.max() if value.max() > 0 else np.zeros(R)
    homes = np.array([s.demand.home_shares.get(rid, 0.0) for rid in model.region_ids])
    homes = homes / homes.sum() if homes.sum() > 0 else np.full(R, 1.0 / R)
    access = homes @ model.attractiveness
    markets = (share + access / max(access.max(), 1e-12)) / 2.0
    return {
        "competitiveness": (groundings + enterprises + markets) / 3.0,
        "competitiveness_groundings": groundings,
        "competitiveness_enterprises": enterprises,
        "competitiveness_markets": markets,
    }


class Recorder:
    def __init__(self, model):
        self.model = model
        self.chunks: list[np.ndarray] = []
        self.events: list[dict] = []

    def _add(self, step, values: dict, region=NONE, family=NONE, mode=NONE, location=NONE):
        """Rows of one or more metrics (``values``: name → value) that share their dimensions: all
        scalars, or all arrays of one length n. One chunk of k × n rows, metric by metric in the
        dict's order (the same rows as k separate chunks, for a third of the small numpy calls)."""
        k = len(values)
        value = np.asarray(list(values.values()), dtype=float).reshape(k, -1)
        chunk = np.empty((k, value.shape[1], 7))
        chunk[:, :, 0] = step
        chunk[:, :, 1] = [[METRIC_INDEX[metric]] for metric in values]
        chunk[:, :, 2] = region      # scalars and arrays of length n both broadcast on assignment
        chunk[:, :, 3] = family
        chunk[:, :, 4] = mode
        chunk[:, :, 5] = location
        chunk[:, :, 6] = value
        self.chunks.append(chunk.reshape(-1, 7))

    def collect(self, delivered: dict, evolved: dict, insourced_fte: float) -> None:
        m, L, f, c, r = self.model, self.model.links, self.model.firms, self.model.centres, self.model.regions
        step = m.month
        R, NF, NL = len(r), len(FAMILIES), len(LOCATIONS)
        act = delivered["links"]
        v = delivered["view"]
        reg, fam, own, self_fte = v["region"], v["family"], v["own"], v["self_fte"]
        payment, staff_cost = delivered["payment"], delivered["staff_cost"]
        loc = L.location.take(act).astype(np.int64)
        # value added at each link = what it earned less what it passed on to its modules
        # (a module's parent is active while it is: find parents by their position in act, through a
        # map from rows to positions, a third of the time of a binary search per module)
        # (positions in act from delivery: index gathers beat boolean masks with a random 0/1 pattern)
        child = v["module"]
        at_child = v["at_module"]
        position = np.empty(L.n, dtype=np.int64)
        position[act] = np.arange(act.size)
        passed_on = np.bincount(position.take(v["parent"].take(at_child)), payment.take(at_child), act.size)
        # an own team's value is its staff cost: written at the own links' positions, as ``np.where``
        # on the random own/outsourced pattern mispredicts its branch (three times as slow)
        at_own = np.flatnonzero(own)
        staff_own = staff_cost.take(at_own)
        value = payment - passed_on
        value[at_own] = staff_own
        cell = reg * NF   # (reg × NF + fam) × NL + loc, in place (one array instead of four)
        cell += fam
        cell *= NL
        cell += loc
        size = R * NF * NL
        fte = np.bincount(cell, self_fte, size)
        val = np.bincount(cell, value, size)
        nz = np.flatnonzero((fte > 0) | (val != 0))
        reg_i, rest = np.divmod(nz, NF * NL)
        fam_i, loc_i = np.divmod(rest, NL)
        self._add(step, {"delivered_fte": fte[nz], "delivered_value_usd": val[nz]}, reg_i, fam_i, NONE, loc_i)

        regions = np.arange(R)
        captive = c.own & np.isfinite(c.capacity) & c.alive
        direct = r.employed + np.bincount(c.region[captive], c.capacity[captive], R)
        wage_fte = np.bincount(reg, delivered["wage"] * self_fte, R)
        fte_r = np.bincount(reg, self_fte, R)
        self._add(step, {
            "employment_direct": direct,
            "employment_indirect": direct * m.scenario.delivery.indirect_multiplier,
            "mean_wage_usd": np.where(fte_r > 0, wage_fte / np.maximum(fte_r, 1e-12), r.wage[:, 1]),
            "tax_revenue_usd": r.tax_revenue,
        }, regions)

        modes = np.arange(len(MODES))
        mode = L.mode.take(act)
        price = v["price"]   # gathered by delivery; prices of links already active do not change within a month
        link_value = price.copy()
        link_value[at_own] = staff_own   # = np.where(own, staff_cost, price)
        self._add(step, {
            # counted mode by mode: a ``bincount`` into 5 bins waits on the same few counters all along
            "active_links": [np.count_nonzero(mode == k) for k in range(len(MODES))],
            "link_value_usd": np.bincount(mode, link_value, len(MODES)),
        }, NONE, NONE, modes)

        at_top = np.flatnonzero(~child & ~own)   # outsourced client contracts
        out1 = act.take(at_top)
        self._add(step, {
            "chain_depth_mean": L.depth.take(out1).mean() if out1.size else 0.0,
            "subcontracted_share": v["fte"].take(at_child).sum() / v["fte"].take(at_top).sum() if out1.size else 0.0,
        })

        # savings against doing the same work in-house at home, per family (tier-1 work only)
        t1 = ~child & (loc != INHOUSE)  # work that left the client's home team
        at_t1 = np.flatnonzero(t1)
        fam_t1 = fam.take(at_t1)
        # what the client spent, element by element at the tier-1 positions only (about 40% of the links)
        actual = payment.take(at_t1) + np.where(own.take(at_t1), staff_cost.take(at_t1), 0.0) + delivered["buyer_cost"].take(at_t1)
        spent = np.bincount(fam_t1, actual, NF)
        baseline = np.bincount(fam_t1, v["inhouse_month"].take(at_t1), NF)
        self._add(step, {"client_savings_share": np.where(baseline > 0, 1.0 - spent / np.maximum(baseline, 1e-12), 0.0)}, NONE, np.arange(NF))

        # the share of outsourced links in breach, counted (the same float as the mean of the 0/1 flags);
        # delivery flags breaches and incidents on outsourced links only
        n_outsourced = v["at_outsourced"].size
        breached = np.count_nonzero(delivered["breach"])
        prime_value = np.bincount(v["supplier"].take(at_top), price.take(at_top), f.n)
        total = prime_value.sum()
        self._add(step, {
            "sla_compliance": 1.0 - breached / n_outsourced if n_outsourced else 1.0,
            "data_incidents": float(np.count_nonzero(delivered["incident"])),  # = the flags' sum
            "hhi_primes": float(((prime_value / total) ** 2).sum()) if total > 0 else 0.0,
            "firms_entered": float(evolved["entered"].size),
            "firms_exited": float(evolved["exited"].size),
            "upgrades": float(evolved["upgraded"].size + sum(firms.size for _, firms in evolved["upgrades"])),
            "relocations": float(evolved["relocated"].size),
            "insourced_fte": insourced_fte,
            "firms_alive": float(np.count_nonzero((f.kind != CLIENT) & f.alive)),
        })

        # workforce: staff-weighted attrition and productivity of provider centres by region
        # (over the providers' rows only, about one centre in ten: the others weigh 0.0, and leaving
        # zero terms out of a ``bincount`` keeps every sum the same)
        provider = np.flatnonzero(c.alive & ~c.own & np.isfinite(c.capacity) & (c.capacity > 0))
        region = c.region.take(provider)
        weight = c.capacity.take(provider)
        staff = np.bincount(region, weight, R)
        attr = np.bincount(region, weight * c.attrition.take(provider), R) / np.maximum(staff, 1e-12)
        prod = team_productivity(r.infrastructure.take(region), row_mean(c.experience.take(provider, axis=0))) * (1.0 - c.ramp_loss.take(provider))
        prod_r = np.bincount(region, weight * prod, R) / np.maximum(staff, 1e-12)
        self._add(step, {"attrition": np.where(staff > 0, attr, 0.0), "productivity": np.where(staff > 0, prod_r, 0.0)}, regions)
        # FTE the work in hand would need without AI automation, less what it needs with it
        a = np.maximum(L.automation.take(act), 1e-9)
        self._add(step, {"displaced_fte": float((v["fte"] * (1.0 - a) / a).take(v["at_top"]).sum())})
        exported = (loc_i == NEARSHORE) | (loc_i == OFFSHORE)  # a host's market: work it does for clients abroad
        self._add(step, scorecard(m, fte[nz][exported], reg_i[exported]), regions)

    def log(self, kind: str, firms, region=None, family=None, detail: str = "") -> None:
        """Record firm-level events (entered, exited, upgraded, relocated, switched, insourced)."""
        firms = np.asarray(firms, dtype=np.int64)
        if firms.size == 0:
            return
        f = self.model.firms
        region = f.home[firms] if region is None else np.broadcast_to(region, firms.shape)
        family = np.full(firms.shape, -1) if family is None else np.broadcast_to(family, firms.shape)
        self.events.append({"step": self.model.month, "kind": kind, "firm": firms.copy(),
                            "region": np.asarray(region).copy(), "family": np.asarray(family).copy(), "detail": detail})

    def events_frame(self, last: int | None = None) -> pd.DataFrame:
        """All logged events as one frame (or only the ``last`` batches, for tickers)."""
        cols = ["step", "kind", "firm", "region", "family", "detail"]
        batches = self.events if last is None else self.events[-last:]
        if not batches:
            return pd.DataFrame(columns=cols)
        regions = np.array(list(self.model.region_ids) + [""], dtype=object)
        fams = np.array(list(FAMILIES) + [""], dtype=object)
        sizes = np.array([e["firm"].size for e in batches])
        region = np.concatenate([np.asarray(e["region"]) for e in batches])
        family = np.concatenate([np.asarray(e["family"]) for e in batches])
        return pd.DataFrame({
            "step": np.repeat([e["step"] for e in batches], sizes),
            "kind": np.repeat(np.array([e["kind"] for e in batches], dtype=object), sizes),
            "firm": np.concatenate([e["firm"] for e in batches]),
            "region": regions[np.where(region < 0, -1, region)],
            "family": fams[np.where(family < 0, -1, family)],
            "detail": np.repeat(np.array([e["detail"] for e in batches], dtype=object), sizes),
        })[cols]

    def frame(self) -> pd.DataFrame:
        if not self.chunks:
            return pd.DataFrame(columns=["step", "metric", "region", "family", "mode", "location", "value"])
        data = np.concatenate(self.chunks)
        region_names = np.array(list(self.model.region_ids) + [""], dtype=object)
        fam_names = np.array(list(FAMILIES) + [""], dtype=object)
        mode_names = np.array(list(MODES) + [""], dtype=object)
        loc_names = np.array(list(LOCATIONS) + [""], dtype=object)
        pick = lambda names, col: names[np.where(col < 0, len(names) - 1, col).astype(int)]
        df = pd.DataFrame({
            "step": data[:, 0].astype(np.int64),
            "metric": pd.Categorical(np.array(METRICS, dtype=object)[data[:, 1].astype(int)], categories=METRICS),
            "region": pick(region_names, data[:, 2]),
            "family": pick(fam_names, data[:, 3]),
            "mode": pick(mode_names, data[:, 4]),
            "location": pick(loc_names, data[:, 5]),
            "value": data[:, 6],
        })
        return df
