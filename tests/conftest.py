"""Shared fixtures. Session-scoped runs are shared by tests that only read them;
tests that change state build their own model (``make_model``)."""

from __future__ import annotations

import pytest

from helpers import SMALL, build
from sim import ChainModel, load_scenario


@pytest.fixture
def small_overrides() -> dict:
    """The small-world overrides (a fresh copy per test)."""
    return dict(SMALL)


@pytest.fixture(scope="session")
def small_scenario():
    return load_scenario("baseline", SMALL)


@pytest.fixture(scope="session")
def small_run(small_scenario) -> ChainModel:
    """A small world run for 24 months with seed 1. Read it, do not change it."""
    return ChainModel(small_scenario, seed=1).run(24)


@pytest.fixture(scope="session")
def small_metrics(small_run):
    return small_run.metrics()


@pytest.fixture
def make_model():
    """Factory: ``make_model(overrides, seed=1, base=SMALL)`` → an un-run ChainModel."""
    return build


def pytest_setup_options():
    """Headless Chromium for dash_duo browser tests (no display here or in CI), cut off from
    every host but this machine, so a page that needs the internet (a CDN) fails its test."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1280,900",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"):
        options.add_argument(arg)
    return options
