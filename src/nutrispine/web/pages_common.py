"""Rendering helpers shared by the pages: CSRF token, no-store caching, error pages, forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from nutrispine.web import vocab
from nutrispine.web.auth import CSRF_COOKIE, form_token, user_id_or_none
from nutrispine.web.state import app_state

NAV = (("/wizard", "Questionnaire"), ("/results", "Results"), ("/diary", "Food diary"),
       ("/labs", "Labs"), ("/pain", "Pain diary"), ("/trends", "Trends"), ("/report", "Report"),
       ("/account", "Account"))


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status: int = 200) -> HTMLResponse:
    """A page from ``templates/`` (autoescaped) with the CSRF token and the site chrome."""
    state = app_state(request)
    multi = state.config.multi_user
    base = {"csrf_token": form_token(request), "multi_user": multi, "nav": NAV,
            "signed_in": (not multi) or user_id_or_none(request) is not None,
            "path": request.url.path, "v": vocab, "label": vocab.label}
    response = state.templates.TemplateResponse(request, name, {**base, **(context or {})},
                                                status_code=status)
    seed = getattr(request.state, "new_csrf_seed", None)
    if seed:
        response.set_cookie(CSRF_COOKIE, seed, httponly=True, samesite="lax",
                            secure=state.config.secure_cookies, path="/")
    response.headers["cache-control"] = "no-store"
    return response


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def parse_day(value: Any, default: dt.date | None = None) -> dt.date | None:
    """A form date (YYYY-MM-DD); ``default`` when empty, ``None`` when malformed."""
    if value in (None, ""):
        return default
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return None
    return day if dt.date(1900, 1, 1) <= day <= dt.date(2100, 12, 31) else None


def parse_number(value: Any) -> float | None:
    """A form number, or ``None`` when empty or not a finite number."""
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def texts(form: FormData, key: str) -> list[str]:
    return [str(v) for v in form.getlist(key) if isinstance(v, str) and v.strip()]


def text(form: FormData, key: str, limit: int = 500) -> str:
    value = form.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""
