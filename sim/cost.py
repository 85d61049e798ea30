"""Cost: what a piece of work costs to deliver and to coordinate.

delivered cost = effort / productivity × wage(region, band) × (1 + overhead)
                 + a fixed per-FTE cost of facilities and IT, priced globally,
with effort raised by any skill shortfall (see ``skill``). Coordination is
borne by the buyer: its own managers' time, growing with time-zone and
language distance and with complexity. New contracts add a one-off
transition cost (knowledge transfer, the hidden costs of seed 003).
"""

from __future__ import annotations

import numpy as np

from .world import FIXED_OVERHEAD_USD


def unit_cost(wage, overhead, prod):
    """USD per delivered FTE-month of a fully productive, fully skilled team."""
    return (wage * (1.0 + overhead) + FIXED_OVERHEAD_USD) / prod


def delivery_cost(effort, wage, overhead, prod, effort_factor):
    """Total USD to deliver ``effort`` FTE-months (``effort_factor`` from the skill gap)."""
    return effort * effort_factor * unit_cost(wage, overhead, prod)


def coordination_cost(effort, home_wage, distance, complexity, params):
    """Buyer-side USD of managing remote work: distance × complexity × the buyer's own wage."""
    return effort * home_wage * params.coordination_rate * params.communication_cost_factor * distance * (0.5 + complexity)


def transition_cost(value, is_new_pair, params):
    """One-off USD of moving work to a new supplier (zero for the incumbent)."""
    return np.where(is_new_pair, value * params.transition_rate, 0.0)


def staff_wage(wage, is_subcontractor, params):
    """Wage a delivering firm pays: tier-2 firms pay below primes in the same labour market."""
    return wage * np.where(is_subcontractor, 1.0 - params.subcontractor_wage_discount, 1.0)


def opportunity_cost(cost_usd, markup, utilisation, target):
    """A busy prime doing a module itself gives up the margin its staff would earn elsewhere."""
    return cost_usd * markup * np.clip(utilisation / max(target, 1e-9), 0.0, 1.0)
