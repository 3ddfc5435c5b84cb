"""What the app holds while it runs (store, settings, templates), and how routes reach it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from nutrispine.store import Store
from nutrispine.web.cache import ResultCache
from nutrispine.web.config import WebConfig
from nutrispine.web.security import LoginThrottle

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass
class AppState:
    """The running app's shared objects (one per process)."""

    config: WebConfig
    store: Store
    throttle: LoginThrottle
    templates: Jinja2Templates = field(
        default_factory=lambda: Jinja2Templates(directory=str(TEMPLATES)))
    assess_cache: ResultCache = field(default_factory=ResultCache)
    _local_uid: int | None = None

    def local_uid(self) -> int:
        """The single user of local mode (cached after the first look-up)."""
        if self._local_uid is None:
            self._local_uid = self.store.ensure_local_user()
        return self._local_uid

    def forget_local_user(self) -> None:
        self._local_uid = None


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.ns
    return state
