"""Trust between a buyer and a supplier, kept per pair across contracts.

A sorted array of pair keys with values, looked up for whole bid matrices
at once with ``searchsorted``. Trust builds with the age and success of a
relationship and collapses with breaches and incidents.
"""

from __future__ import annotations

import numpy as np

SHIFT = np.int64(1 << 31)


def pair_key(buyer, supplier):
    return np.asarray(buyer, dtype=np.int64) * SHIFT + np.asarray(supplier, dtype=np.int64)


class TrustBook:
    def __init__(self):
        self.keys = np.zeros(0, dtype=np.int64)
        self.values = np.zeros(0)

    def get(self, buyer, supplier) -> np.ndarray:
        keys = pair_key(buyer, supplier)
        if self.keys.size == 0:
            return np.zeros(keys.shape)
        pos = np.clip(np.searchsorted(self.keys, keys), 0, self.keys.size - 1)
        return np.where(self.keys[pos] == keys, self.values[pos], 0.0)

    def set(self, buyer, supplier, values) -> None:
        keys = pair_key(buyer, supplier).ravel()
        values = np.broadcast_to(np.asarray(values, dtype=float), keys.shape).ravel()
        # last write wins for duplicate keys within one call
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
        last = np.r_[keys[1:] != keys[:-1], True]
        keys, values = keys[last], values[last]
        merged = np.union1d(self.keys, keys)
        out = np.zeros(merged.size)
        if self.keys.size:
            out[np.searchsorted(merged, self.keys)] = self.values
        out[np.searchsorted(merged, keys)] = values
        self.keys, self.values = merged, out

    def __len__(self) -> int:
        return int(self.keys.size)
