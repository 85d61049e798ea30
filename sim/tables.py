"""Column tables: the hot state of the model, one structure-of-arrays per kind.

Mesa agents keep identity and the rare decisions; everything the monthly
market touches for all agents at once lives here, so tendering, delivery and
accounting are numpy operations over whole columns. Rows are appended with
amortised doubling and never compacted during a run: an agent's ``row`` stays
valid for its whole life (exits flip an ``alive`` or ``status`` column).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Table:
    """A growable table of numpy columns.

    ``columns`` maps a name to a dtype or to ``(dtype, width)`` for a 2-D
    column (for example capability per service family). Attribute access
    returns a writable view of the used rows only.
    """

    def __init__(self, columns: dict[str, Any], capacity: int = 64):
        self._spec = {}
        for name, spec in columns.items():
            dtype, width = (spec if isinstance(spec, tuple) else (spec, None))
            self._spec[name] = (np.dtype(dtype), width)
        self._capacity = max(int(capacity), 1)
        self._data = {name: self._blank(name, self._capacity) for name in self._spec}
        self.n = 0

    def _blank(self, name: str, rows: int) -> np.ndarray:
        dtype, width = self._spec[name]
        shape = (rows,) if width is None else (rows, width)
        return np.zeros(shape, dtype=dtype)

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("_data")
        if data is None or name not in data:
            raise AttributeError(name)
        return data[name][: self.n]

    def __setattr__(self, name: str, value) -> None:
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            data[name][: self.n] = value
        else:
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return self.n

    def append(self, count: int, **values) -> np.ndarray:
        """Add ``count`` rows; columns not given are zero. Returns the new rows."""
        count = int(count)
        unknown = set(values) - set(self._spec)
        if unknown:
            raise KeyError(f"unknown columns {sorted(unknown)}")
        needed = self.n + count
        if needed > self._capacity:
            new_capacity = max(needed, 2 * self._capacity)
            for name, old in self._data.items():
                grown = self._blank(name, new_capacity)
                grown[: self.n] = old[: self.n]
                self._data[name] = grown
            self._capacity = new_capacity
        rows = np.arange(self.n, needed)
        for name, value in values.items():
            self._data[name][self.n : needed] = value
        self.n = needed
        return rows

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of the used rows, for tests and exports."""
        return {name: arr[: self.n].copy() for name, arr in self._data.items()}


def row_sum(a: np.ndarray) -> np.ndarray:
    """Sum across the columns of a narrow 2-D array (numpy's ``sum(axis=1)`` is ~20x slower for N×3)."""
    return a @ np.ones(a.shape[1])


def row_mean(a: np.ndarray) -> np.ndarray:
    return row_sum(a) / a.shape[1]
