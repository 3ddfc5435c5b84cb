"""Who is asking, and is the request really theirs: sessions, bearer tokens and CSRF.

Local mode (the loopback default) has one user and no login. Multi-user mode reads a session
cookie (browsers) or ``Authorization: Bearer`` (programs). CSRF: a cross-site page can only send
simple POSTs (form or text bodies) without a CORS preflight, and this server allows no CORS, so
those must carry the signed token; a foreign ``Origin`` is refused outright.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from nutrispine.web.security import csrf_token, csrf_valid, token_hash
from nutrispine.web.state import app_state

SESSION_COOKIE = "ns_session"
CSRF_COOKIE = "ns_csrf"
SIMPLE_TYPES = {"", "application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}


class LoginRequired(Exception):
    """A page needs a signed-in user; the handler redirects to the login page."""


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def session_token(request: Request) -> str | None:
    return _bearer(request) or request.cookies.get(SESSION_COOKIE)


def user_id_or_none(request: Request) -> int | None:
    state = app_state(request)
    if not state.config.multi_user:
        return state.local_uid()
    token = session_token(request)
    return state.store.login_user(token_hash(token)) if token else None


def api_user(request: Request) -> int:
    """Dependency for ``/api/v1/me``: the user, or 401."""
    uid = user_id_or_none(request)
    if uid is None:
        raise HTTPException(401, "sign in first (POST /api/v1/auth/login)")
    return uid


def page_user(request: Request) -> int:
    """Dependency for pages: the user, or a redirect to the login page."""
    uid = user_id_or_none(request)
    if uid is None:
        raise LoginRequired
    return uid


def csrf_seed(request: Request) -> str:
    """This browser's CSRF seed (made on first page view and sent back as a cookie)."""
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_seed", None)
    if not seed:
        from nutrispine.web.security import new_token

        seed = new_token()
        request.state.new_csrf_seed = seed
    return seed


def form_token(request: Request) -> str:
    return csrf_token(app_state(request).config.secret, csrf_seed(request))


async def csrf_protect(request: Request) -> None:
    """Dependency for every state-changing route (pages and ``/api/v1/me``)."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc != host:
            raise HTTPException(403, "cross-origin request refused")
    if _bearer(request) is not None and SESSION_COOKIE not in request.cookies:
        return
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method != "POST" or ctype not in SIMPLE_TYPES:
        return  # needs a CORS preflight, which this server never grants
    token = request.headers.get("x-csrf-token")
    if token is None and ctype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        value = (await request.form()).get("csrf_token")
        token = value if isinstance(value, str) else None
    if not csrf_valid(app_state(request).config.secret, request.cookies.get(CSRF_COOKIE), token):
        raise HTTPException(403, "missing or invalid CSRF token; reload the page and try again")
