"""The store on both engines: migrations, CRUD, isolation, constraints, export, deletion."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from nutrispine.store import IsolationError, Store, UsernameTaken
from nutrispine.store.models import PainEntry

DAY = dt.date(2026, 11, 20)


def test_migrations_create_every_table_and_are_idempotent(db_url: str) -> None:
    first = Store.open(db_url)
    second = Store.open(db_url)  # a second start runs the migrations again: a no-op
    tables = set(inspect(second.engine).get_table_names())
    assert {"users", "profiles", "food_entries", "lab_results", "supplements", "pain_entries",
            "assessments", "login_sessions", "alembic_version"} <= tables
    with second.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0001"
    first.close()
    second.close()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    s = Store.open(f"sqlite:///{tmp_path / 'x.db'}")
    with s.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    s.close()


def test_round_trip_of_every_collection(store: Store) -> None:
    uid = store.create_user("ana", None)
    with store.user(uid) as data:
        data.save_profile({"person": {"age": 58, "sex": "female"}})
        data.add("foods", day=DAY, text="1 cup 2% milk", calcium=293.0)
        data.add("labs", test="vitamin_d_25oh", value=18, unit="ng/mL", day=DAY)
        data.add("supplements", nutrient="vitamin_d", amount=1000, unit="IU")
        data.add("pain", day=DAY, region="neck", score=6, notes="after work")
        data.add("assessments", triage_level="routine", profile={"a": 1}, result={"b": [1, 2]})
    with store.user(uid) as data:
        exported = data.export()
    assert exported["profile"] == {"person": {"age": 58, "sex": "female"}}
    assert exported["foods"][0]["calcium"] == 293.0
    assert exported["foods"][0]["vitamin_d"] is None  # unknown stays unknown, never 0
    assert exported["labs"][0]["day"] == "2026-11-20"
    assert exported["pain"][0]["notes"] == "after work"
    assert exported["assessments"][0]["result"] == {"b": [1, 2]}
    assert store.integrity_problems() == []


def test_one_user_never_sees_or_changes_another_users_rows(store: Store) -> None:
    a = store.create_user("a", None)
    b = store.create_user("b", None)
    with store.user(a) as data:
        pain = data.add("pain", day=DAY, region="neck", score=5, notes="")
        data.save_profile({"person": {"age": 40, "sex": "male"}})
    with store.user(b) as data:
        assert data.list("pain") == []
        assert data.get("pain", pain["id"]) is None
        assert data.update("pain", pain["id"], score=0) is None
        assert data.delete("pain", pain["id"]) is False
        assert data.profile() == {}
        data.delete_account()
    with store.user(a) as data:
        assert data.get("pain", pain["id"])["score"] == 5
        assert data.profile()["person"]["age"] == 40


def test_a_scoped_session_refuses_to_write_foreign_rows(store: Store) -> None:
    a = store.create_user("a", None)
    b = store.create_user("b", None)
    with pytest.raises(IsolationError), store.user(b) as data:
        data.session.add(PainEntry(user_id=a, day=DAY, region="neck", score=1, notes=""))
    with store.system() as s:
        assert s.scalars(select(PainEntry)).all() == []


def test_pain_score_is_checked_by_the_database(store: Store) -> None:
    uid = store.create_user("a", None)
    with pytest.raises(IntegrityError), store.user(uid) as data:
        data.add("pain", day=DAY, region="neck", score=11, notes="")


def test_usernames_are_unique(store: Store) -> None:
    store.create_user("same", None)
    with pytest.raises(UsernameTaken):
        store.create_user("same", None)


def test_deleting_an_account_removes_all_its_rows(store: Store) -> None:
    uid = store.create_user("gone", "hash")
    keep = store.create_user("kept", None)
    for who in (uid, keep):
        with store.user(who) as data:
            data.add("pain", day=DAY, region="neck", score=3, notes="")
            data.save_profile({"person": {"age": 30, "sex": "female"}})
    store.start_login(uid, "f" * 64, dt.timedelta(days=1))
    with store.user(uid) as data:
        data.delete_account()
    assert store.find_user("gone") is None
    assert store.login_user("f" * 64) is None
    with store.system() as s:
        owners = {p.user_id for p in s.scalars(select(PainEntry))}
    assert owners == {keep}
    assert store.integrity_problems() == []


def test_logins_expire(store: Store) -> None:
    uid = store.create_user("a", None)
    store.start_login(uid, "a" * 64, dt.timedelta(days=1))
    store.start_login(uid, "b" * 64, dt.timedelta(seconds=-1))
    assert store.login_user("a" * 64) == uid
    assert store.login_user("b" * 64) is None
    store.end_login("a" * 64)
    assert store.login_user("a" * 64) is None


def test_local_user_is_created_once(store: Store) -> None:
    assert store.ensure_local_user() == store.ensure_local_user()


def test_lists_filter_by_day_and_order(store: Store) -> None:
    uid = store.create_user("a", None)
    with store.user(uid) as data:
        for offset in (3, 1, 2):
            data.add("pain", day=DAY - dt.timedelta(days=offset), region="neck", score=offset,
                     notes="")
        assert [p["score"] for p in data.list("pain")] == [3, 2, 1]
        assert [p["score"] for p in data.list("pain", newest_first=True, limit=2)] == [1, 2]
        assert [p["score"] for p in data.list("pain", since=DAY - dt.timedelta(days=2))] == [2, 1]
