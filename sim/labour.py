"""Regional labour markets: wages, talent pools, clusters and knowledge spillover.

Wages grow with a base trend plus extra growth when services employment
presses on the talent pool (tightness above a threshold); talent pools grow
with population and graduates (and training subsidies, on the timeline). The
cluster stock follows hosted employment with a two-year memory, and skills
grow with it: knowledge spills over between co-located firms (seed 002), more
so in a cluster park. Attrition and the new-staff ramp are in ``workforce``.
"""

from __future__ import annotations

import numpy as np


def update_labour_markets(model) -> None:
    r, c, e = model.regions, model.centres, model.scenario.evolution
    provider = np.flatnonzero(c.alive & ~c.own)
    r.employed = np.bincount(c.region.take(provider), c.capacity.take(provider), len(r))
    tightness = r.employed / np.maximum(r.talent_pool, 1e-9)
    growth = (e.wage_trend + e.wage_tightness * np.maximum(tightness - e.tightness_threshold, 0.0)) / 12.0
    r.wage *= (1.0 + growth)[:, None]
    r.talent_pool *= 1.0 + e.talent_growth / 12.0
    r.cluster += (r.employed - r.cluster) / 24.0  # a two-year memory of hosted employment
    # knowledge spillover: skills grow faster where more services work is co-located (and in parks)
    hosting = r.cluster > 0
    typical = r.cluster[hosting].mean() if hosting.any() else 1.0
    spill = e.spillover_rate * (1.0 + e.park_spillover * r.park) * np.log1p(r.cluster / max(typical, 1e-9))
    r.skill = r.skill + spill / 12.0 * (1.0 - r.skill)
