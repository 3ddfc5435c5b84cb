"""Signing up, in and out (shared by the pages and the API)."""

from __future__ import annotations

import datetime as dt

from fastapi import HTTPException, Request, Response

from nutrispine.errors import InputError, Problem
from nutrispine.web.auth import CSRF_COOKIE, SESSION_COOKIE, session_token
from nutrispine.web.security import hash_password, new_token, token_hash, verify_password
from nutrispine.web.state import app_state


def _require_accounts(request: Request) -> None:
    if not app_state(request).config.multi_user:
        raise InputError(Problem("", "accounts are off: this server runs in single-user mode"))


def register(request: Request, username: str, password: str) -> int:
    """Create an account (argon2id hash); raises ``UsernameTaken``."""
    _require_accounts(request)
    return app_state(request).store.create_user(username, hash_password(password))


def login(request: Request, response: Response, username: str, password: str) -> tuple[str, int]:
    """Check the password (throttled per address and per username) and start a session.

    Returns the session token and its lifetime; sets the session cookie on ``response``.
    """
    _require_accounts(request)
    state = app_state(request)
    keys = (f"ip:{request.client.host if request.client else '?'}", f"user:{username.lower()}")
    wait = state.throttle.retry_after(*keys)
    if wait:
        raise HTTPException(429, f"too many failed sign-ins; try again in {wait} s",
                            headers={"Retry-After": str(wait)})
    found = state.store.find_user(username)
    if not verify_password(found[1] if found else None, password) or found is None:
        state.throttle.failed(*keys)
        raise HTTPException(401, "wrong username or password")
    state.throttle.succeeded(*keys)
    token = new_token()
    lifetime = dt.timedelta(days=state.config.session_days)
    state.store.start_login(found[0], token_hash(token), lifetime)
    seconds = int(lifetime.total_seconds())
    response.set_cookie(SESSION_COOKIE, token, max_age=seconds, httponly=True, samesite="lax",
                        secure=state.config.secure_cookies, path="/")
    # A fresh CSRF seed after sign-in, so a seed planted before it is worthless.
    response.set_cookie(CSRF_COOKIE, new_token(), httponly=True, samesite="lax",
                        secure=state.config.secure_cookies, path="/")
    return token, seconds


def logout(request: Request, response: Response) -> None:
    token = session_token(request)
    if token:
        app_state(request).store.end_login(token_hash(token))
    response.delete_cookie(SESSION_COOKIE, path="/")
