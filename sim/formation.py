"""Formation: who is invited to a tender — three-dimensional matching (seed 002).

A tender goes to a shortlist of ``k`` vendors, never to all of them. The
shortlist is drawn in proportion to weight from vendors weighted on the
three dimensions:

- supply–demand: capability in the work's family, spare capacity;
- space: cost-adjusted attractiveness of the vendor's best centre seen from
  the buyer's region (wage, productivity, risk, time zone, language, data rules);
- organisation: reputation; an incumbent with a good record is always invited
  (through the centre that did the work), and trust enters the bids' governance cost.

Each vendor is invited through one centre, drawn by the space weight, and bids
from there (DESIGN §8: a cost per package and candidate centre).

Sampling is two-stage (region, then centre within it), so the cost is
O(centres + groups × regions + packages × k × log centres).
"""

from __future__ import annotations

import numpy as np


def candidate_centres(model, kind) -> np.ndarray:
    """Living delivery centres of living providers of one kind (the vendors that can be invited)."""
    f, c = model.firms, model.centres
    live = np.flatnonzero(c.alive & ~c.own)
    owner = c.firm.take(live)
    return live.take(np.flatnonzero((f.kind.take(owner) == kind) & f.alive.take(owner)))


def _regions_present(region: np.ndarray, R: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(region, return_inverse=True)`` for region ids in 0..R−1, by counting
    (a handful of regions among a thousand packages: no sort needed)."""
    if region.size == 0 or region.min() < 0 or region.max() >= R:
        return np.unique(region, return_inverse=True)
    homes = np.flatnonzero(np.bincount(region, minlength=R))
    index = np.zeros(R, dtype=np.int64)
    index[homes] = np.arange(homes.size)
    return homes, index.take(region)


def _unique_in_draw_order(draws: np.ndarray, k: int) -> np.ndarray:
    """Column positions of the first k distinct values of each row, in the order drawn
    (−1 pads rows with fewer; negative draws are no draw). A stable sort within each
    row puts equal values side by side in draw order, so the first of each run is the
    value's first occurrence; mapped back, a running count gives its rank in the row
    (short rows sorted in place: cheaper than one global sort of (row, value) keys).

    Everything after the sort works on the flat P·D entries: one running count over
    all rows minus the count of the rows before gives the rank, and the chosen entries
    are written by flat positions (``cumsum`` along rows of 16, 2-D ``nonzero`` and
    two-array fancy indexing cost twice as much for the same positions)."""
    P, D = draws.shape
    keep = np.full((P, k), -1, dtype=np.int64)
    if P == 0 or D == 0:
        return keep
    at = _row_sorted_positions(draws).reshape(-1)   # flat positions of the sorted entries
    ranked = draws.reshape(-1).take(at)
    starts_run = np.empty(P * D, dtype=bool)
    np.not_equal(ranked[1:], ranked[:-1], out=starts_run[1:])
    starts_run[::D] = True
    starts_run &= ranked >= 0
    first = np.empty(P * D, dtype=bool)
    first[at] = starts_run                          # ``at`` is a permutation: every entry written
    seen = np.cumsum(first)                         # distinct draws up to each entry, all rows
    before = np.zeros(P, dtype=np.int64)
    before[1:] = seen[D - 1:-1:D]                   # ... in the rows before
    rank = (seen.reshape(P, D) - before[:, None]).reshape(-1)   # 1-based rank in its row
    pos = np.flatnonzero(first & (rank <= k))
    rows = pos // D
    keep.reshape(-1)[rows * k + rank.take(pos) - 1] = pos - rows * D
    return keep


def _repeats(draws: np.ndarray) -> np.ndarray:
    """Rows of a P×n block with a repeated value or a negative one (no draw).

    Each column is compared with the columns after it, on the transposed block: every
    comparison is one contiguous pass over P values, cheaper than sorting each short row."""
    n, P = draws.shape[1], draws.shape[0]
    cols = draws.T.copy()
    flags = np.empty((n * (n - 1) // 2 + 1, P), dtype=bool)
    at = 0
    for lag in range(1, n):
        np.equal(cols[lag:], cols[:-lag], out=flags[at:at + n - lag])
        at += n - lag
    np.less(cols.min(axis=0), 0, out=flags[at])
    return np.logical_or.reduce(flags, axis=0)


def _row_sorted_positions(draws: np.ndarray) -> np.ndarray:
    """Flat positions of each row's entries in stable sorted order: ``row * D + argsort(row, stable)``.

    One sort of int64 keys (row, value, column) packed into one integer is about
    twice as fast as ``argsort`` row by row; the column in the low bits makes it
    stable. Keys that fit in 31 bits (a tender's rows × the span of vendor ids × 16
    columns, usually) are sorted as int32: numpy's SIMD sort takes 40% less time.
    Integers too wide to pack take the row-wise ``argsort``.
    """
    P, D = draws.shape
    low, high = int(draws.min()), int(draws.max())
    span = high - low + 1
    col_bits = max(int(D - 1).bit_length(), 1)
    width = (P * span).bit_length() + col_bits
    if width <= 62:
        keys = np.arange(P, dtype=np.int64)[:, None] * span + (draws - low)
        keys <<= col_bits
        keys |= np.arange(D, dtype=np.int64)
        keys = keys.ravel()
        if width <= 31:
            keys = keys.astype(np.int32)
        keys.sort()
        cols = keys.reshape(P, D) & ((1 << col_bits) - 1)
        return np.arange(P, dtype=np.int64)[:, None] * D + cols
    return np.arange(P)[:, None] * D + np.argsort(draws, axis=1, kind="stable")


def sorted_search(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """``np.searchsorted(haystack, needles, side='right')`` for a sorted haystack, by merging.

    Needles outnumber the haystack, and a binary search per needle mispredicts
    at every level. Instead the needles are sorted once and each haystack value
    finds its place among them (a search per haystack value); a needle's answer,
    the number of haystack values at or below it, is then a running count of
    those places. Integer counting: the same answers as ``searchsorted``. Where the
    needles are fewer than the haystack, a search per needle costs less.
    """
    flat = needles.ravel()
    ordered = haystack.size <= 1 or bool((haystack[1:] >= haystack[:-1]).all())   # not NaN or unsorted
    if ordered and flat.size < haystack.size:   # fewer needles (the shortlist's second look): a search each
        return np.searchsorted(haystack, flat, side="right").reshape(needles.shape)
    order, ranked = _sorting_order(flat)
    out = np.empty(flat.size, dtype=np.int64)
    if not ordered:   # no merge
        out[order] = np.searchsorted(haystack, ranked, side="right")
        return out.reshape(needles.shape)
    place = np.searchsorted(ranked, haystack, side="left")       # needles strictly below each value
    out[order] = np.cumsum(np.bincount(place, minlength=flat.size + 1)[: flat.size])
    return out.reshape(needles.shape)


def _sorting_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A permutation that sorts float ``values``, and the sorted values.

    ``argsort`` of floats costs three times a ``sort`` of int64 here. Non-negative
    floats order as their bit patterns read as int64, so the positions are packed
    into the low bits of those patterns and the packed keys sorted; the positions
    come back out of the low bits. Dropping low mantissa bits can leave two very
    close values in position order, and negative values or NaN break the packing, so
    the result is checked and ``argsort`` does the job whenever it is not sorted.
    Any sorting permutation serves: ``sorted_search`` gives equal needles equal answers.
    """
    n = values.size
    bits = max(int(n - 1).bit_length(), 1)
    if n > 1 and bits <= 20 and values.dtype == np.float64 and values.flags.c_contiguous:
        low = np.int64((1 << bits) - 1)
        keys = values.view(np.int64) & ~low
        keys |= np.arange(n, dtype=np.int64)
        keys.sort()
        order = keys & low
        ranked = values.take(order)
        if (ranked[1:] >= ranked[:-1]).all():
            return order, ranked
    order = np.argsort(values)
    return order, values.take(order)


def _draw(cdf_rows: np.ndarray, rows: np.ndarray, rand: np.ndarray) -> np.ndarray:
    """Column indices drawn for each entry of ``rows`` from the row-wise weights behind ``cdf_rows``,
    one per uniform in that row of ``rand`` (one ``searchsorted`` over all rows laid end to end).
    −1 where a row has no weight."""
    totals = cdf_rows[:, -1]
    offsets = np.concatenate(([0.0], np.cumsum(totals)[:-1]))
    flat = (cdf_rows + offsets[:, None]).ravel()
    mass = totals.take(rows)[:, None]
    u = offsets.take(rows)[:, None] + rand * mass
    width = cdf_rows.shape[1]
    col = sorted_search(flat, u) - rows[:, None] * width
    col = np.clip(col, 0, width - 1)
    col[mass[:, 0] <= 0] = -1
    return col


def shortlist(model, pk, centres, k, rng, exclude_self=None):
    """Invite up to k vendors per tender: P×k (firm, centre) pairs, −1 where fewer were drawn.

    A centre's weight for a tender is space(buyer region, family, centre region)
    × its room to take work × its firm's capability in the family × reputation.
    Because the space term depends on regions only, the draw factorises:
    first a delivery region from a small per-group table, then a centre within
    that region by its own weight. 2k draws with replacement per tender; the
    first k distinct firms are invited, each through the centre it was drawn at.

    The centre weights are laid out family by family (3×C, as the stage-2 search
    reads them), so one ``bincount`` gives every (family, region) mass and no
    transposed copy is needed; each sum runs over the centres in the same order.
    """
    P = pk["n"]
    if P == 0 or centres.size == 0 or k == 0:
        return np.full((P, k), -1, dtype=np.int64), np.full((P, k), -1, dtype=np.int64)
    f, c, R = model.firms, model.centres, len(model.regions)
    region = c.region.take(centres)
    order = np.argsort(region, kind="stable")
    centres, region = centres.take(order), region.take(order)
    owner = c.firm.take(centres)
    capacity = c.capacity.take(centres)
    room = 0.2 + np.clip(capacity - c.used.take(centres), 0, None) / np.maximum(capacity, 1e-9)
    q = room * f.capability.T.take(owner, axis=1) * f.reputation.take(owner)        # 3×C centre weights
    per_region = np.bincount((np.arange(3)[:, None] * R + region).ravel(), q.ravel(), 3 * R).reshape(3, R)

    # stage 1: delivery region, per (buyer region, family) group
    buyer_region = np.asarray(pk["space_home"], dtype=np.int64)
    family = np.asarray(pk["family"], dtype=np.int64)
    homes, home_idx = _regions_present(buyer_region, R)
    space = model.attractiveness[homes][:, None, :] * model.family_fit[None, :, :]   # H×3×R
    mass = (space * per_region[None]).reshape(-1, R)                                  # groups × R
    group = home_idx * 3 + family
    cdf = np.cumsum(mass, axis=1)

    # stage 2: a centre within the drawn region, by its own weight (per family, regions laid end to end)
    cum = np.cumsum(q, axis=1)                                                        # 3×C
    region_start = np.zeros((3, R))
    np.cumsum(per_region[:, :-1], axis=1, out=region_start[:, 1:])                   # 3×R
    fam_offset = np.concatenate(([0.0], np.cumsum(cum[:, -1])[:-1]))                  # 3
    flat = (cum + fam_offset[:, None]).ravel()
    region_base = (fam_offset[:, None] + region_start).ravel()                         # 3×R, where each region's run starts
    region_mass = per_region.ravel()

    excluded = None if exclude_self is None else np.asarray(exclude_self)

    def drawn(group, family, excluded, rand_region, rand_centre):
        """Vendor and candidate position of the draws from these uniforms (any block of rows and columns)."""
        draw_region = _draw(cdf, group, rand_region)
        drawn_all = bool(draw_region.min() >= 0)   # −1: a tender with no weight
        fam = family[:, None]
        cell = fam * R + (draw_region if drawn_all else np.maximum(draw_region, 0))
        u = region_base.take(cell) + rand_centre * region_mass.take(cell)
        pos = np.clip(sorted_search(flat, u) - fam * centres.size, 0, centres.size - 1)
        vendor = owner.take(pos) if drawn_all else np.where(draw_region >= 0, owner.take(pos), -1)
        if excluded is not None:
            vendor[vendor == excluded[:, None]] = -1
        return vendor, pos

    # Both stages' uniforms are drawn up front, in the order the stages use them. Nearly every
    # tender's first k draws are k distinct vendors (80-98%), and then those are the shortlist:
    # the searches run on the first k columns, and only the other tenders search their last k
    # columns and de-duplicate (each draw is found on its own, so the subsets give the same draws).
    rand_region = rng.random((P, 2 * k))
    rand_centre = rng.random((P, 2 * k))
    vendor, pos = drawn(group, family, excluded, rand_region[:, :k], rand_centre[:, :k])
    firm, centre = vendor, centres.take(pos)
    redo = np.flatnonzero(_repeats(vendor))
    if redo.size:
        more, more_pos = drawn(group.take(redo), family.take(redo), None if excluded is None else excluded.take(redo),
                               rand_region.take(redo, axis=0)[:, k:], rand_centre.take(redo, axis=0)[:, k:])
        vendor = np.concatenate((vendor.take(redo, axis=0), more), axis=1)
        pos = np.concatenate((pos.take(redo, axis=0), more_pos), axis=1)
        keep = _unique_in_draw_order(vendor, k)
        got = keep >= 0
        kept = np.arange(redo.size)[:, None] * vendor.shape[1] + np.maximum(keep, 0)   # flat cells of the kept draws
        firm[redo] = np.where(got, vendor.reshape(-1).take(kept), -1)
        centre[redo] = np.where(got, centres.take(pos.reshape(-1).take(kept)), -1)
    return firm, centre
