"""The JSON API: assess matches the CLI byte for byte, bad input is a clear 4xx, never a 5xx."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from .conftest import PROFILE


def cli_json(tmp_path: Path, profile: dict[str, object]) -> bytes:
    from nutrispine.cli import app

    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile))
    result = CliRunner().invoke(app, ["assess", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.mark.parametrize("profile", [
    PROFILE,
    {"person": {"age": 30, "sex": "male"}},
    {"person": {"age": 45, "sex": "female"}, "symptoms": ["saddle_anesthesia"],
     "labs": [{"test": "vitamin_b12", "value": 150, "unit": "pmol/L"}]},
])
def test_assess_is_byte_for_byte_the_cli_json(client: TestClient, tmp_path: Path,
                                              foods_db: Path, profile: dict[str, object]) -> None:
    response = client.post("/api/v1/assess", content=json.dumps(profile),
                           headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.content == cli_json(tmp_path, profile)


@pytest.mark.parametrize(("body", "field"), [
    ({"person": {"age": -3, "sex": "female"}}, "person.age"),
    ({"person": {"age": 40}}, "person.sex"),
    ({"person": {"age": 40, "sex": "female"}, "pain": {"severity": 14}}, "pain.severity"),
    ({"person": {"age": 40, "sex": "female"}, "symptoms": ["fatige"]}, "symptoms"),
    ({"person": {"age": 40, "sex": "female"},
      "labs": [{"test": "vitamin_d_25oh", "value": 20, "unit": "mg/dL"}]}, "labs"),
    ([1, 2, 3], "body"),
    ("just text", "body"),
])
def test_invalid_profiles_get_422_naming_the_field(client: TestClient, body: object,
                                                   field: str) -> None:
    response = client.post("/api/v1/assess", json=body)
    assert response.status_code == 422
    data = response.json()
    assert data["error"]
    assert any(p["field"].startswith(field) or field == "body" for p in data["problems"]), data


def test_unknown_code_suggests_the_closest(client: TestClient) -> None:
    response = client.post("/api/v1/assess", json={"person": {"age": 40, "sex": "female"},
                                                   "symptoms": ["fatige"]})
    assert "fatigue" in json.dumps(response.json())


def test_malformed_json_and_oversized_bodies_are_4xx(client: TestClient) -> None:
    bad = client.post("/api/v1/assess", content=b"{bad", headers={"content-type":
                                                                  "application/json"})
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"] == "body"
    big = client.post("/api/v1/assess", content=b"[" + b"1," * 600_000 + b"1]",
                      headers={"content-type": "application/json"})
    assert big.status_code == 413
    assert big.json()["error"] == "request too large"


def test_every_response_has_security_headers(client: TestClient) -> None:
    for path in ("/", "/api/v1/health", "/no-such-page"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"


def test_food_search_and_parse(client: TestClient, foods_db: Path) -> None:
    hits = client.get("/api/v1/foods/search", params={"q": "milk"}).json()["results"]
    assert hits and "Milk" in hits[0]["name"]
    parsed = client.post("/api/v1/foods/parse", json={"entries": ["1 cup 2% milk", "qqqq"]})
    items = parsed.json()["items"]
    assert items[0]["food"]["id"] == "01079"
    assert items[0]["grams"] == 244.0
    assert items[1]["food"] is None and items[1]["error"]


def test_food_search_without_a_database_is_empty_not_an_error(client: TestClient) -> None:
    response = client.get("/api/v1/foods/search", params={"q": "milk"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_knowledge(client: TestClient) -> None:
    nutrients = client.get("/api/v1/knowledge").json()["nutrients"]
    assert set(nutrients) >= {"vitamin_d", "magnesium", "vitamin_b12", "calcium"}
    req = client.get("/api/v1/knowledge/vitamin_d/requirement",
                     params={"age": 40, "sex": "female"}).json()
    assert req["rda"] == 15 and req["ul"] == 100 and req["source"]
    assert client.get("/api/v1/knowledge/vitamin_q/requirement",
                      params={"age": 40, "sex": "female"}).status_code == 422


def test_my_data_round_trip_export_and_delete(client: TestClient, foods_db: Path) -> None:
    assert client.put("/api/v1/me/profile", json={"person": {"age": 58, "sex": "female"},
                                                  "symptoms": ["fatigue"]}).status_code == 200
    food = client.post("/api/v1/me/foods", json={"day": "2026-11-20", "text": "1 cup 2% milk"})
    assert food.status_code == 201
    assert food.json()["food_id"] == "01079" and food.json()["calcium"] == pytest.approx(293, 1)
    lab = client.post("/api/v1/me/labs", json={"test": "vitamin_d_25oh", "value": 10,
                                               "unit": "ng/mL", "day": "2026-11-01"})
    assert lab.status_code == 201
    wrong_unit = client.post("/api/v1/me/labs", json={"test": "vitamin_d_25oh", "value": 18,
                                                      "unit": "mg/dL", "day": "2026-11-01"})
    assert wrong_unit.status_code == 422 and "unit" in wrong_unit.text
    assert client.post("/api/v1/me/pain", json={"day": "2026-11-20", "region": "neck",
                                                "score": 7, "notes": "stiff"}).status_code == 201
    assert client.post("/api/v1/me/supplements", json={"nutrient": "magnesium", "amount": 200,
                                                       "unit": "mg"}).status_code == 201
    assessment = client.post("/api/v1/me/assessments", json={})
    assert assessment.status_code == 201
    body = assessment.json()
    assert body["profile"]["labs"][0]["value"] == 10  # 10 ng/mL = 25 nmol/L
    assert body["result"]["nutrients"]["vitamin_d"]["lab"]["status"] == "deficient"
    exported = client.get("/api/v1/me/export").json()
    assert {k: len(exported[k]) for k in ("foods", "labs", "pain", "supplements",
                                          "assessments")} == dict.fromkeys(
        ("foods", "labs", "pain", "supplements", "assessments"), 1)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/me/export.zip").content))
    assert {"foods.csv", "labs.csv", "pain.csv", "profile.json"} <= set(archive.namelist())
    assert "stiff" in archive.read("pain.csv").decode()
    item = exported["pain"][0]["id"]
    assert client.delete(f"/api/v1/me/pain/{item}").status_code == 204
    assert client.get(f"/api/v1/me/pain/{item}").status_code == 404
    assert client.delete("/api/v1/me").status_code == 204
    assert client.get("/api/v1/me/foods").json() == []


def test_assessment_needs_answers_first(client: TestClient) -> None:
    response = client.post("/api/v1/me/assessments", json={})
    assert response.status_code == 422 and response.json()["problems"][0]["field"] == "person"


def test_plan_returns_the_plan_json(client: TestClient, foods_db: Path) -> None:
    response = client.post("/api/v1/plan", json={"person": {"age": 40, "sex": "female"}})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert "days" in response.json()


def test_vitamin_d_cutoffs_match_the_cli_option(client: TestClient, tmp_path: Path) -> None:
    from nutrispine.cli import app

    profile = {"person": {"age": 50, "sex": "female"},
               "labs": [{"test": "vitamin_d_25oh", "value": 60, "unit": "nmol/L"}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(profile))
    cli = CliRunner().invoke(app, ["assess", str(path), "--format", "json",
                                   "--vitamin-d-cutoffs", "endocrine2011"])
    api = client.post("/api/v1/assess?vitamin_d_cutoffs=endocrine2011", json=profile)
    assert api.content == cli.stdout_bytes
    assert api.json()["nutrients"]["vitamin_d"]["lab"]["status"] == "borderline"
    default = client.post("/api/v1/assess", json=profile).json()
    assert default["nutrients"]["vitamin_d"]["lab"]["status"] == "adequate"


def test_repeated_requests_are_served_from_the_cache(client: TestClient) -> None:
    body = {"person": {"age": 30, "sex": "male"}}
    first = client.post("/api/v1/assess", json=body)
    second = client.post("/api/v1/assess", json=body)
    assert first.content == second.content
    assert client.app.state.ns.assess_cache.hits >= 1


def test_plan_is_byte_for_byte_the_cli_json(client: TestClient, tmp_path: Path,
                                            foods_db: Path) -> None:
    from nutrispine.cli import app

    profile = {"person": {"age": 40, "sex": "female"}, "preferences": {"exclude": ["nuts"]}}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(profile))
    cli = CliRunner().invoke(app, ["plan", str(path), "--format", "json"])
    api = client.post("/api/v1/plan", json=profile)
    if cli.exit_code == 2:  # the tiny fixture database may not allow a plan: both must say so
        assert api.status_code == 422
    else:
        assert api.status_code == 200 and api.content == cli.stdout_bytes
