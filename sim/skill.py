"""Skill: a shortfall lowers quality and raises effort.

A team's skill at a work type blends its region's workforce skill, the firm's
capability in the family and the centre's accumulated experience. The gap to
what the work requires inflates effort (cost) and lowers delivered quality.
"""

from __future__ import annotations

import numpy as np

REGION_WEIGHT, CAPABILITY_WEIGHT, EXPERIENCE_WEIGHT = 0.35, 0.45, 0.20


def team_skill(region_skill, capability, experience):
    return REGION_WEIGHT * region_skill + CAPABILITY_WEIGHT * capability + EXPERIENCE_WEIGHT * experience


def shortfall(required, skill):
    return np.maximum(required - skill, 0.0)


def effort_factor(gap, penalty):
    """Effort multiplier: a team short of skill needs more FTE-months for the same work."""
    return 1.0 + penalty * gap


def quality_loss(gap, penalty):
    return penalty * gap
