"""Trust between a buyer and a supplier, kept per pair across contracts.

Pairs live in an append-only table (``keys``, ``values``) with a hash index
(open addressing, linear probing) for lookups of whole bid matrices at once.
Each link stores its pair's id when it is signed, so the monthly update is a
``bincount`` over active links, with no searching. Trust builds with the age
and success of a relationship and collapses with breaches and incidents; one
update per pair per month.
"""

from __future__ import annotations

import numpy as np

SHIFT = np.int64(1 << 31)
EMPTY = np.iinfo(np.int64).min   # no pair key can take this value (buyer and supplier are rows ≥ −1)
LOAD = 8   # slots per pair at least: most keys sit at their home slot
SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: multiply, keep the top bits


def pair_key(buyer, supplier):
    return np.asarray(buyer, dtype=np.int64) * SHIFT + np.asarray(supplier, dtype=np.int64)


class TrustBook:
    """Trust per (buyer, supplier) pair.

    A lookup of a tender's bid matrix (10k keys among 40k pairs by month 60)
    is the hot path. A binary search per key mispredicts at every level (3–4x
    slower here); the hash index finds most keys at their home slot, so a
    lookup is one pass over the keys and a few short ones over those whose
    home slot another pair holds. At most one slot in ``LOAD`` is taken (8 MB
    at 40k pairs), and pairs are never removed, so the run of taken slots
    from a key's home to the key is unbroken: a free slot ends the search."""

    def __init__(self):
        self.keys = np.zeros(0, dtype=np.int64)     # pair id → key (append-only)
        self.values = np.zeros(0)                   # pair id → trust
        self._bits = 10
        self._slot_key = np.full(1 << self._bits, EMPTY, dtype=np.int64)
        self._slot_id = np.full(1 << self._bits, -1, dtype=np.int64)   # −1 in free slots

    def _home(self, keys: np.ndarray) -> np.ndarray:
        spread = keys.view(np.uint64) * SPREAD   # wraps modulo 2**64, as intended
        spread >>= np.uint64(64 - self._bits)
        return spread.view(np.int64)   # below 2**bits: the same number as int64, without a copy

    def _lookup(self, keys):
        """Pair id of every key (any shape), −1 where the pair was never seen."""
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        flat = keys.reshape(-1)
        slot = self._home(flat)
        held = self._slot_key.take(slot)
        # a free slot's id is −1, so the home slot's id is already the answer unless another pair holds it
        found = self._slot_id.take(slot)
        probing = np.flatnonzero((held != flat) & (held != EMPTY))   # home slot taken by another pair: probe on
        found[probing] = -1
        slot = slot.take(probing)
        mask = self._slot_key.size - 1
        while probing.size:
            slot = (slot + 1) & mask
            held = self._slot_key.take(slot)
            hit = held == flat.take(probing)
            found[probing[hit]] = self._slot_id.take(slot[hit])
            more = ~hit & (held != EMPTY)
            probing, slot = probing[more], slot[more]
        return found.reshape(keys.shape)

    def _index(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """Put new (distinct, not yet indexed) keys in the hash index; when it would pass one pair per
        ``LOAD`` slots, rebuild it twice as large (or more) from every key."""
        if LOAD * self.keys.size > self._slot_key.size:
            while LOAD * self.keys.size > (1 << self._bits):
                self._bits += 1
            self._slot_key = np.full(1 << self._bits, EMPTY, dtype=np.int64)
            self._slot_id = np.full(1 << self._bits, -1, dtype=np.int64)
            keys, ids = self.keys, np.arange(self.keys.size)
        mask = self._slot_key.size - 1
        slot = self._home(keys)
        while keys.size:
            free = np.flatnonzero(self._slot_key.take(slot) == EMPTY)
            self._slot_key[slot.take(free)] = keys.take(free)   # keys sharing a free slot: one lands
            landed = self._slot_key.take(slot) == keys
            self._slot_id[slot[landed]] = ids[landed]
            rest = ~landed
            keys, ids, slot = keys[rest], ids[rest], (slot[rest] + 1) & mask

    def ids(self, buyer, supplier) -> np.ndarray:
        """Pair ids, creating pairs not seen before (trust 0)."""
        shaped = pair_key(buyer, supplier)
        keys = shaped.ravel()
        found = self._lookup(keys)
        missing = np.flatnonzero(found < 0)
        if missing.size:
            new_keys = np.unique(keys[missing])   # new pairs get ids in key order
            new_ids = np.arange(self.keys.size, self.keys.size + new_keys.size)
            self.keys = np.concatenate([self.keys, new_keys])
            self.values = np.concatenate([self.values, np.zeros(new_keys.size)])
            self._index(new_keys, new_ids)
            found[missing] = new_ids[np.searchsorted(new_keys, keys[missing])]
        return found.reshape(shaped.shape)

    def get(self, buyer, supplier) -> np.ndarray:
        return self.trust_of(self.find(buyer, supplier))

    def find(self, buyer, supplier) -> np.ndarray:
        """Pair ids (any broadcast shape), −1 for pairs never seen; nothing is created."""
        return self._lookup(pair_key(buyer, supplier))

    def trust_of(self, found) -> np.ndarray:
        """Trust of pair ids from ``find`` (0 for pairs never seen)."""
        return np.where(found >= 0, self.values.take(np.maximum(found, 0)) if self.values.size else 0.0, 0.0)

    def set(self, buyer, supplier, values) -> None:
        ids = self.ids(buyer, supplier).ravel()
        self.values[ids] = np.broadcast_to(np.asarray(values, dtype=float), ids.shape)

    def update(self, pair_ids, good, rate: float, loss: float) -> None:
        """One month of the relationships in ``pair_ids``: a pair whose links all went well this
        month gains trust; a pair with any breach or incident loses it."""
        n = self.values.size
        # only the pairs with links this month change (about a third of all pairs ever seen): the same
        # formulas on those pairs alone, written in place (``set`` writes in place too)
        pairs = np.flatnonzero(np.bincount(pair_ids, minlength=n))
        bad = np.bincount(pair_ids.take(np.flatnonzero(~good)), minlength=n).take(pairs) > 0
        t = self.values.take(pairs)
        self.values[pairs] = np.where(bad, t * (1.0 - loss), t + rate * (1.0 - t))

    def __len__(self) -> int:
        return int(self.keys.size)
