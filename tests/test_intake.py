"""Adequacy maths against the IOM 2000 worked example, computed by hand."""

from __future__ import annotations

import math

import pytest

from nutrispine.intake import (
    adequacy_z,
    confidence_above_ai,
    mean_per_day,
    normal_cdf,
    probability_adequate,
    top_sources,
    upper_limit_check,
    within_person_sd,
)


def test_iom_2000_magnesium_worked_example() -> None:
    """IOM 2000 (NAP 9956) p.54: a woman 31-50 y, 3 days, mean 320 mg, EAR 265 mg, CV 10 %.

    By hand: D = 320 - 265 = 55; SD_req = 26.5, SD_req^2 = 702.25; SD_within = 86, 86^2/3 =
    2465.33; SD_D = sqrt(3167.58) = 56.28; z = 55 / 56.28 = 0.977; Phi(0.977) = 0.836
    (the report rounds z to "about 1" and quotes 85 %).
    """
    z = adequacy_z(320, 265, 26.5, 86, 3)
    assert z == pytest.approx(0.9772, abs=1e-3)
    assert probability_adequate(320, 265, 26.5, 86, 3) == pytest.approx(0.836, abs=1e-3)


def test_more_days_mean_more_confidence() -> None:
    one, seven = (probability_adequate(320, 265, 26.5, 86, n) for n in (1, 7))
    assert one < probability_adequate(320, 265, 26.5, 86, 3) < seven
    assert probability_adequate(265, 265, 26.5, 86, 3) == pytest.approx(0.5)
    # at 377 mg over 3 days the report says 97.5 % confidence (z = 2)
    assert probability_adequate(377, 265, 26.5, 86, 3) == pytest.approx(0.975, abs=0.003)


def test_calcium_ai_example_table_3_2() -> None:
    """IOM 2000 Table 3-2: mean 1,200 mg, AI 1,000 mg, SD 325 mg: 1 day 73 %, 3 d 86 %, 7 d 95 %."""
    assert [round(confidence_above_ai(1200, 1000, 325, n) * 100) for n in (1, 3, 7)] == [73, 86, 95]


def test_mean_and_edge_cases() -> None:
    assert mean_per_day([300.0, 250.0, 410.0]) == pytest.approx(320.0)
    with pytest.raises(ValueError, match="at least one day"):
        mean_per_day([])
    with pytest.raises(ValueError, match="days"):
        adequacy_z(1, 1, 1, 1, 0)
    assert adequacy_z(5, 1, 0, 0, 1) == math.inf
    assert normal_cdf(0) == 0.5


def test_top_sources_and_upper_limit() -> None:
    assert top_sources({"milk": 3.0, "salmon": 11.0, "apple": 0.0, "egg": 1.0}) == [
        "salmon", "milk", "egg"]
    # vitamin D: food counts toward the UL of 100 µg
    assert upper_limit_check(30.0, 75.0, 100.0, "total") == {
        "applies_to": "total", "amount": 105.0, "ul": 100.0, "above": True}
    # magnesium: the UL covers supplements only, food is left out
    assert upper_limit_check(500.0, 300.0, 350.0, "supplements")["above"] is False  # type: ignore[index]
    assert upper_limit_check(5.0, 0.0, None, "total") is None


def test_within_person_sd_is_cited() -> None:
    mg = within_person_sd("magnesium", "female")
    assert mg.sd_within == 86 and not mg.unverified and "p.54" in mg.source
    ca = within_person_sd("calcium", "female")
    assert ca.sd_within == 325 and not ca.unverified
    assert within_person_sd("vitamin_d", "male").unverified


def test_infinite_supplement_never_reaches_json() -> None:
    import json

    from nutrispine.intake import NutrientIntake

    block = NutrientIntake("vitamin_d", 5.0, "µg", 2, 10, 15, None, 100, 0.1, [], 1.0,
                           "food_log", supplement_per_day=math.inf,
                           upper_limit=upper_limit_check(5.0, math.inf, 100.0, "total"))
    out = block.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["supplement_per_day"] is None and out["upper_limit"]["above"] is True
