"""Replicate runs shared by the stylized-fact tests (one session, each run once).

The baseline runs serve as the comparison for every scenario, so they run for
the longest window any fact reads (60 months); each scenario runs only as long
as the fact read from it needs, and on only the first 16 seeds where its effect
is large. Tests pair scenario and baseline runs by position (``zip``).
"""

from __future__ import annotations

import pytest

from .replicates import FEW_SEEDS, SEEDS, Tracked, fail_primes


def pytest_configure(config):
    config.addinivalue_line("markers", "stylized: stylized-fact validation over replicate worlds (issue #8)")


@pytest.fixture(scope="session")
def baseline_runs():
    return [Tracked("baseline", seed) for seed in SEEDS]


@pytest.fixture(scope="session")
def tax_incentive_runs():
    return [Tracked("philippines_tax_incentive", seed, months=48) for seed in SEEDS]


@pytest.fixture(scope="session")
def training_subsidy_runs():
    return [Tracked("china_training_subsidy", seed) for seed in SEEDS]


@pytest.fixture(scope="session")
def ai_automation_runs():
    return [Tracked("ai_automation", seed, months=48) for seed in FEW_SEEDS]


@pytest.fixture(scope="session")
def prime_failures():
    return [fail_primes(seed) for seed in FEW_SEEDS]
