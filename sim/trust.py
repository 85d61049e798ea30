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
    lookup is one pass over the keys and one over the few whose home slot
    another pair holds. At most one slot in ``LOAD`` is taken (8 MB at 40k
    pairs), and pairs are never removed, so a key stays within the same few
    slots past its home for good: the index remembers the farthest (``_reach``)
    and a lookup reads that whole window at once rather than probing on."""

    def __init__(self):
        # pairs are appended into buffers with spare room (amortised doubling) rather than by
        # concatenating the whole book each month; ``keys`` and ``values`` are views of the used part
        self._keys = np.zeros(64, dtype=np.int64)
        self._values = np.zeros(64)   # 0.0 beyond the used part (see ``trust_of``)
        self._publish(0)
        self._bits = 10
        self._slot_key = np.full(1 << self._bits, EMPTY, dtype=np.int64)
        self._slot_id = np.full(1 << self._bits, -1, dtype=np.int64)   # −1 in free slots
        self._reach = 0   # the farthest any key sits past its home slot
        self._steps = np.arange(1, 1)

    def _publish(self, n: int) -> None:
        self.keys = self._keys[:n]        # pair id → key (append-only)
        self.values = self._values[:n]    # pair id → trust
        # one more element, always 0.0: the trust of pair id −1 (a pair never seen), so that
        # ``trust_of`` is one ``take`` (a negative index counts from the end)
        self._trust = self._values[: n + 1]

    def __getstate__(self) -> dict:
        # the views would be pickled (and deep-copied) as copies detached from their buffers: rebuild them
        state = {key: value for key, value in self.__dict__.items() if key not in ("keys", "values", "_trust")}
        state["_size"] = self.keys.size
        return state

    def __setstate__(self, state: dict) -> None:
        if "_keys" not in state:   # a book pickled before the buffers: its arrays are the used part
            keys, values = state.pop("keys"), state.pop("values")
            state["_keys"], state["_values"] = keys, np.concatenate([values, [0.0]])
            state["_size"] = keys.size
        size = state.pop("_size")
        self.__dict__.update(state)
        self._publish(size)
        # the farthest any key sits past its home slot, read off the index itself
        taken = np.flatnonzero(self._slot_id >= 0)
        past = (taken - self._home(self._slot_key.take(taken))) & (self._slot_key.size - 1)
        self._reach = int(past.max()) if past.size else 0
        self._steps = np.arange(1, self._reach + 1)

    def _append(self, new_keys: np.ndarray) -> None:
        """Add pairs with trust 0 (their values beyond the used part are 0.0 already)."""
        n = self.keys.size
        size = n + new_keys.size
        if size + 1 > self._values.size:
            capacity = max(size + 1, 2 * self._values.size)
            keys, values = np.zeros(capacity, dtype=np.int64), np.zeros(capacity)
            keys[:n], values[:n] = self.keys, self.values
            self._keys, self._values = keys, values
        self._keys[n:size] = new_keys
        self._publish(size)

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
        away = np.flatnonzero((held != flat) & (held != EMPTY))   # home slot taken by another pair
        if away.size:
            found[away] = -1
            if self._reach:
                # such a key sits at most ``_reach`` slots past its home, or nowhere (keys are distinct):
                # look at all those slots at once instead of probing one step at a time
                window = (slot.take(away)[:, None] + self._steps) & (self._slot_key.size - 1)
                at = np.flatnonzero(self._slot_key.take(window) == flat.take(away)[:, None])
                found[away.take(at // self._reach)] = self._slot_id.take(window.reshape(-1).take(at))
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
            self._reach, self._steps = 0, np.arange(1, 1)
        mask = self._slot_key.size - 1
        slot = self._home(keys)
        step = -1   # how far past their home slots the keys of this round land
        while keys.size:
            step += 1
            free = np.flatnonzero(self._slot_key.take(slot) == EMPTY)
            self._slot_key[slot.take(free)] = keys.take(free)   # keys sharing a free slot: one lands
            landed = self._slot_key.take(slot) == keys
            self._slot_id[slot[landed]] = ids[landed]
            rest = ~landed
            keys, ids, slot = keys[rest], ids[rest], (slot[rest] + 1) & mask
        if step > self._reach:
            self._reach = step
            self._steps = np.arange(1, step + 1)

    def ids(self, buyer, supplier) -> np.ndarray:
        """Pair ids, creating pairs not seen before (trust 0)."""
        shaped = pair_key(buyer, supplier)
        keys = shaped.ravel()
        found = self._lookup(keys)
        missing = np.flatnonzero(found < 0)
        if missing.size:
            new_keys = np.unique(keys[missing])   # new pairs get ids in key order
            new_ids = np.arange(self.keys.size, self.keys.size + new_keys.size)
            self._append(new_keys)
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
        return self._trust.take(found)   # id −1 reads the 0.0 after the last pair

    def set(self, buyer, supplier, values) -> None:
        ids = self.ids(buyer, supplier).ravel()
        self.values[ids] = np.broadcast_to(np.asarray(values, dtype=float), ids.shape)

    def update(self, pair_ids, good, rate: float, loss: float) -> None:
        """One month of the relationships in ``pair_ids``: a pair whose links all went well this
        month gains trust; a pair with any breach or incident loses it."""
        n = self.values.size
        # only the pairs with links this month change (about a third of all pairs ever seen): the same
        # formulas on those pairs alone, written in place (``set`` writes in place too). Pairs are
        # marked in boolean arrays: a fifth of the time of counting them with ``bincount``
        seen = np.zeros(n, dtype=bool)
        seen[pair_ids] = True
        pairs = np.flatnonzero(seen)
        hurt = np.zeros(n, dtype=bool)
        hurt[pair_ids.take(np.flatnonzero(~good))] = True
        bad = hurt.take(pairs)
        t = self.values.take(pairs)
        self.values[pairs] = np.where(bad, t * (1.0 - loss), t + rate * (1.0 - t))

    def __len__(self) -> int:
        return int(self.keys.size)
