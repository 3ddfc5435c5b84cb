"""Accounts and protections: argon2, cookies, CSRF, rate limiting, escaping, size limits."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from .conftest import csrf, make_client, sign_up

XSS = "<script>alert(1)</script>"


def test_passwords_are_argon2_hashes_and_cookies_are_locked_down(multi: TestClient) -> None:
    token = csrf(multi, "/register")
    response = multi.post("/register", data={"username": "ana", "password": "long enough pw",
                                             "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("ns_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session
    store = multi.app.state.ns.store
    _uid, stored = store.find_user("ana")
    assert stored.startswith("$argon2id$") and "long enough pw" not in stored


def test_secure_flag_when_served_over_https(tmp_path: Path) -> None:
    client = make_client(tmp_path, multi_user=True, secure_cookies=True)
    client.post("/api/v1/auth/register", json={"username": "ana", "password": "long enough pw"})
    response = client.post("/api/v1/auth/login", json={"username": "ana",
                                                       "password": "long enough pw"})
    assert "Secure" in response.headers["set-cookie"]
    assert "max-age" in client.get("/").headers["strict-transport-security"]


def test_forms_without_a_valid_csrf_token_are_refused(client: TestClient) -> None:
    csrf(client, "/pain")
    data = {"day": "2026-11-20", "region": "neck", "score": "3"}
    assert client.post("/pain", data=data).status_code == 403
    assert client.post("/pain", data={**data, "csrf_token": "forged"}).status_code == 403
    assert client.get("/api/v1/me/pain").json() == []
    token = csrf(client, "/pain")
    assert client.post("/pain", data={**data, "csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert len(client.get("/api/v1/me/pain").json()) == 1


def test_cross_origin_requests_are_refused(client: TestClient) -> None:
    token = csrf(client, "/pain")
    response = client.post("/pain", data={"day": "2026-11-20", "region": "neck", "score": "3",
                                          "csrf_token": token},
                           headers={"origin": "https://evil.example"})
    assert response.status_code == 403
    sneaky = client.post("/api/v1/me/pain", content='{"day":"2026-11-20","region":"neck",'
                         '"score":3}', headers={"content-type": "text/plain"})
    assert sneaky.status_code == 403
    assert client.get("/api/v1/me/pain").json() == []


def test_login_is_rate_limited(multi: TestClient) -> None:
    multi.post("/api/v1/auth/register", json={"username": "ana", "password": "long enough pw"})
    for _ in range(5):
        bad = multi.post("/api/v1/auth/login", json={"username": "ana", "password": "wrong pw!!"})
        assert bad.status_code == 401
    blocked = multi.post("/api/v1/auth/login", json={"username": "ana",
                                                     "password": "long enough pw"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0


def test_unknown_users_and_wrong_passwords_look_the_same(multi: TestClient) -> None:
    multi.post("/api/v1/auth/register", json={"username": "ana", "password": "long enough pw"})
    a = multi.post("/api/v1/auth/login", json={"username": "ana", "password": "wrong pw!!"})
    b = multi.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong pw!!"})
    assert a.status_code == b.status_code == 401 and a.json() == b.json()


def test_local_mode_has_no_accounts(client: TestClient) -> None:
    response = client.post("/api/v1/auth/register", json={"username": "ana",
                                                          "password": "long enough pw"})
    assert response.status_code == 422
    assert client.get("/login", follow_redirects=False).status_code == 303


def test_a_food_named_script_is_shown_as_text(client: TestClient, foods_db: Path) -> None:
    token = csrf(client, "/diary?day=2026-11-20")
    client.post("/diary", data={"day": "2026-11-20", "text": f"1 cup {XSS}",
                                "csrf_token": token})
    entry = client.get("/api/v1/me/foods").json()[0]
    assert entry["food_name"] == XSS  # matched the food of that name in the database
    page = client.get("/diary?day=2026-11-20").text
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    search = client.get("/api/v1/foods/search", params={"q": "script alert"})
    assert search.headers["content-type"].startswith("application/json")


def test_every_user_string_is_escaped_on_pages(multi: TestClient) -> None:
    sign_up(multi, "ana")
    multi.post("/api/v1/me/pain", json={"day": "2026-11-20", "region": "neck", "score": 4,
                                        "notes": XSS})
    multi.put("/api/v1/me/profile", json={"person": {"age": 40, "sex": "female"},
                                          "preferences": {"dislikes": [XSS]}})
    for page in ("/pain", "/report", "/wizard/history", "/trends"):
        assert XSS not in multi.get(page).text, page
    assert "&lt;script&gt;" in multi.get("/pain").text


def test_pages_work_without_javascript(client: TestClient) -> None:
    """Every form posts to the server and answers with a redirect or a page."""
    token = csrf(client, "/wizard/about")
    response = client.post("/wizard/about", data={"age": "58", "sex": "female",
                                                  "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/wizard/pain"
    bad = client.post("/wizard/about", data={"age": "-3", "sex": "female", "csrf_token": token})
    assert bad.status_code == 422 and "person.age" in bad.text and 'role="alert"' in bad.text


def test_only_the_api_docs_may_load_their_cdn_script(client: TestClient) -> None:
    assert "cdn.jsdelivr.net" in client.get("/docs").headers["content-security-policy"]
    for path in ("/", "/wizard/about", "/api/v1/health"):
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
