"""Subcontracting: primes split codifiable work into modules for tier-2 and deeper.

Modularity (seed 002: "scale economy → division economy → modular economy"):
the more codifiable a package, the larger the share that can be specified as
a module and farmed out. The prime runs a tender for each module among
subcontractors, with its own delivery as the make option, and chooses the
governance mode of each subcontract by expected total cost — prime-led
network governance, the same functions a client uses. Subcontractors may pass
modules on again, at a smaller share, down to ``world.max_tier``: a module won
this month is split the next, so all of a month's module tenders are one call.
"""

from __future__ import annotations

import numpy as np

from . import contracts, market
from .demand import make_packages
from .tables import cells
from .world import ACTIVE, SUB


def module_share(codifiability, params, tier):
    """Share of a package that can be split off: zero below the codifiability floor, rising to the max."""
    lo = params.min_codifiability
    base = params.max_module_share * np.clip((codifiability - lo) / max(1.0 - lo, 1e-9), 0.0, 1.0)
    return base * params.deeper_tier_factor ** np.maximum(tier - 1, 0)


def modules_for(model, parents) -> dict:
    """Module packages for links whose supplier may split them (the next tier's needs)."""
    L, p = model.links, model.scenario.subcontracting
    # link columns gathered with ``take`` (the same elements as ``column[parents]``, cheaper)
    tier = L.tier.take(parents)
    # in-house teams and captive centres do not subcontract, and the deepest tier cannot
    at = np.flatnonzero(~L.own.take(parents) & (tier < model.scenario.world.max_tier))
    parents, tier = parents.take(at), tier.take(at)
    share = module_share(L.codifiability.take(parents), p, tier)
    at = np.flatnonzero(share > 0.02)
    parents, share, tier = parents.take(at), share.take(at), tier.take(at)
    remaining = np.maximum(L.effort.take(parents) - L.delivered.take(parents), 0.0)
    months_left = np.maximum(L.term.take(parents) - (model.month - L.start.take(parents)), 1)
    effort = remaining * share
    centre = L.centre.take(parents)
    pk = make_packages(
        model, L.client.take(parents), L.work_type.take(parents), effort, months_left.astype(np.int64),
        buyer=L.supplier.take(parents), home=L.home.take(parents), space_home=model.centres.region.take(centre),
        tier=(tier + 1).astype(np.int64), parent=parents, keep_centre=centre,
        complexity=L.complexity.take(parents) * p.module_complexity,
    )
    pk["fte"] = effort / months_left
    return pk


def subcontract(model, awarded) -> np.ndarray:
    """One module tender a month: modules of this month's new client contracts (tier 2) and of
    last month's new modules (tier 3 and deeper: a subcontractor splits a module the month after
    it wins it). Returns the new module links, which are split further next month."""
    L = model.links
    carried = model.split_next.take(np.flatnonzero(L.status.take(model.split_next) == ACTIVE))
    pk = modules_for(model, np.concatenate([awarded, carried]))
    rows = np.zeros(0, dtype=np.int64)
    if pk["n"]:
        bids, choice = market.tender(model, pk, SUB, model.streams.subcontracting, model.streams.governance)
        own = cells(bids.own, np.arange(pk["n"]), np.maximum(choice, 0))
        choice = np.where((choice >= 0) & own, -1, choice)
        rows = contracts.sign(model, pk, bids, choice)
    model.split_next = rows
    return rows
