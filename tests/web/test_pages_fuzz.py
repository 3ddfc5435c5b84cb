"""Forms with junk in every field get a page or a redirect, never a 5xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import csrf, make_client

FORMS = {
    "/wizard/about": ["age", "sex", "pregnant", "lactating", "weight_kg", "height_cm"],
    "/wizard/pain": ["regions", "duration_weeks", "severity"],
    "/wizard/symptoms": ["symptoms"],
    "/wizard/history": ["risk_factors", "medications", "other_medications", "diet", "exclude",
                        "dislikes", "activity"],
    "/wizard/diet": ["day1", "day2", "sup_nutrient_0", "sup_amount_0", "sup_unit_0"],
    "/wizard/labs": ["lab_test_0", "lab_value_0", "lab_unit_0", "lab_day_0"],
    "/diary": ["day", "text"],
    "/labs": ["test", "value", "unit", "day"],
    "/pain": ["day", "region", "score", "notes"],
    "/account/delete": ["confirm"],
    "/results": [],
}
JUNK = st.one_of(st.text(max_size=40), st.sampled_from(
    ["", "-3", "1e999", "nan", "NaN", "inf", "0", "10", "11", "2026-13-45", "9999-12-31",
     "vitamin_d_25oh", "magnesium", "mg/dL", "ng/mL", "female", "neck", "µg", "IU", "on",
     "<script>alert(1)</script>", "1 cup 2% milk"]))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, str]:
    """One server for all examples (its data piles up, as a real one's would)."""
    client = make_client(tmp_path_factory.mktemp("fuzz"))
    return client, csrf(client, "/wizard/about")


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(sorted(FORMS)), values=st.lists(JUNK, min_size=7, max_size=7))
def test_junk_forms_never_fail(site: tuple[TestClient, str], path: str,
                               values: list[str]) -> None:
    client, token = site
    data = dict(zip(FORMS[path], values, strict=False))
    response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
    assert response.status_code < 500, (path, data, response.text[:500])
    if path != "/account/delete":
        follow = client.get(path if path != "/results" else "/results")
        assert follow.status_code < 500
