"""Survey maths against a worked example computed by hand.

The design: two strata with two PSUs each, six people (weights w, status):

    stratum 1, PSU 1: A (w=1, deficient), B (w=2, adequate)
    stratum 1, PSU 2: C (w=1, adequate)
    stratum 2, PSU 1: D (w=2, deficient)
    stratum 2, PSU 2: E (w=2, adequate), F (w=2, no lab value)

Share deficient among people with a value: p = (1 + 2) / (1 + 2 + 1 + 2 + 2) = 3/8 = 0.375.
Linearised scores z_i = w_i (y_i - p) / 8:
    A = 1(0.625)/8 = 0.078125, B = 2(-0.375)/8 = -0.09375, C = 1(-0.375)/8 = -0.046875,
    D = 2(0.625)/8 = 0.15625,  E = 2(-0.375)/8 = -0.09375,  F = 0.
PSU totals: (1,1) = -0.015625, (1,2) = -0.046875, (2,1) = 0.15625, (2,2) = -0.09375.
With two PSUs per stratum, n_h/(n_h-1) * sum_j (z_hj - mean_h)^2 = (z_h1 - z_h2)^2:
    stratum 1: (0.03125)^2 = 0.0009765625; stratum 2: (0.25)^2 = 0.0625.
Var = 0.0634765625, SE = 0.2519455...
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from nutrispine.batch.survey import Design, domain_shares, korn_graubard, wr_variance

LABELS = ["deficient", "borderline", "adequate", "high"]
# codes: index into LABELS, -1 = no lab value
CODES = np.array([0, 2, 2, 0, 2, -1])
DESIGN = Design(
    weight=np.array([1.0, 2.0, 1.0, 2.0, 2.0, 2.0]),
    stratum=np.array([1, 1, 1, 2, 2, 2]),
    psu=np.array([1, 1, 2, 1, 2, 2]),
)
EVERYONE = np.ones(6, dtype=bool)


def test_share_and_se_match_the_hand_computation() -> None:
    est = domain_shares(CODES, LABELS, DESIGN, EVERYONE)
    deficient = est.shares["deficient"]
    assert est.n == 5
    assert deficient.estimate == pytest.approx(0.375)
    assert deficient.se == pytest.approx(math.sqrt(0.0634765625))
    # adequate is the complement here, so it has the same SE
    assert est.shares["adequate"].estimate == pytest.approx(0.625)
    assert est.shares["adequate"].se == pytest.approx(deficient.se)
    assert est.shares["borderline"].estimate == 0.0
    assert est.shares["borderline"].se == 0.0


def test_korn_graubard_interval_by_hand() -> None:
    # n = 5 people, df = 4 PSUs - 2 strata = 2.
    # n_eff = p(1-p)/var = 0.234375 / 0.0634765625 = 3.6923 (below n = 5, kept);
    # times (t_{4,0.975} / t_{2,0.975})^2 = (2.7764 / 4.3027)^2 = 0.41640  ->  1.5375;
    # x = p * n_eff = 0.5766; Clopper-Pearson bounds with x successes of n_eff.
    n_eff = 0.234375 / 0.0634765625 * (2.7764451 / 4.3026527) ** 2
    assert n_eff == pytest.approx(1.5375, abs=1e-4)
    x = 0.375 * n_eff
    low = stats.beta.ppf(0.025, x, n_eff - x + 1)
    high = stats.beta.ppf(0.975, x + 1, n_eff - x)
    est = domain_shares(CODES, LABELS, DESIGN, EVERYONE)
    assert est.df == 2
    share = est.shares["deficient"]
    assert (share.ci_low, share.ci_high) == pytest.approx((low, high), rel=1e-6)
    assert share.ci_low < 0.375 < share.ci_high


def test_domain_keeps_psus_without_domain_members() -> None:
    # Domain {A, B, D}: W = 5, p = 3/5. Scores A = 1(0.4)/5 = 0.08, B = 2(-0.6)/5 = -0.24,
    # D = 2(0.4)/5 = 0.16. PSU totals (1,1) = -0.16, (1,2) = 0, (2,1) = 0.16, (2,2) = 0.
    # Var = (-0.16 - 0)^2 + (0.16 - 0)^2 = 0.0512. Dropping C, E, F from the design instead
    # would leave lonely PSUs and a different (wrong) variance.
    domain = np.array([True, True, False, True, False, False])
    est = domain_shares(CODES, LABELS, DESIGN, domain)
    assert est.n == 3
    assert est.shares["deficient"].estimate == pytest.approx(0.6)
    assert est.shares["deficient"].se == pytest.approx(math.sqrt(0.0512))


def test_unweighted_design_gives_the_binomial_se() -> None:
    # Simple random sample: var = n/(n-1) * sum((y-p)/n)^2 = p(1-p)/(n-1).
    codes = np.array([0] * 3 + [2] * 7)
    est = domain_shares(codes, LABELS, Design.unweighted(10), np.ones(10, dtype=bool))
    assert est.shares["deficient"].se == pytest.approx(math.sqrt(0.3 * 0.7 / 9))


def test_lonely_psu_is_centred_on_the_grand_mean() -> None:
    # One stratum with PSUs totals 1 and 3, one lonely PSU with total 5: grand mean 3;
    # var = 2 * ((1-2)^2 + (3-2)^2) + (5-3)^2 = 4 + 4 = 8.
    scores = np.array([[1.0], [3.0], [5.0]])
    design = Design(weight=np.ones(3), stratum=np.array([1, 1, 2]), psu=np.array([1, 2, 1]))
    assert wr_variance(scores, design)[0] == pytest.approx(8.0)


def test_zero_and_full_shares_have_sensible_intervals() -> None:
    low, high = korn_graubard(0.0, 0.0, n=50, df=30)
    assert low == 0.0
    assert 0 < high < 0.1
    low, high = korn_graubard(1.0, 0.0, n=50, df=30)
    assert high == 1.0
    assert low > 0.9
