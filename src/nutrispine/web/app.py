"""The FastAPI application: JSON API under ``/api/v1``, server-rendered pages everywhere else."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from nutrispine import __version__ as _version
from nutrispine.store import Store
from nutrispine.web import api, api_me, errors, pages_data, pages_results, pages_wizard
from nutrispine.web.config import WebConfig
from nutrispine.web.security import BodyLimit, LoginThrottle, SecurityHeaders
from nutrispine.web.state import STATIC, AppState

log = logging.getLogger("nutrispine.web")


def create_app(config: WebConfig | None = None, store: Store | None = None) -> FastAPI:
    """Build the app; opens (and migrates) the database unless a ``store`` is given."""
    config = config or WebConfig.from_env()
    store = store or Store.open(config.database_url)
    problems = store.integrity_problems()
    if problems:
        log.error("database integrity check failed: %s", "; ".join(problems))
    app = FastAPI(
        title="nutrispine",
        version=str(_version),
        summary="Could a nutrient shortfall be part of your back or neck pain?",
        description="Screens for vitamin D, magnesium, vitamin B12 and calcium shortfalls. "
                    "It informs; it does not diagnose or prescribe.",
    )
    app.state.ns = AppState(config=config, store=store, throttle=LoginThrottle(
        config.login_attempts, config.login_window_seconds))
    errors.install(app)
    app.include_router(api.router)
    app.include_router(api_me.router)
    app.include_router(api_me.me)
    for module in (pages_wizard, pages_results, pages_data):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.add_middleware(BodyLimit, limit=config.max_body_bytes)
    app.add_middleware(SecurityHeaders, https=config.secure_cookies)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (settings arrive through the environment)."""
    return create_app()
