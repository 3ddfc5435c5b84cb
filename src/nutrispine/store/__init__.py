"""Persistence for tracking over time: profiles, diaries, labs, supplements, assessments.

``Store.open()`` opens the configured database (SQLite in ``NUTRISPINE_HOME`` or PostgreSQL via
``NUTRISPINE_DATABASE_URL``), runs the packaged migrations and hands out per-user sessions.
"""

from __future__ import annotations

from nutrispine.store.isolation import IsolationError
from nutrispine.store.repo import KINDS, LOCAL_USER, Store, UserData, UsernameTaken, row_to_dict

__all__ = [
    "KINDS", "LOCAL_USER", "IsolationError", "Store", "UserData", "UsernameTaken", "row_to_dict",
]
