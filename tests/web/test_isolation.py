"""User A can neither read nor change user B's data through any endpoint or page.

The routes are enumerated from the app itself, so a route added later is covered too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from nutrispine.web import api, api_me, pages_data, pages_results, pages_wizard

from .conftest import csrf, make_client, sign_up

KINDS = ("foods", "labs", "supplements", "pain", "assessments")
SECRET = "bobs-private-note"
# Routes with a path parameter that is not a user's entry (no data of anyone's behind them).
PUBLIC = {"/api/v1/knowledge/{nutrient}/requirement"}


@pytest.fixture
def two_users(tmp_path: Path) -> tuple[TestClient, TestClient, dict[str, int]]:
    """Alice and Bob on one server, each with their own browser; Bob has one of everything."""
    alice = make_client(tmp_path, multi_user=True)
    bob = TestClient(alice.app, raise_server_exceptions=False, base_url="http://127.0.0.1")
    sign_up(alice, "alice")
    sign_up(bob, "bob")
    json_ok = {"content-type": "application/json"}
    assert bob.put("/api/v1/me/profile", json={"person": {"age": 50, "sex": "male"},
                                               "medications": ["metformin"]}).status_code == 200
    ids = {
        "foods": bob.post("/api/v1/me/foods", json={"day": "2026-11-20",
                                                    "text": f"1 cup {SECRET}"}).json()["id"],
        "labs": bob.post("/api/v1/me/labs", json={"test": "vitamin_b12", "value": 111,
                                                  "unit": "pmol/L", "day": "2026-11-02"}
                         ).json()["id"],
        "supplements": bob.post("/api/v1/me/supplements", json={
            "nutrient": "calcium", "amount": 500, "unit": "mg"}).json()["id"],
        "pain": bob.post("/api/v1/me/pain", json={"day": "2026-11-20", "region": "neck",
                                                  "score": 9, "notes": SECRET}).json()["id"],
        "assessments": bob.post("/api/v1/me/assessments", headers=json_ok).json()["id"],
    }
    return alice, bob, ids


def _bob_intact(bob: TestClient, ids: dict[str, int]) -> None:
    exported = bob.get("/api/v1/me/export").json()
    for kind in KINDS:
        assert [row["id"] for row in exported[kind]] == [ids[kind]], kind
    assert exported["profile"]["person"]["age"] == 50


def test_every_item_route_refuses_another_users_ids(two_users) -> None:
    alice, bob, ids = two_users
    token = csrf(alice, "/diary")
    routers = [api.router, api_me.router, api_me.me, pages_wizard.router, pages_results.router,
               pages_data.router]
    routes = [r for router in routers for r in router.routes
              if isinstance(r, APIRoute) and "{" in r.path
              and r.path not in PUBLIC and not r.path.startswith("/wizard/")]
    checked = 0
    for route in routes:
        if "{kind}" in route.path:
            kinds: tuple[str, ...] = KINDS
        elif route.path.startswith("/results/"):
            kinds = ("assessments",)
        else:
            kinds = tuple(k for k in KINDS if f"/{k}/" in route.path)
        assert kinds, f"route {route.path} is not covered by this test"
        for kind in kinds:
            path = route.path.replace("{item_id}", str(ids[kind])).replace("{kind}", kind)
            for method in route.methods - {"HEAD"}:
                data = {"csrf_token": token} if method == "POST" else None
                response = alice.request(method, path, data=data)
                assert response.status_code == 404, (method, path, response.status_code)
                assert SECRET not in response.text and "111" not in response.text
                checked += 1
    assert checked >= len(KINDS) * 2 + 4  # API get+delete per kind, page deletes, results page
    _bob_intact(bob, ids)


def test_lists_exports_and_pages_show_only_ones_own_data(two_users) -> None:
    alice, bob, ids = two_users
    for kind in KINDS:
        assert alice.get(f"/api/v1/me/{kind}").json() == []
    exported = alice.get("/api/v1/me/export").json()
    assert exported["username"] == "alice" and exported["profile"] == {}
    assert all(exported[k] == [] for k in KINDS)
    assert SECRET not in alice.get("/api/v1/me/export.zip").content.decode("latin-1")
    for page in ("/diary?day=2026-11-20", "/labs", "/pain", "/trends?days=3650", "/report",
                 "/account", "/results", "/wizard/review", "/wizard/history"):
        text = alice.get(page).text
        assert SECRET not in text and 'value="metformin" checked' not in text, page
        assert "bob" not in text, page
    assert alice.get("/api/v1/me/profile").json() == {}
    _bob_intact(bob, ids)


def test_writes_land_only_in_ones_own_account(two_users) -> None:
    alice, bob, ids = two_users
    token = csrf(alice, "/pain")
    alice.post("/pain", data={"day": "2026-11-21", "region": "lower_back", "score": "2",
                              "notes": "alice", "csrf_token": token})
    alice.put("/api/v1/me/profile", json={"person": {"age": 30, "sex": "female"}})
    alice.delete("/api/v1/me")  # Alice leaves: Bob keeps everything
    _bob_intact(bob, ids)
    assert [p["notes"] for p in bob.get("/api/v1/me/pain").json()] == [SECRET]


def test_signed_out_requests_get_nothing(two_users) -> None:
    _alice, bob, ids = two_users
    stranger = TestClient(bob.app, raise_server_exceptions=False, base_url="http://127.0.0.1")
    for kind in KINDS:
        assert stranger.get(f"/api/v1/me/{kind}").status_code == 401
        assert stranger.get(f"/api/v1/me/{kind}/{ids[kind]}").status_code == 401
        assert stranger.delete(f"/api/v1/me/{kind}/{ids[kind]}").status_code == 401, kind
    assert stranger.get("/api/v1/me/export").status_code == 401
    for page in ("/diary", "/labs", "/pain", "/trends", "/report", "/account", "/results",
                 f"/results/{ids['assessments']}", "/wizard/about"):
        response = stranger.get(page, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"
    forged = stranger.get("/api/v1/me/export", headers={"authorization": "Bearer nope"})
    assert forged.status_code == 401
    _bob_intact(bob, ids)


def test_bearer_tokens_work_for_programs(two_users) -> None:
    _alice, bob, _ids = two_users
    program = TestClient(bob.app, raise_server_exceptions=False, base_url="http://127.0.0.1")
    login = program.post("/api/v1/auth/login", json={"username": "bob",
                                                     "password": "correct horse battery"})
    assert login.status_code == 200
    program.cookies.clear()
    auth = {"authorization": f"Bearer {login.json()['token']}"}
    assert program.get("/api/v1/me", headers=auth).json()["username"] == "bob"
    assert len(program.get("/api/v1/me/pain", headers=auth).json()) == 1
