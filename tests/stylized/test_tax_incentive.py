"""Seeds 001 and 002: tax incentives draw outsourcing work to the region that grants them."""

from __future__ import annotations

import pytest

from .replicates import mean_se, window

pytestmark = pytest.mark.stylized

THIRD_YEAR = (37, 48)   # the incentive starts in month 13


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="model gives +0.17 ± 0.09 pp of delivered share for PHL in the incentive's third year "
                          "(t = 1.8, 48 replicates; +2.7% of its 6.3%): the source says the share rises; "
                          "see issue #8 note")
def test_a_tax_incentive_raises_the_regions_delivery_share_within_a_few_years(tax_incentive_runs, baseline_runs):
    """Seed 001: "通过税收优惠、人才补贴、基础设施建设等政策,吸引和培育服务外包企业,推动产业集聚发展" —
    tax incentives, talent subsidies and infrastructure attract and grow outsourcing firms and
    build clusters; seed 002 lists tax among the policies of China's demonstration cities.

    The ``philippines_tax_incentive`` scenario (all corporate tax waived from month 13 for four
    years, against 60% waived in the baseline) on the baseline's seeds: the Philippines' share of
    delivered FTE outside clients' home teams in the incentive's third year.

    Measured (48 replicates): +0.0017 ± 0.0009 on a baseline share of 0.063; first year
    +0.0002 ± 0.0002, second +0.0005 ± 0.0007. The direction is right, the effect is
    smaller than twice its standard error: the model misses the fact by that margin. (The
    effective rate falls from 10% to 0%; vendors price for an after-tax margin, so at a 20%
    markup prices quoted from the Philippines fall by under 2%.)
    """
    phl = baseline_runs[0].region("PHL")
    gains = [window(scenario.share[:, phl], *THIRD_YEAR) - window(base.share[:, phl], *THIRD_YEAR)
             for scenario, base in zip(tax_incentive_runs, baseline_runs)]
    gain, se = mean_se(gains)
    assert gain > 2 * se, f"PHL share gain {gain:+.4f} ± {se:.4f}"
