"""Random streams: one seed drives everything.

Each mechanism draws from its own ``numpy.random.Generator`` spawned from the
model's seed, so adding draws to one mechanism never shifts the draws of the
others (a change to delivery noise leaves tender shortlists as they were).
"""

from __future__ import annotations

import numpy as np

STREAMS = (
    "setup",
    "timeline",
    "demand",
    "shortlist",
    "governance",
    "subcontracting",
    "delivery",
    "management",
    "evolution",
)


class Streams:
    """Named generators spawned from one ``SeedSequence``."""

    def __init__(self, seed: int):
        root = np.random.SeedSequence(int(seed))
        children = root.spawn(len(STREAMS))
        for name, child in zip(STREAMS, children):
            setattr(self, name, np.random.default_rng(child))


TINY = np.float32(1e-12)


def gumbel(rng: np.random.Generator, shape, scale: float = 1.0) -> np.ndarray:
    """Gumbel noise: argmax of ``utility + gumbel`` is a logit choice.

    Drawn in float32 (−log(−log u)): choice noise needs no more precision, and it
    is half the work of float64 draws on the hot path."""
    if scale == 0:
        return np.zeros(shape, dtype=np.float32)
    u = rng.random(shape, dtype=np.float32)
    np.clip(u, TINY, np.float32(1.0) - np.float32(1e-7), out=u)
    g = np.log(u)
    np.negative(g, out=g)
    np.log(g, out=g)
    g *= -np.float32(scale)
    return g
