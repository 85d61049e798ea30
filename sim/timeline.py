"""Scenario events: policy levers and shocks applied at their month.

Each event kind changes the model's state arrays at the start of its month
(step 1 of the schedule); events with a duration are undone when it ends.
Magnitudes: ``tax_rate`` and ``risk_shock`` add to the rate/risk;
``tax_incentive`` sets the share of tax waived; ``wage_shock`` and
``currency_shock`` multiply USD wages by (1 + magnitude); ``training_subsidy``
adds to skill and grows the talent pool by the same share;
``infrastructure`` adds to infrastructure quality; ``cluster_park`` adds to
infrastructure, half as much to skill, and strengthens knowledge spillover; ``data_localisation`` makes a home
region keep sensitive work in adequate regions; ``adequacy_decision`` grants
(magnitude > 0) or withdraws adequacy; ``ai_automation`` cuts the effort of
new and renewed work by magnitude × the type's automation exposure, phased in
evenly over ``duration`` months and permanent after; ``backlash_tax``
levies magnitude × value on a home region's non-onshore contracts;
``communication_cost`` scales coordination cost by (1 + magnitude).
"""

from __future__ import annotations

import numpy as np

from .scenario import FAMILIES


class Timeline:
    def __init__(self, model):
        self.model = model
        self.pending = sorted(model.scenario.events, key=lambda e: e.month)
        self.undo: list[tuple[int, callable]] = []
        self.ramps: list[tuple] = []  # (work types, monthly factor, months left)
        self.applied: list[dict] = []

    def apply(self, month: int) -> None:
        for when, undo in [u for u in self.undo if u[0] == month]:
            undo()
        self.undo = [u for u in self.undo if u[0] != month]
        for event in [e for e in self.pending if e.month == month]:
            undo = apply_event(self.model, event)
            self.applied.append({"month": month, "kind": event.kind, "target": event.target, "magnitude": event.magnitude})
            if event.duration and undo is not None:
                self.undo.append((month + event.duration, undo))
        # gradual changes (AI automation): one step a month until done
        still = []
        for types, step, months_left in self.ramps:
            self.model.automation_factor[types] *= step
            if months_left > 1:
                still.append((types, step, months_left - 1))
        self.ramps = still
        self.model.geography.refresh()


def _regions(model, target):
    if target == "":
        return np.arange(len(model.regions))
    return np.array([model.region_ids.index(target)]) if target in model.region_ids else np.zeros(0, dtype=np.int64)


def _types(model, target):
    cat = model.catalogue
    if target == "":
        return np.arange(len(cat))
    if target in FAMILIES:
        return np.flatnonzero(cat.family == FAMILIES.index(target))
    return np.array([cat.names.index(target)]) if target in cat.names else np.zeros(0, dtype=np.int64)


def _add(arr, idx, delta, lo, hi):
    before = arr[idx].copy()
    arr[idx] = np.clip(arr[idx] + delta, lo, hi)

    def undo():
        arr[idx] = before
    return undo


def apply_event(model, event):
    r, m, kind = model.regions, event.magnitude, event.kind
    idx = _regions(model, event.target)
    if kind == "tax_rate":
        return _add(r.tax_rate, idx, m, 0.0, 0.9)
    if kind == "tax_incentive":
        return _add(r.tax_incentive, idx, m - r.tax_incentive[idx], 0.0, 1.0)
    if kind == "risk_shock":
        return _add(r.risk, idx, m, 0.0, 1.0)
    if kind == "infrastructure":
        return _add(r.infrastructure, idx, m, 0.0, 1.0)
    if kind in ("wage_shock", "currency_shock"):
        factor = max(1.0 + m, 0.01)
        r.wage[idx] *= factor

        def undo():
            r.wage[idx] /= factor
        return undo
    if kind == "training_subsidy":
        r.skill[idx] = np.clip(r.skill[idx] + m, 0, 1)
        r.talent_pool[idx] *= 1 + max(m, -0.9)
        return None  # skills once learnt stay
    if kind == "cluster_park":
        r.infrastructure[idx] = np.clip(r.infrastructure[idx] + m, 0, 1)
        r.skill[idx] = np.clip(r.skill[idx] + m / 2, 0, 1)
        r.park[idx] += max(m, 0.0)  # parks also strengthen knowledge spillover
        return None
    if kind == "data_localisation":
        homes = idx if event.target else np.flatnonzero(r.eu)
        return _add(r.localised.view(np.int8), homes, 1, 0, 1)
    if kind == "adequacy_decision":
        before = r.adequate[idx].copy()
        r.adequate[idx] = m > 0

        def undo():
            r.adequate[idx] = before
        return undo
    if kind == "backlash_tax":
        return _add(r.backlash_tax, idx, m - r.backlash_tax[idx], 0.0, 1.0)
    if kind == "ai_automation":
        # phased in over ``duration`` months (a ramp), then permanent
        types = _types(model, event.target)
        factor = np.clip(1.0 - m * model.catalogue.automation_exposure[types], 0.05, 1.0)
        months = max(int(event.duration), 1)
        model.timeline.ramps.append((types, factor ** (1.0 / months), months))
        return None
    if kind == "communication_cost":
        cost = model.scenario.cost
        before = cost.communication_cost_factor
        cost.communication_cost_factor = float(np.clip(before * (1 + m), 0.0, 10.0))

        def undo():
            cost.communication_cost_factor = before
        return undo
    raise ValueError(f"unknown event kind {kind!r}")
