"""Every failure becomes a JSON 4xx naming the field (or, on pages, a readable page)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from nutrispine.errors import InputError
from nutrispine.web.auth import LoginRequired

log = logging.getLogger("nutrispine.web")


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", "")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"field": "body" if e.get("type") == "json_invalid"
                     else _field(e.get("loc", ())),
                     "message": "malformed JSON" if e.get("type") == "json_invalid"
                     else str(e.get("msg", "invalid")), "suggestions": []}
                    for e in exc.errors()]
        return JSONResponse({"error": "invalid input", "problems": problems}, status_code=422)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return JSONResponse(exc.to_dict(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request) and exc.status_code in (403, 404, 405, 429):
            from nutrispine.web.pages_common import render_error

            return render_error(request, exc.status_code, str(exc.detail))
        return JSONResponse({"error": str(exc.detail), "problems": []},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error", "problems": []}, status_code=500)
