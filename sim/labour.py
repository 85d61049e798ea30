"""Regional labour markets: wages, talent pools, clusters.

Wages grow with a base trend plus extra growth when services employment
presses on the talent pool (tightness above a threshold); talent pools grow
with population and graduates. The cluster stock follows hosted employment.
(Attrition, training and spillovers deepen in the evolution issue.)
"""

from __future__ import annotations

import numpy as np


def update_labour_markets(model) -> None:
    r, c, e = model.regions, model.centres, model.scenario.evolution
    provider = c.alive & ~c.own
    r.employed = np.bincount(c.region[provider], c.capacity[provider], len(r))
    tightness = r.employed / np.maximum(r.talent_pool, 1e-9)
    growth = (e.wage_trend + e.wage_tightness * np.maximum(tightness - e.tightness_threshold, 0.0)) / 12.0
    r.wage *= (1.0 + growth)[:, None]
    r.talent_pool *= 1.0 + e.talent_growth / 12.0
    r.cluster += (r.employed - r.cluster) / 24.0  # a two-year memory of hosted employment
