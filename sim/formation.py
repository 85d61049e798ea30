"""Formation: who is invited to a tender — three-dimensional matching (seed 002).

A tender goes to a shortlist of ``k`` vendors, never to all of them. The
shortlist is drawn (Gumbel-top-k, i.e. sampling without replacement in
proportion to weight) from vendors weighted on the three dimensions:

- supply–demand: capability in the work's family, spare capacity;
- space: cost-adjusted attractiveness of the vendor's best centre seen from
  the buyer's region (wage, productivity, risk, time zone, language, data rules);
- organisation: reputation; an incumbent with a good record is always invited,
  and trust enters the bids' governance cost.

Weights are computed once per (buyer region, family) group over all vendors,
so the cost is O(groups × vendors + packages × k).
"""

from __future__ import annotations

import numpy as np

POOL_SIZE = 256  # the Gumbel draw runs over a group's best POOL_SIZE vendors (all, in small worlds)


def provider_centres(model, kind):
    """Padded firm → centres matrix for living providers of one kind: (firms, F×m centre ids, −1 padded)."""
    f, c = model.firms, model.centres
    live = np.flatnonzero(c.alive & ~c.own)
    live = live[f.kind[c.firm[live]] == kind]
    live = live[f.alive[c.firm[live]]]
    if live.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 1), dtype=np.int64)
    order = np.argsort(c.firm[live], kind="stable")
    live = live[order]
    owners = c.firm[live]
    firms, start, counts = np.unique(owners, return_index=True, return_counts=True)
    m = int(counts.max())
    matrix = np.full((firms.size, m), -1, dtype=np.int64)
    rank = np.arange(live.size) - np.repeat(start, counts)
    matrix[np.repeat(np.arange(firms.size), counts), rank] = live
    return firms, matrix


def space_weight(model, home, regions_of_centres, family):
    """Attractiveness of delivery regions seen from ``home`` for a family (vector over centres)."""
    return model.attractiveness[home, regions_of_centres] * model.family_fit[family, regions_of_centres]


def shortlist(model, pk, firms, matrix, k, rng, exclude_self=None):
    """P×k vendor indices (rows of ``firms``), −1 where fewer vendors exist."""
    P = pk["n"]
    out = np.full((P, k), -1, dtype=np.int64)
    if P == 0 or firms.size == 0:
        return out
    f, c = model.firms, model.centres
    spare = np.clip(c.capacity - c.used, 0, None)
    valid = matrix >= 0
    cm = np.where(valid, matrix, 0)
    cap = np.where(valid, c.capacity[cm], 1.0)
    spare_share = np.where(valid, np.where(valid, spare[cm], 0.0) / np.maximum(cap, 1e-9), 0.0)
    groups = pk["home"] * 8 + pk["family"]
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        home, fam = int(g // 8), int(g % 8)
        space = np.where(valid, space_weight(model, home, c.region[cm], fam), 0.0)
        best_centre = (space * (0.2 + spare_share)).max(axis=1)
        weight = best_centre * f.capability[firms, fam] * f.reputation[firms]
        candidates = np.flatnonzero(weight > 0)
        if candidates.size == 0:
            continue
        pool_size = min(candidates.size, max(POOL_SIZE, k))
        if pool_size < candidates.size:
            top = np.argpartition(-weight[candidates], pool_size - 1)[:pool_size]
            candidates = candidates[top]
        logw = np.log(weight[candidates])
        keys = logw[None, :] + rng.gumbel(size=(members.size, candidates.size))
        if exclude_self is not None:
            keys[firms[candidates][None, :] == exclude_self[members][:, None]] = -np.inf
        take = min(k, candidates.size)
        top = np.argpartition(-keys, take - 1, axis=1)[:, :take]
        chosen = candidates[top]
        chosen[~np.isfinite(np.take_along_axis(keys, top, 1))] = -1
        out[members, :take] = chosen
    return out
