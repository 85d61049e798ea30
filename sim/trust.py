"""Trust between a buyer and a supplier, kept per pair across contracts.

Pairs live in an append-only table (``keys``, ``values``) with a sorted index
for lookups of whole bid matrices at once. Each link stores its pair's id when
it is signed, so the monthly update is a ``bincount`` over active links, with
no searching. Trust builds with the age and success of a relationship and
collapses with breaches and incidents; one update per pair per month.
"""

from __future__ import annotations

import numpy as np

SHIFT = np.int64(1 << 31)


def pair_key(buyer, supplier):
    return np.asarray(buyer, dtype=np.int64) * SHIFT + np.asarray(supplier, dtype=np.int64)


class TrustBook:
    def __init__(self):
        self.keys = np.zeros(0, dtype=np.int64)     # pair id → key (append-only)
        self.values = np.zeros(0)                   # pair id → trust
        self._sorted = np.zeros(0, dtype=np.int64)  # keys, sorted
        self._ids = np.zeros(0, dtype=np.int64)     # pair ids in sorted-key order

    def _lookup(self, keys):
        if self._sorted.size == 0:
            return np.full(keys.shape, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._sorted, keys), self._sorted.size - 1)
        return np.where(self._sorted[pos] == keys, self._ids[pos], -1)

    def ids(self, buyer, supplier) -> np.ndarray:
        """Pair ids, creating pairs not seen before (trust 0)."""
        keys = pair_key(buyer, supplier).ravel()
        found = self._lookup(keys)
        new_keys = np.unique(keys[found < 0])
        if new_keys.size:
            new_ids = np.arange(self.keys.size, self.keys.size + new_keys.size)
            self.keys = np.concatenate([self.keys, new_keys])
            self.values = np.concatenate([self.values, np.zeros(new_keys.size)])
            at = np.searchsorted(self._sorted, new_keys)
            self._sorted = np.insert(self._sorted, at, new_keys)
            self._ids = np.insert(self._ids, at, new_ids)
            found = self._lookup(keys)
        return found.reshape(np.shape(pair_key(buyer, supplier)))

    def get(self, buyer, supplier) -> np.ndarray:
        found = self._lookup(pair_key(buyer, supplier))
        return np.where(found >= 0, self.values[np.maximum(found, 0)] if self.values.size else 0.0, 0.0)

    def set(self, buyer, supplier, values) -> None:
        ids = self.ids(buyer, supplier).ravel()
        self.values[ids] = np.broadcast_to(np.asarray(values, dtype=float), ids.shape)

    def update(self, pair_ids, good, rate: float, loss: float) -> None:
        """One month of the relationships in ``pair_ids``: a pair whose links all went well this
        month gains trust; a pair with any breach or incident loses it."""
        n = self.values.size
        links = np.bincount(pair_ids, minlength=n)
        bad = np.bincount(pair_ids, ~good, n) > 0
        active = links > 0
        t = self.values
        self.values = np.where(active & ~bad, t + rate * (1.0 - t), np.where(active & bad, t * (1.0 - loss), t))

    def __len__(self) -> int:
        return int(self.keys.size)
