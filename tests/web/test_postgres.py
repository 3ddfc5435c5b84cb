"""The whole web app on PostgreSQL: a user's data round trip, isolation, export, deletion."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from nutrispine.store import Store
from nutrispine.store.engine import normalise_url
from nutrispine.web.app import create_app
from nutrispine.web.config import WebConfig

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app() -> Iterator[object]:
    url = os.environ.get("NUTRISPINE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL not available: set NUTRISPINE_TEST_POSTGRES_URL "
                    "(.ci/run starts one on loopback)")
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    store = Store.open(url)
    yield create_app(WebConfig(multi_user=True, database_url=url, secret=b"pg"), store)
    store.close()


def _user(app: object, name: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1")
    assert client.post("/api/v1/auth/register", json={"username": name,
                                                      "password": "long enough pw"}
                       ).status_code == 201
    assert client.post("/api/v1/auth/login", json={"username": name,
                                                   "password": "long enough pw"}
                       ).status_code == 200
    return client


def test_web_app_on_postgres(pg_app: object) -> None:
    ana, ben = _user(pg_app, "ana"), _user(pg_app, "ben")
    assert ana.put("/api/v1/me/profile", json={"person": {"age": 58, "sex": "female"}}
                   ).status_code == 200
    pain = ana.post("/api/v1/me/pain", json={"day": "2026-11-20", "region": "neck", "score": 6,
                                             "notes": "ana's"}).json()
    lab = ana.post("/api/v1/me/labs", json={"test": "vitamin_d_25oh", "value": 10,
                                            "unit": "ng/mL", "day": "2026-11-01"}).json()
    made = ana.post("/api/v1/me/assessments", json={})
    assert made.status_code == 201
    assert made.json()["result"]["nutrients"]["vitamin_d"]["lab"]["status"] == "deficient"
    assert ben.get(f"/api/v1/me/pain/{pain['id']}").status_code == 404
    assert ben.delete(f"/api/v1/me/labs/{lab['id']}").status_code == 404
    assert ben.get("/api/v1/me/export").json()["pain"] == []
    assert [p["notes"] for p in ana.get("/api/v1/me/pain").json()] == ["ana's"]
    assert ana.delete("/api/v1/me").status_code == 204
    assert ben.get("/api/v1/me").json()["username"] == "ben"
    assert pg_app.state.ns.store.integrity_problems() == []  # type: ignore[attr-defined]
