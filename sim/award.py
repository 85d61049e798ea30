"""Award under capacity: every package to at most one option, no centre over capacity.

All (package, option) pairs are ranked by score. Each round, every open
package proposes its best remaining option; proposals are grouped by centre
and accepted in score order while the centre's cumulative FTE fits its spare
capacity (``np.cumsum`` per group, with a few passes that skip proposals too
big for what is left), and likewise while a client's dependence on one vendor
stays under its cap. Rejected proposals move to their next
option. A handful of rounds clears the market: O(P·J) per round.
"""

from __future__ import annotations

import numpy as np

from .tables import cells


def _group_cumsum(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` within runs of equal ``groups`` (already sorted)."""
    total = np.cumsum(values)
    starts = np.empty(groups.size, dtype=bool)
    starts[:1] = True
    np.not_equal(groups[1:], groups[:-1], out=starts[1:])
    base = np.maximum.accumulate(np.where(starts, total - values, -np.inf))
    return total - base


def _fill(centre: np.ndarray, need: np.ndarray, spare: np.ndarray, passes: int = 6) -> np.ndarray:
    """Which proposals (sorted by centre, best first) fit: each centre takes its queue in
    order while it has room, skipping proposals too big for what is left (a few cheap
    passes over the same sorted queue instead of a new round per overflow)."""
    fits = np.zeros(centre.size, dtype=bool)
    residual = spare.copy()
    open_ = need <= residual.take(centre) + 1e-9
    for _ in range(passes):
        idx = np.flatnonzero(open_)
        if idx.size == 0:
            break
        g = centre.take(idx)
        ok = _group_cumsum(g, need.take(idx)) <= residual.take(g) + 1e-9
        taken = idx[ok]
        if taken.size == 0:
            break
        fits[taken] = True
        residual -= np.bincount(centre.take(taken), need.take(taken), residual.size)
        open_[taken] = False
        open_ &= need <= residual.take(centre) + 1e-9
    return fits


def award(score, option_centre, fte, spare):
    """Choose one option per package.

    score: P×J (−inf = not an option); option_centre: P×J centre ids;
    fte: P; spare: spare FTE per centre (np.inf for unbounded in-house teams).
    Returns the chosen column per package (−1 where nothing fits).
    """
    P, J = score.shape
    choice = np.full(P, -1, dtype=np.int64)
    if P == 0:
        return choice
    # Only the centres of some option matter: they are numbered 0, 1, ... in the order of
    # their ids (so queues sort as before), and the rounds work on arrays of those centres
    # (a few thousand) instead of all centres; each sum has the same terms in the same order.
    listed = np.zeros(len(spare), dtype=bool)
    listed[option_centre.reshape(-1)] = True
    ids = np.flatnonzero(listed)
    local = np.empty(listed.size, dtype=np.int64)
    local[ids] = np.arange(ids.size)
    option_centre = local.take(option_centre)
    spare = np.asarray(spare, dtype=float).take(ids)   # a private copy
    # Preferences (columns by falling score, ties in column order) are needed in full only
    # for the few packages a first round leaves open; in that round every package proposes
    # its best option, the first of equal maxima: ``argmax``, several times cheaper than a
    # row-wise stable ``argsort`` of all P rows. NaN scores (argmax would pick them first)
    # take the full ``argsort`` up front.
    preference = np.argsort(-score, axis=1, kind="stable") if np.isnan(score).any() else None
    pointer = np.zeros(P, dtype=np.int64)
    # every round each centre accepts or moves on its best proposal, so the loop ends;
    # the bound only guards against a bug
    for _ in range(P * J + 1):
        open_ = (choice < 0) & (pointer < J)
        if not open_.any():
            break
        p = np.flatnonzero(open_)
        if preference is None:   # first round: every package is open, pointers at 0
            j = np.argmax(score, axis=1)
        else:
            j = cells(preference, p, pointer.take(p))
        s = cells(score, p, j)
        live = np.isfinite(s)
        pointer[p[~live]] = J  # nothing left worth proposing
        p, j, s = p[live], j[live], s[live]
        if p.size == 0:
            break
        c = cells(option_centre, p, j)
        order = np.lexsort((-s, c))
        p, j, s, c = p.take(order), j.take(order), s.take(order), c.take(order)
        need = fte.take(p)
        fits = _fill(c, need, spare)
        choice[p[fits]] = j[fits]
        spare -= np.bincount(c[fits], need[fits], minlength=spare.size)
        # a proposal that lost only its place in the queue tries the same option again
        rejected = ~fits
        retry = rejected & (need <= spare.take(c) + 1e-9)
        pointer[p[rejected & ~retry]] += 1
        if preference is None:
            preference = np.empty((P, J), dtype=np.int64)
            still = np.flatnonzero((choice < 0) & (pointer < J))
            preference[still] = np.argsort(-score[still], axis=1, kind="stable")
    return choice
