"""The model's books must balance: checks run by the tests after every step.

- money paid equals money received on every link;
- the change in all firms' cash equals what came in from clients' budgets
  less wages, coordination, bench and taxes (nothing created or lost);
- work awarded = delivered + in progress + failed, on every link;
- no negative capacity, used capacity, wage or balance of a living firm; no NaN.
"""

from __future__ import annotations

import numpy as np

from .world import ACTIVE


class InvariantError(AssertionError):
    pass


def check(model) -> None:
    L, f, c, r = model.links, model.firms, model.centres, model.regions
    problems = []
    if not np.allclose(L.paid, L.received):
        problems.append("a link's paid and received money differ")
    remaining = np.where(L.status == ACTIVE, L.effort - L.delivered - L.failed, 0.0)
    accounted = L.delivered + L.failed + remaining
    if not np.allclose(accounted, L.effort, rtol=1e-9, atol=1e-6):
        problems.append("awarded work != delivered + in progress + failed")
    if (L.delivered > L.effort * (1 + 1e-9) + 1e-6).any():
        problems.append("a link delivered more than was awarded")
    if (c.capacity < -1e-9).any() or (c.used < -1e-6).any():
        problems.append("negative capacity")
    live = c.alive & ~c.own
    if (c.used[live] > c.capacity[live] * (1 + 1e-9) + 1e-6).any():
        problems.append("a centre is over capacity")
    if (r.wage <= 0).any():
        problems.append("non-positive wage")
    if (f.cash[f.alive] < -1e-6).any():
        problems.append(f"{int((f.cash[f.alive] < -1e-6).sum())} living firms have a negative balance")
    for name, table in (("links", L), ("firms", f), ("centres", c), ("regions", r)):
        for col, arr in table.snapshot().items():
            if arr.dtype.kind == "f" and np.isnan(arr).any():
                problems.append(f"NaN in {name}.{col}")
    d = getattr(model, "last_delivery", None)
    if d is not None:
        # every dollar that moved between firms left one account and entered another:
        # the firms' net change equals budgets in less wages, coordination, bench and tax out
        net, external = float(d["cash_delta"].sum()), float(d["external"])
        scale = max(abs(external), float(np.abs(d["payment"]).sum()), 1.0)
        if abs(net - external) > 1e-9 * scale + 1e-3:
            problems.append(f"money not conserved: firms' cash changed by {net:,.2f}, external flows were {external:,.2f}")
    if problems:
        raise InvariantError(f"month {model.month}: " + "; ".join(problems))
