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
        # Capacity costs no memory until rows are written (numpy's zeros come from calloc, whose
        # large blocks are pages mapped on first touch), so a table can be sized for the run.
        self._spec = {}
        for name, spec in columns.items():
            dtype, width = (spec if isinstance(spec, tuple) else (spec, None))
            self._spec[name] = (np.dtype(dtype), width)
        self._capacity = max(int(capacity), 1)
        self._data = {name: self._blank(name, self._capacity) for name in self._spec}
        self.n = 0
        self._publish()

    def _blank(self, name: str, rows: int) -> np.ndarray:
        dtype, width = self._spec[name]
        shape = (rows,) if width is None else (rows, width)
        return np.zeros(shape, dtype=dtype)

    def _publish(self) -> None:
        """Put a view of every column's used rows in the instance dict.

        The model reads columns about a thousand times a month; a plain
        attribute lookup is several times cheaper than a ``__getattr__`` call
        that slices. The views are rebuilt whenever ``n`` or the buffers change
        (``append``), so they always cover exactly the used rows."""
        n = self.n
        views = self.__dict__
        for name, arr in self._data.items():
            views[name] = arr[:n]

    def __getstate__(self) -> dict:
        # views would be pickled as copies detached from their buffers: rebuild them instead; and
        # only the used rows travel (a table reserved for a long run is mostly untouched capacity)
        state = {key: value for key, value in self.__dict__.items() if key not in self._spec}
        state["_data"] = {name: arr[: self.n] for name, arr in self._data.items()}
        state["_capacity"] = self.n
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._publish()

    def __setattr__(self, name: str, value) -> None:
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            view = self.__dict__[name]
            if value is not view:  # ``t.col += x`` already wrote in place: no self-copy
                view[...] = value
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
        self._publish()
        return rows

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of the used rows, for tests and exports."""
        return {name: arr[: self.n].copy() for name, arr in self._data.items()}


def cells(a: np.ndarray, rows, cols) -> np.ndarray:
    """``a[rows, cols]`` for a C-contiguous 2-D ``a`` and non-negative indices (any broadcastable
    shapes), as one flat ``take``: numpy's two-array fancy indexing is several times slower."""
    return a.reshape(-1).take(np.asarray(rows, dtype=np.int64) * a.shape[1] + cols)


def row_sum(a: np.ndarray) -> np.ndarray:
    """Sum across the columns of a narrow 2-D array (numpy's ``sum(axis=1)`` is ~20x slower for N×3)."""
    return a @ np.ones(a.shape[1])


def row_mean(a: np.ndarray) -> np.ndarray:
    return row_sum(a) / a.shape[1]
