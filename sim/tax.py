"""Tax: profit is taxed where the work is booked.

A delivery centre books the revenue of the links it supplies and the costs of
delivering them; its profit is taxed at its region's effective rate
(statutory rate less any export-services incentive). Providers price for an
after-tax margin, so a higher effective rate in a region raises the prices
quoted from there and moves location choices elsewhere.
"""

from __future__ import annotations

import numpy as np


def effective_rate(regions) -> np.ndarray:
    return np.clip(regions.tax_rate * (1.0 - regions.tax_incentive), 0.0, 0.95)


def price_for_after_tax_margin(cost, markup, rate):
    """Price that leaves ``markup × cost`` after tax: cost × (1 + markup / (1 − rate))."""
    return cost * (1.0 + markup / (1.0 - rate))


def tax_on_profit(profit, rate):
    """Tax due on a period's profit; losses pay none (no carry-forward in a month)."""
    return np.maximum(profit, 0.0) * rate
