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


def gumbel(rng: np.random.Generator, shape, scale: float = 1.0) -> np.ndarray:
    """Gumbel noise: argmax of ``utility + gumbel`` is a logit choice."""
    if scale == 0:
        return np.zeros(shape)
    return rng.gumbel(0.0, scale, size=shape)
