"""The chain as a layered network for the dashboard: clients on top, primes, then tier-2/3 subcontractors.

Pure functions from a model's link table to Cytoscape elements and a
stylesheet. They start from the links rather than ``model.chain_graph()``
because the filters (delivery region, work family, tier) are properties of
single links, which the graph has already aggregated per firm pair.

A 2,700-firm baseline has well over a thousand firm-to-firm pairs; a browser
stays responsive with a few hundred, so only the largest pairs by monthly
value are drawn and the view says how many of how many it shows. Positions
are computed here (deterministically, no force layout): one band of rows per
layer, nodes ordered by the mean position of their partners in the band
above and below so that most links run straight down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..scenario import FAMILIES, MODES, World
from ..world import KINDS

MODE_COLOURS = {
    "market": "#2563eb", "modular": "#0d9488", "relational": "#d97706", "captive": "#7c3aed", "hierarchy": "#64748b",
}
DRAWN_MODES = ("market", "modular", "relational", "captive")   # hierarchy is a firm's own team: no link between firms
KIND_SHAPES = {"client": "round-rectangle", "prime": "ellipse", "subcontractor": "diamond"}
KIND_LETTERS = {"client": "C", "prime": "P", "subcontractor": "S"}
DEEPEST_TIER = next(m.le for m in World.model_fields["max_tier"].metadata if hasattr(m, "le"))  # what a scenario allows
LINK_CHOICES = (100, 250, 500, 1000)
LABEL_OFFSET = 150.0                   # layer captions sit this far left of the bands   # how many of the largest firm pairs a page may draw

LINK_COLUMNS = ["link", "buyer", "supplier", "buyer_kind", "supplier_kind", "tier", "mode", "family",
                "region", "value", "fte", "age"]


@dataclass(frozen=True)
class ChainFilter:
    """Which links to draw; an empty tuple means no restriction."""

    regions: tuple[str, ...] = ()    # delivery region of the vendor
    families: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()


@dataclass
class ChainView:
    """What the page draws and what it says about it."""

    elements: list[dict]
    links_shown: int             # firm pairs drawn
    links_total: int             # firm pairs that pass the filters
    firms_shown: int
    firms_total: int
    layers: list[str] = field(default_factory=list)


def parse_filter(regions, families, tiers, region_ids, max_tier: int) -> ChainFilter:
    """A filter from browser values, or ``ValueError`` with a sentence a user can act on."""
    def as_list(value, what):
        if value is None or value == "":
            return []
        if isinstance(value, (str, int)):
            return [value]
        if isinstance(value, (list, tuple)):
            return list(value)
        raise ValueError(f"The {what} filter must be a list of choices.")

    regions, families, tiers = as_list(regions, "region"), as_list(families, "family"), as_list(tiers, "tier")
    bad = [r for r in regions if r not in region_ids]
    if bad:
        raise ValueError(f"Unknown delivery region {bad[0]!r}: choose regions from the list.")
    bad = [f for f in families if f not in FAMILIES]
    if bad:
        raise ValueError(f"Unknown work family {bad[0]!r}: choose from {', '.join(FAMILIES)}.")
    ok_tiers = []
    for t in tiers:
        if isinstance(t, bool) or not isinstance(t, (int, str)) or not str(t).isdigit() or not 1 <= int(t) <= max_tier:
            raise ValueError(f"There is no tier {t!r} in this world: its chains have tiers 1 to {max_tier}.")
        ok_tiers.append(int(t))
    return ChainFilter(tuple(regions), tuple(families), tuple(sorted(set(ok_tiers))))


def chain_links(model) -> pd.DataFrame:
    """The active links between firms (own teams and captive centres left out), one row per link."""
    L, f = model.links, model.firms
    act = model.active_links
    out = act[~L.own[act]]
    kinds = np.array(KINDS, dtype=object)
    return pd.DataFrame({
        "link": out,
        "buyer": L.buyer[out],
        "supplier": L.supplier[out],
        "buyer_kind": kinds[f.kind[L.buyer[out]]],
        "supplier_kind": kinds[f.kind[L.supplier[out]]],
        "tier": L.tier[out].astype(np.int64),
        "mode": np.array(MODES, dtype=object)[L.mode[out]],
        "family": np.array(FAMILIES, dtype=object)[L.family[out]],
        "region": np.array(model.region_ids, dtype=object)[L.region[out]],
        "value": L.price_month[out],
        "fte": L.fte[out],
        "age": model.month - L.start[out],
    }, columns=LINK_COLUMNS)


def filter_links(links: pd.DataFrame, flt: ChainFilter) -> pd.DataFrame:
    keep = np.ones(len(links), dtype=bool)
    if flt.regions:
        keep &= links.region.isin(flt.regions).to_numpy()
    if flt.families:
        keep &= links.family.isin(flt.families).to_numpy()
    if flt.tiers:
        keep &= links.tier.isin(flt.tiers).to_numpy()
    return links[keep]


def firm_pairs(links: pd.DataFrame) -> pd.DataFrame:
    """One row per (buyer, supplier): total value and FTE, lowest tier, oldest age, and the mode carrying most value."""
    if links.empty:
        return pd.DataFrame(columns=["buyer", "supplier", "buyer_kind", "supplier_kind", "tier", "mode", "value", "fte", "age", "links"])
    by_mode = links.groupby(["buyer", "supplier", "mode"], sort=False).value.sum().reset_index()
    by_mode = by_mode.sort_values(["buyer", "supplier", "value", "mode"], ascending=[True, True, False, True])
    main_mode = by_mode.drop_duplicates(["buyer", "supplier"]).set_index(["buyer", "supplier"])["mode"]
    pairs = links.groupby(["buyer", "supplier"]).agg(
        buyer_kind=("buyer_kind", "first"), supplier_kind=("supplier_kind", "first"), tier=("tier", "min"),
        value=("value", "sum"), fte=("fte", "sum"), age=("age", "max"), links=("link", "size"),
    )
    pairs["mode"] = main_mode.reindex(pairs.index).to_numpy()
    return pairs.reset_index()


def largest(pairs: pd.DataFrame, max_links: int) -> pd.DataFrame:
    """The pairs of highest value, at most ``max_links``, shared out fairly between tiers.

    Subcontracts are worth a fraction of client contracts, so a plain top-N
    by value would show no subcontractor at all. Each tier gets an equal share
    of the budget; what a small tier leaves unused goes to the others. Ties
    are broken by firm ids, so the cut is deterministic.
    """
    ranked = pairs.sort_values(["value", "buyer", "supplier"], ascending=[False, True, True])
    counts = ranked.tier.value_counts().sort_values(kind="stable")      # smallest tier first
    budget, left, quota = int(max_links), len(counts), {}
    for tier, count in sorted(counts.items(), key=lambda tc: (tc[1], tc[0])):
        quota[tier] = min(int(count), budget // left)
        budget -= quota[tier]
        left -= 1
    rank_in_tier = ranked.groupby("tier").cumcount()
    return ranked[rank_in_tier.to_numpy() < ranked.tier.map(quota).to_numpy()]


def node_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each firm in the drawn pairs: kind, layer, value and main mode.

    A firm's layer is the tier at which it sells (its highest position in the
    chain), or one above the tier at which it buys if it only buys here. Its
    value is what it sells, or what it buys if it sells nothing here, and its
    colour is the mode carrying most of that value.
    """
    sells = pairs.rename(columns={"supplier": "firm", "supplier_kind": "kind"}).assign(layer=pairs.tier, side=0)
    buys = pairs.rename(columns={"buyer": "firm", "buyer_kind": "kind"}).assign(layer=pairs.tier - 1, side=1)
    ends = pd.concat([sells[["firm", "kind", "layer", "side", "mode", "value"]],
                      buys[["firm", "kind", "layer", "side", "mode", "value"]]], ignore_index=True)
    layer = ends.groupby("firm").layer.min()
    side = ends.groupby("firm").side.min()                     # 0 if it sells anything here
    counted = ends[ends.side.to_numpy() == side.reindex(ends.firm).to_numpy()]
    value = counted.groupby("firm").value.sum()
    mode_value = counted.groupby(["firm", "mode"]).value.sum().reset_index()
    mode_value = mode_value.sort_values(["firm", "value", "mode"], ascending=[True, False, True])
    mode = mode_value.drop_duplicates("firm").set_index("firm")["mode"]
    kind = ends.groupby("firm").kind.first()
    return pd.DataFrame({"kind": kind, "layer": layer, "value": value, "mode": mode}).rename_axis("firm").reset_index()


def order_layers(nodes: pd.DataFrame, pairs: pd.DataFrame, sweeps: int = 2) -> dict[int, list[int]]:
    """Order each layer by the mean position of its partners in the neighbouring layer (barycentre heuristic)."""
    layer_of = dict(zip(nodes.firm.tolist(), nodes.layer.tolist()))
    order = {k: sorted(g.firm.tolist()) for k, g in nodes.groupby("layer")}
    partners: dict[int, list[int]] = {f: [] for f in layer_of}
    for b, s in zip(pairs.buyer.tolist(), pairs.supplier.tolist()):
        partners[b].append(s)
        partners[s].append(b)
    pos = {}

    def place(k):
        n = len(order[k])
        for i, firm in enumerate(order[k]):
            pos[firm] = i / (n - 1) if n > 1 else 0.5

    for k in order:
        place(k)
    layers = sorted(order)
    for _ in range(sweeps):
        for sequence, step in ((layers[1:], -1), (layers[-2::-1], 1)):
            for k in sequence:
                def key(firm, ref=k + step):
                    near = [pos[p] for p in partners[firm] if layer_of[p] == ref]
                    return (sum(near) / len(near) if near else pos[firm], firm)
                order[k] = sorted(order[k], key=key)
                place(k)
    return order


def positions(order: dict[int, list[int]], aspect: float = 1.4, spacing: float = 46.0,
              row_gap: float = 40.0, layer_gap: float = 150.0) -> dict[int, tuple[float, float]]:
    """x, y of every firm: each layer a band of rows, filled column by column so that x follows the
    layer's order; every band spans the same width so links fan out evenly. The number of columns
    is chosen so the whole picture is about ``aspect`` times wider than high (the page's canvas)."""
    sizes = [len(firms) for firms in order.values()]
    best = min(range(4, max(sizes) + 1) if max(sizes) > 4 else [max(sizes)],
               key=lambda per_row: (abs(math.log(_extent(sizes, per_row, spacing, row_gap, layer_gap) / aspect)), per_row))
    xy, top = {}, 0.0
    width = _band_width(sizes, best, spacing)
    for k in sorted(order):
        firms = order[k]
        rows = max(1, math.ceil(len(firms) / best))
        cols = math.ceil(len(firms) / rows)
        for i, firm in enumerate(firms):
            col, row = divmod(i, rows)
            # alternate columns shift half a row, so neighbours in a band do not hide each other's links
            xy[firm] = ((col + 0.5) / cols * width, top + row * row_gap + (col % 2) * (row_gap / 2 if rows > 1 else 0))
        top += _band_height(rows, row_gap) + layer_gap
    return xy


def _band_width(sizes, per_row, spacing) -> float:
    return max(max(math.ceil(n / max(1, math.ceil(n / per_row))) for n in sizes) * spacing, 400.0)


def _band_height(rows, row_gap) -> float:
    return (rows - 1) * row_gap + (row_gap / 2 if rows > 1 else 0)


def _extent(sizes, per_row, spacing, row_gap, layer_gap) -> float:
    """Width over height of the picture with ``per_row`` columns at most per band."""
    height = sum(_band_height(math.ceil(n / per_row), row_gap) for n in sizes) + layer_gap * (len(sizes) - 1) + row_gap
    return (_band_width(sizes, per_row, spacing) + LABEL_OFFSET) / height


def node_size(value: np.ndarray, largest_value: float) -> np.ndarray:
    """Area grows with value: 12 px for the smallest up to 48 px for the largest."""
    return 12.0 + 36.0 * np.sqrt(np.asarray(value, dtype=float) / max(largest_value, 1e-9))


def chain_view(links: pd.DataFrame, flt: ChainFilter = ChainFilter(), max_links: int = 250) -> ChainView:
    """Cytoscape elements (preset positions) for the largest ``max_links`` firm pairs that pass ``flt``."""
    pairs_all = firm_pairs(filter_links(links, flt))
    firms_total = len(set(pairs_all.buyer.tolist()) | set(pairs_all.supplier.tolist()))
    if pairs_all.empty:
        return ChainView([], 0, 0, 0, firms_total)
    pairs = largest(pairs_all, max_links)
    nodes = node_table(pairs)
    order = order_layers(nodes, pairs)
    xy = positions(order)
    size = dict(zip(nodes.firm.tolist(), node_size(nodes.value, nodes.value.max()).tolist()))
    elements = []
    for n in nodes.itertuples(index=False):
        x, y = xy[n.firm]
        elements.append({
            "data": {"id": f"firm:{n.firm}", "firm": int(n.firm), "label": f"{KIND_LETTERS[n.kind]}{n.firm}",
                     "kind": n.kind, "mode": n.mode, "value": round(float(n.value), 2), "size": round(size[n.firm], 1)},
            "position": {"x": round(x, 1), "y": round(y, 1)},
            "classes": f"firm {n.kind} {n.mode}",
        })
    top_value = float(pairs.value.max())
    layer_of = dict(zip(nodes.firm.tolist(), nodes.layer.tolist()))
    for p in pairs.itertuples(index=False):
        # a subcontractor selling at tiers 2 and 3 sits in one band: its tier-3 links arc within the band
        within = " within" if layer_of[p.buyer] == layer_of[p.supplier] else ""
        elements.append({
            "data": {"id": f"pair:{p.buyer}-{p.supplier}", "source": f"firm:{p.buyer}", "target": f"firm:{p.supplier}",
                     "mode": p.mode, "tier": int(p.tier), "value": round(float(p.value), 2), "links": int(p.links),
                     "width": round(1.0 + 5.0 * math.sqrt(p.value / max(top_value, 1e-9)), 2)},
            "classes": f"pair {p.mode}{within}",
        })
    elements += layer_labels(order, xy)
    return ChainView(elements, len(pairs), len(pairs_all), len(nodes), firms_total,
                     [layer_name(k) for k in sorted(order)])


def layer_name(layer: int) -> str:
    """Clients on top; below them the vendors by the highest tier at which they sell."""
    return "clients" if layer == 0 else "tier 1: primes" if layer == 1 else f"tier {layer}: subcontractors"


def layer_labels(order, xy) -> list[dict]:
    """A caption left of each layer's band (not a firm: it ignores clicks)."""
    left = min(x for x, _ in xy.values()) - LABEL_OFFSET
    out = []
    for k in sorted(order):
        ys = [xy[f][1] for f in order[k]]
        out.append({"data": {"id": f"layer:{k}", "label": layer_name(k)}, "position": {"x": left, "y": (min(ys) + max(ys)) / 2},
                    "classes": "layer", "selectable": False, "grabbable": False})
    return out


def stylesheet() -> list[dict]:
    """Shapes by kind, colours by governance mode, sizes and widths from the elements' data."""
    sheet = [
        {"selector": "node.firm", "style": {
            "width": "data(size)", "height": "data(size)", "label": "data(label)", "font-size": 9,
            "min-zoomed-font-size": 10, "text-valign": "center", "color": "#0f172a", "text-outline-color": "#ffffff",
            "text-outline-width": 1.5, "border-width": 1, "border-color": "#0f172a", "border-opacity": 0.35}},
        {"selector": "edge.pair", "style": {
            "width": "data(width)", "curve-style": "haystack", "haystack-radius": 0, "opacity": 0.55}},
        {"selector": "edge.within", "style": {
            "curve-style": "unbundled-bezier", "control-point-distances": 40, "control-point-weights": 0.5}},
        {"selector": "node.layer", "style": {
            "label": "data(label)", "shape": "rectangle", "width": 1, "height": 1, "background-opacity": 0,
            "font-size": 24, "font-weight": "bold", "color": "#475569", "text-halign": "left", "text-valign": "center",
            "events": "no"}},
        {"selector": "node:selected", "style": {"border-width": 4, "border-color": "#dc2626", "border-opacity": 1}},
    ]
    for kind, shape in KIND_SHAPES.items():
        sheet.append({"selector": f"node.{kind}", "style": {"shape": shape}})
    for mode, colour in MODE_COLOURS.items():
        sheet.append({"selector": f"node.{mode}", "style": {"background-color": colour}})
        sheet.append({"selector": f"edge.{mode}", "style": {"line-color": colour}})
    return sheet
