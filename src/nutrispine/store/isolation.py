"""Per-user isolation in the data layer, not in the routes.

A session opened for a user (``session.info["user_id"]``) sees only that user's rows: every ORM
SELECT, UPDATE and DELETE gets ``user_id = :uid`` added, and a flush that would write a row owned
by someone else is refused. A route cannot forget the filter, because it never writes it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from nutrispine.store.models import Owned, User


class IsolationError(PermissionError):
    """A write touched a row that belongs to another user (a bug, never user input)."""


def _scoped_user(session: Session) -> int | None:
    uid = session.info.get("user_id")
    return int(uid) if uid is not None else None


@event.listens_for(Session, "do_orm_execute")
def _filter_by_owner(state: ORMExecuteState) -> None:
    uid = _scoped_user(state.session)
    if uid is None or not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return
    state.statement = state.statement.options(
        with_loader_criteria(Owned, lambda cls: cls.user_id == uid, include_aliases=True),
        with_loader_criteria(User, lambda cls: cls.id == uid, include_aliases=True),
    )


@event.listens_for(Session, "before_flush")
def _check_owner(session: Session, _ctx: Any, _instances: Any) -> None:
    uid = _scoped_user(session)
    if uid is None:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Owned):
            if obj.user_id is None and obj in session.new:
                obj.user_id = uid
            if obj.user_id != uid:
                raise IsolationError("refused to write a row that belongs to another user")
        elif isinstance(obj, User) and obj.id != uid:
            raise IsolationError("refused to change another user's account")
