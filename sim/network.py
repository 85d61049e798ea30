"""The chain as a directed network: client → prime → subcontractor, firms → regions.

Firm-to-firm edges aggregate the active outsourced links of a pair (value,
tier, age, and the mode carrying most value); firm-to-region edges say where
a provider delivers (FTE). Exportable with NetworkX to GraphML or JSON.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from .scenario import MODES
from .world import KINDS


def chain_graph(model) -> nx.DiGraph:
    L, f, c = model.links, model.firms, model.centres
    g = nx.DiGraph()
    for i, rid in enumerate(model.region_ids):
        g.add_node(f"region:{rid}", kind="region", region=rid)
    act = model.active_links
    out = act[~L.own[act]]
    firms = np.unique(np.concatenate([L.buyer[out], L.supplier[out]])) if out.size else np.zeros(0, dtype=np.int64)
    for i in firms.tolist():
        g.add_node(f"firm:{i}", kind=KINDS[int(f.kind[i])], region=model.region_ids[int(f.home[i])], alive=bool(f.alive[i]))
    if out.size:
        key = L.buyer[out] * f.n + L.supplier[out]
        order = np.lexsort((-L.price_month[out], key))
        out, key = out[order], key[order]
        first = np.r_[True, key[1:] != key[:-1]]
        group = np.cumsum(first) - 1
        value = np.bincount(group, L.price_month[out])
        fte = np.bincount(group, L.fte[out])
        tier = np.minimum.reduceat(L.tier[out], np.flatnonzero(first))
        age = np.maximum.reduceat(model.month - L.start[out], np.flatnonzero(first))
        heads = out[first]
        for h, v, ft, t, a in zip(heads.tolist(), value.tolist(), fte.tolist(), tier.tolist(), age.tolist()):
            g.add_edge(
                f"firm:{int(L.buyer[h])}", f"firm:{int(L.supplier[h])}", relation="contract",
                mode=MODES[int(L.mode[h])], value=float(v), fte=float(ft), tier=int(t), age=int(a),
            )
    # where providers in the chain deliver
    live = np.flatnonzero(c.alive & ~c.own & np.isin(c.firm, firms))
    for ci in live.tolist():
        if c.used[ci] > 0:
            g.add_edge(f"firm:{int(c.firm[ci])}", f"region:{model.region_ids[int(c.region[ci])]}",
                       relation="delivers_in", fte=float(c.used[ci]), capacity=float(c.capacity[ci]))
    return g
