"""Fixtures for the web tests: an app on a fresh database, clients, a small food database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nutrispine.store import Store
from nutrispine.web.app import create_app
from nutrispine.web.config import WebConfig

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PROFILE = {
    "person": {"age": 58, "sex": "female"},
    "pain": {"regions": ["neck", "lower_back"], "duration_weeks": 12, "severity": 6},
    "symptoms": ["fatigue", "muscle_cramps"],
    "medications": ["metformin", "omeprazole"],
    "supplements": [{"nutrient": "vitamin_d", "amount": 1000, "unit": "IU"}],
    "diet": {"days": [["1 cup 2% milk", "2 large eggs", "3 oz cooked salmon"],
                      ["1 oz almonds", {"food": "spinach, cooked", "amount": 1, "unit": "cup"}]]},
    "labs": [{"test": "vitamin_d_25oh", "value": 18, "unit": "ng/mL", "date": "2026-10-01"}],
}


@pytest.fixture
def foods_db(mini_sr: Path) -> Path:
    """The hand-written SR fixture imported into this test's NUTRISPINE_HOME."""
    from nutrispine.foods import import_path
    from nutrispine.settings import foods_db_path

    import_path(mini_sr)
    return foods_db_path()


def make_client(tmp_path: Path, *, multi_user: bool = False, **options: object) -> TestClient:
    config = WebConfig(multi_user=multi_user, database_url=f"sqlite:///{tmp_path / 'web.db'}",
                       secret=b"test-secret", **options)  # type: ignore[arg-type]
    app = create_app(config, Store.open(config.database_url))
    return TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """Local single-user mode (no login)."""
    with make_client(tmp_path) as c:
        yield c


@pytest.fixture
def multi(tmp_path: Path) -> Iterator[TestClient]:
    """Multi-user mode (accounts)."""
    with make_client(tmp_path, multi_user=True) as c:
        yield c


def csrf(client: TestClient, page: str = "/") -> str:
    """The form token from a page (also sets the browser's CSRF cookie)."""
    match = TOKEN.search(client.get(page).text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def sign_up(client: TestClient, username: str, password: str = "correct horse battery") -> str:
    """Register and sign in through the pages, as a browser would; returns a CSRF token."""
    token = csrf(client, "/register")
    response = client.post("/register", data={"username": username, "password": password,
                                              "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf(client, "/wizard/about")
