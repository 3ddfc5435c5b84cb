"""The data layer's doors: accounts (unscoped) and one user's own data (scoped).

Routes never build queries. They ask ``Store.user(uid)`` for a ``UserData``, whose session is
scoped by ``isolation`` to that user, so even ``get(kind, id)`` of another user's id finds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from nutrispine.store import isolation  # noqa: F401 - registers the isolation events
from nutrispine.store.engine import integrity_problems, make_engine, upgrade
from nutrispine.store.models import (
    AssessmentRow,
    Base,
    FoodEntry,
    LabResult,
    LoginSession,
    PainEntry,
    ProfileRow,
    Supplement,
    User,
    utcnow,
)

LOCAL_USER = "local"

# The collections a user keeps, by the name the API and the export use.
KINDS: dict[str, type[Base]] = {
    "foods": FoodEntry,
    "labs": LabResult,
    "supplements": Supplement,
    "pain": PainEntry,
    "assessments": AssessmentRow,
}


class UsernameTaken(ValueError):
    """The username is already in use."""


def row_to_dict(row: Base) -> dict[str, Any]:
    """A row as plain JSON-ready data (dates as ISO text, no ``user_id``)."""
    out: dict[str, Any] = {}
    for col in row.__table__.columns:
        if col.key == "user_id":
            continue
        value = getattr(row, col.key)
        if isinstance(value, dt.datetime):  # stored as naive UTC; say so (RFC 3339)
            value = value.replace(tzinfo=dt.UTC).isoformat()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[col.key] = value
    return out


class UserData:
    """One user's profile, diaries, labs, supplements and assessments (nothing else is visible)."""

    def __init__(self, session: Session, user_id: int) -> None:
        self.session = session
        self.user_id = user_id

    def profile(self) -> dict[str, Any]:
        row = self.session.scalars(select(ProfileRow)).first()
        return dict(row.data) if row else {}

    def save_profile(self, data: dict[str, Any]) -> None:
        row = self.session.scalars(select(ProfileRow)).first()
        if row is None:
            self.session.add(ProfileRow(user_id=self.user_id, data=dict(data)))
        else:
            row.data = dict(data)
        self.session.flush()

    def add(self, kind: str, **fields: Any) -> dict[str, Any]:
        row = KINDS[kind](user_id=self.user_id, **fields)
        self.session.add(row)
        self.session.flush()
        return row_to_dict(row)

    def list(self, kind: str, *, since: dt.date | None = None, limit: int | None = None,
             newest_first: bool = False) -> list[dict[str, Any]]:
        model: Any = KINDS[kind]
        stmt = select(model)
        order = model.day if hasattr(model, "day") else model.created_at
        if since is not None and hasattr(model, "day"):
            stmt = stmt.where(model.day >= since)
        stmt = stmt.order_by(order.desc() if newest_first else order, model.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [row_to_dict(r) for r in self.session.scalars(stmt)]

    def get(self, kind: str, item_id: int) -> dict[str, Any] | None:
        row = self.session.get(KINDS[kind], item_id)
        return row_to_dict(row) if row is not None else None

    def update(self, kind: str, item_id: int, **fields: Any) -> dict[str, Any] | None:
        row = self.session.get(KINDS[kind], item_id)
        if row is None:
            return None
        for key, value in fields.items():
            setattr(row, key, value)
        self.session.flush()
        return row_to_dict(row)

    def delete(self, kind: str, item_id: int) -> bool:
        row = self.session.get(KINDS[kind], item_id)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    def username(self) -> str:
        user = self.session.get(User, self.user_id)
        return user.username if user else ""

    def export(self) -> dict[str, Any]:
        """Everything this user has stored, for download."""
        data: dict[str, Any] = {"username": self.username(), "profile": self.profile()}
        for kind in KINDS:
            data[kind] = self.list(kind)
        return data

    def delete_account(self) -> None:
        """Remove the user and, by cascade, every row they own."""
        for model in KINDS.values():
            self.session.execute(delete(model))  # scoped: only this user's rows
        self.session.execute(delete(ProfileRow))
        user = self.session.get(User, self.user_id)
        if user is not None:
            self.session.delete(user)
        self.session.flush()


class Store:
    """The tracking database: migrated on open, sessions scoped per user."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (and migrate) the database at ``url`` or the configured one."""
        if url is None:
            from nutrispine.settings import database_url

            url = database_url()
        engine = make_engine(url)
        upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def system(self) -> Iterator[Session]:
        """An unscoped session for accounts and logins only; commits on success."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def user(self, user_id: int) -> Iterator[UserData]:
        """A session that sees only ``user_id``'s rows; commits on success."""
        with self._sessions.begin() as session:
            session.info["user_id"] = user_id
            yield UserData(session, user_id)

    def integrity_problems(self) -> list[str]:
        return integrity_problems(self.engine)

    # --- accounts ---------------------------------------------------------------------------
    def ensure_local_user(self) -> int:
        """The single user of local mode, created on first use."""
        with self.system() as s:
            uid = s.scalar(select(User.id).where(User.username == LOCAL_USER))
            if uid is not None:
                return int(uid)
        try:
            return self.create_user(LOCAL_USER, None)
        except UsernameTaken:  # created meanwhile by another worker
            with self.system() as s:
                return int(s.scalar(select(User.id).where(User.username == LOCAL_USER)) or 0)

    def create_user(self, username: str, password_hash: str | None) -> int:
        try:
            with self.system() as s:
                user = User(username=username, password_hash=password_hash)
                s.add(user)
                s.flush()
                return int(user.id)
        except IntegrityError as exc:
            raise UsernameTaken(username) from exc

    def find_user(self, username: str) -> tuple[int, str | None] | None:
        with self.system() as s:
            user = s.scalars(select(User).where(User.username == username)).first()
            return (int(user.id), user.password_hash) if user else None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self.system() as s:
            user = s.get(User, user_id)
            if user is not None:
                user.password_hash = password_hash

    def start_login(self, user_id: int, token_hash: str, lifetime: dt.timedelta) -> None:
        with self.system() as s:
            s.add(LoginSession(token_hash=token_hash, user_id=user_id,
                               expires_at=utcnow() + lifetime))

    def login_user(self, token_hash: str) -> int | None:
        """The user signed in with this token, if it exists and has not expired."""
        with self.system() as s:
            login = s.get(LoginSession, token_hash)
            if login is None:
                return None
            if login.expires_at < utcnow():
                s.delete(login)
                return None
            return int(login.user_id)

    def end_login(self, token_hash: str) -> None:
        with self.system() as s:
            s.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash))
