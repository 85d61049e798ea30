"""Seed 001: outsourcing customer service to a region with cheaper labour saves 30-50% of its cost."""

from __future__ import annotations

import pytest

from .replicates import mean_se

pytestmark = pytest.mark.stylized

SOURCE_RANGE = (0.30, 0.50)
FIRST_YEAR = 12   # months in which the world's chains are still forming


def savings_after_first_year(run) -> float:
    """1 − what clients spent on the work / what it would have cost them in-house at home."""
    return 1.0 - run.contact_spend[FIRST_YEAR:].sum() / run.contact_inhouse[FIRST_YEAR:].sum()


def test_outsourcing_customer_service_to_a_cheaper_region_saves_30_to_50_percent(baseline_runs):
    """Seed 001 (服务外包是什么意思): "企业将客服外包给人力成本较低的地区,可节省30%-50%的客服支出" —
    a firm that outsources its customer service to a region where labour costs less saves
    30-50% of what it spent on that service.

    Read in the source's terms: customer-contact work (the catalogue's front-office type) that
    clients gave to a vendor delivering from a region where contact-centre wages are lower than
    at home; spend = payments + coordination + transition + any offshoring levy, against the
    in-house-at-home cost fixed when each contract was signed (the ``client_savings_share``
    accounting), pooled over months 13-60 of each baseline replicate.

    Measured (48 replicates): 0.437 ± 0.004, single replicates 0.38-0.50. Not the BPO family's
    ``client_savings_share`` (0.541 ± 0.002): that metric also counts clients' own captive
    centres abroad, which are offshoring but not outsourcing and save about 0.69 on customer
    contact (0.72-0.81 on the other work types, 4 replicates), and finance, HR and
    supply-chain work.
    """
    savings = [savings_after_first_year(run) for run in baseline_runs]
    mean, se = mean_se(savings)
    low, high = SOURCE_RANGE
    assert low <= mean - 2 * se and mean + 2 * se <= high, f"savings {mean:.3f} ± {se:.3f}, source {low:.0%}-{high:.0%}"
