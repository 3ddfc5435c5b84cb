"""Lab rules against their cited numbers: conversion, cut-off boundaries in each published unit,
albumin correction, B12 with MMA and homocysteine, and the explanations."""

from __future__ import annotations

import pytest

from nutrispine.knowledge import load_knowledge
from nutrispine.labs import interpret_labs
from nutrispine.profile import parse_profile

KB = load_knowledge()


def labs(*entries: dict, scheme: str = "nam2011") -> dict:
    profile = parse_profile({"person": {"age": 50, "sex": "female"}, "labs": list(entries)})
    return interpret_labs(profile.labs, KB, vitamin_d_scheme=scheme)


@pytest.mark.parametrize(
    ("value", "unit", "status", "si"),
    [
        (29.9, "nmol/L", "deficient", 29.9),
        (30, "nmol/L", "borderline", 30.0),
        (49.9, "nmol/L", "borderline", 49.9),
        (50, "nmol/L", "adequate", 50.0),
        (125, "nmol/L", "adequate", 125.0),
        (125.1, "nmol/L", "high", 125.1),
        (11.9, "ng/mL", "deficient", 29.7),
        (12, "ng/mL", "borderline", 30.0),
        (18, "ng/mL", "borderline", 44.9),
        (20, "ng/mL", "adequate", 49.9),
        (50, "ng/mL", "adequate", 124.8),
        (51, "ng/mL", "high", 127.3),
        (18, "ug/L", "borderline", 44.9),
        (18, "µg/L", "borderline", 44.9),
        (300, "nmol/L", "high", 300.0),
    ],
)
def test_vitamin_d_nam2011(value: float, unit: str, status: str, si: float) -> None:
    result = labs({"test": "vitamin_d_25oh", "value": value, "unit": unit})["vitamin_d_25oh"]
    assert (result.status, result.value_si, result.unit_si) == (status, si, "nmol/L")


@pytest.mark.parametrize(
    ("value", "unit", "status"),
    [
        (49, "nmol/L", "deficient"),
        (50, "nmol/L", "borderline"),
        (74.9, "nmol/L", "borderline"),
        (75, "nmol/L", "adequate"),
        (250, "nmol/L", "adequate"),
        (251, "nmol/L", "high"),
        (19.9, "ng/mL", "deficient"),
        (20, "ng/mL", "borderline"),
        (30, "ng/mL", "adequate"),
        (101, "ng/mL", "high"),
    ],
)
def test_vitamin_d_endocrine_society_2011(value: float, unit: str, status: str) -> None:
    result = labs({"test": "vitamin_d_25oh", "value": value, "unit": unit}, scheme="endocrine2011")
    assert result["vitamin_d_25oh"].status == status


@pytest.mark.parametrize(
    ("value", "unit", "status", "si"),
    [
        (147, "pmol/L", "deficient", 147.0),
        (148, "pmol/L", "borderline", 148.0),
        (221, "pmol/L", "borderline", 221.0),
        (222, "pmol/L", "adequate", 222.0),
        (180, "pg/mL", "deficient", 132.8),
        (199, "pg/mL", "deficient", 146.8),
        (200, "pg/mL", "borderline", 147.6),
        (300, "pg/mL", "borderline", 221.3),
        (301, "pg/mL", "adequate", 222.1),
        (400, "ng/L", "adequate", 295.1),
    ],
)
def test_vitamin_b12(value: float, unit: str, status: str, si: float) -> None:
    result = labs({"test": "vitamin_b12", "value": value, "unit": unit})["vitamin_b12"]
    assert (result.status, result.value_si) == (status, si)


@pytest.mark.parametrize(
    ("b12", "marker", "status"),
    [
        (
            {"value": 180, "unit": "pmol/L"},
            {"test": "methylmalonic_acid", "value": 0.40, "unit": "µmol/L"},
            "deficient",
        ),
        (
            {"value": 180, "unit": "pmol/L"},
            {"test": "methylmalonic_acid", "value": 271, "unit": "nmol/L"},
            "borderline",
        ),
        ({"value": 180, "unit": "pmol/L"}, {"test": "methylmalonic_acid", "value": 272, "unit": "nmol/L"}, "deficient"),
        ({"value": 180, "unit": "pmol/L"}, {"test": "homocysteine", "value": 15.1, "unit": "umol/L"}, "deficient"),
        ({"value": 180, "unit": "pmol/L"}, {"test": "homocysteine", "value": 15, "unit": "umol/L"}, "borderline"),
        ({"value": 250, "unit": "pmol/L"}, {"loinc": "13964-2", "value": 0.5, "unit": "umol/L"}, "deficient"),
        ({"value": 400, "unit": "pmol/L"}, {"test": "methylmalonic_acid", "value": 0.5, "unit": "umol/L"}, "adequate"),
    ],
)
def test_b12_borderline_or_low_normal_resolved_by_markers(b12: dict, marker: dict, status: str) -> None:
    result = labs({"test": "vitamin_b12", **b12}, marker)
    assert result["vitamin_b12"].status == status
    if status == "deficient":
        assert any("raised" in note for note in result["vitamin_b12"].notes)


@pytest.mark.parametrize(
    ("value", "unit", "status", "si"),
    [
        (0.74, "mmol/L", "deficient", 0.74),
        (0.75, "mmol/L", "borderline", 0.75),
        (0.84, "mmol/L", "borderline", 0.84),
        (0.85, "mmol/L", "adequate", 0.85),
        (1.05, "mmol/L", "adequate", 1.05),
        (1.06, "mmol/L", "high", 1.06),
        (1.8, "mg/dL", "deficient", 0.74),
        (2.0, "mg/dL", "borderline", 0.82),
        (2.1, "mg/dL", "adequate", 0.86),
        (1.6, "mEq/L", "borderline", 0.8),
    ],
)
def test_magnesium(value: float, unit: str, status: str, si: float) -> None:
    result = labs({"test": "magnesium", "value": value, "unit": unit})["magnesium"]
    assert (result.status, result.value_si) == (status, si)
    assert "does not rule out" in KB.labs["magnesium"].explanation


def test_normal_serum_magnesium_is_explained_as_not_ruling_out_a_shortfall() -> None:
    result = labs({"test": "magnesium", "value": 0.9, "unit": "mmol/L"})["magnesium"]
    assert result.status == "adequate"
    assert "does not rule out a shortfall" in result.explanation


@pytest.mark.parametrize(
    ("calcium", "albumin", "status", "si"),
    [
        ({"value": 8.2, "unit": "mg/dL"}, {"value": 3.0, "unit": "g/dL"}, "adequate", 2.25),  # 2.046 + 0.2
        ({"value": 2.05, "unit": "mmol/L"}, {"value": 40, "unit": "g/L"}, "deficient", 2.05),
        ({"value": 2.05, "unit": "mmol/L"}, {"value": 35, "unit": "g/L"}, "adequate", 2.15),
        ({"value": 2.60, "unit": "mmol/L"}, {"value": 30, "unit": "g/L"}, "high", 2.80),
        ({"value": 10.6, "unit": "mg/dL"}, None, "high", 2.64),
        ({"value": 4.4, "unit": "mEq/L"}, None, "adequate", 2.2),
    ],
)
def test_calcium_corrected_for_albumin(calcium: dict, albumin: dict | None, status: str, si: float) -> None:
    entries = [{"test": "calcium", **calcium}] + ([{"test": "albumin", **albumin}] if albumin else [])
    result = labs(*entries)["calcium"]
    assert (result.status, result.value_si) == (status, si)
    assert result.corrected_for_albumin is (albumin is not None)


def test_already_corrected_loinc_is_not_corrected_twice() -> None:
    result = labs(
        {"loinc": "29265-6", "value": 2.05, "unit": "mmol/L"}, {"test": "albumin", "value": 30, "unit": "g/L"}
    )
    assert result["calcium"].value_si == 2.05


@pytest.mark.parametrize(
    ("value", "unit", "status"),
    [(1.11, "mmol/L", "deficient"), (1.2, "mmol/L", "adequate"), (1.33, "mmol/L", "high"), (4.8, "mg/dL", "adequate")],
)
def test_ionized_calcium(value: float, unit: str, status: str) -> None:
    assert labs({"test": "calcium_ionized", "value": value, "unit": unit})["calcium_ionized"].status == status


def test_latest_dated_result_wins() -> None:
    result = labs(
        {"test": "vitamin_d_25oh", "value": 20, "unit": "nmol/L", "date": "2026-01-01"},
        {"test": "vitamin_d_25oh", "value": 80, "unit": "nmol/L", "date": "2026-09-01"},
        {"test": "vitamin_d_25oh", "value": 10, "unit": "nmol/L", "date": "2025-06-01"},
    )
    assert result["vitamin_d_25oh"].value == 80


def test_pth_conversion_and_marker_status() -> None:
    result = labs({"test": "pth", "value": 90, "unit": "pg/mL"})["pth"]
    assert result.value_si == 9.5
    assert result.status == "elevated"
