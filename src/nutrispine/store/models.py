"""The tracking database's tables: one user owns every row of the per-user tables.

Rows that belong to a person carry ``user_id`` through ``Owned``; ``isolation.py`` uses that
marker to filter every query and check every write, so one user's data never leaks to another.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


def utcnow() -> dt.datetime:
    """Naive UTC now (SQLite keeps no time zone; every stored time is UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base for every table."""


class User(Base):
    """An account; the local single-user mode has one user named ``local``."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoginSession(Base):
    """A signed-in browser: the SHA-256 of its cookie token, never the token itself."""

    __tablename__ = "login_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Owned:
    """Mixin for rows that belong to one user (filtered and checked by ``isolation``)."""

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class ProfileRow(Owned, Base):
    """The questionnaire answers (person, pain, symptoms, ...) as the contract's JSON sections."""

    __tablename__ = "profiles"
    __table_args__ = (Index("uq_profiles_user_id", "user_id", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class FoodEntry(Owned, Base):
    """One food eaten on one day, with the nutrients the food database gave at entry time."""

    __tablename__ = "food_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(String(500))
    food_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    food_name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    grams: Mapped[float | None] = mapped_column(Float, nullable=True)
    vitamin_d: Mapped[float | None] = mapped_column(Float, nullable=True)
    magnesium: Mapped[float | None] = mapped_column(Float, nullable=True)
    vitamin_b12: Mapped[float | None] = mapped_column(Float, nullable=True)
    calcium: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LabResult(Owned, Base):
    """A blood test result as entered (value and unit) on the day it was taken."""

    __tablename__ = "lab_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    test: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Supplement(Owned, Base):
    """A supplement taken daily (amount and unit as on the label)."""

    __tablename__ = "supplements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nutrient: Mapped[str] = mapped_column(String(32))
    amount: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PainEntry(Owned, Base):
    """Pain on a 0-10 numeric rating scale for one region on one day, with free notes."""

    __tablename__ = "pain_entries"
    __table_args__ = (CheckConstraint("score >= 0 AND score <= 10", name="ck_pain_score"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    region: Mapped[str] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AssessmentRow(Owned, Base):
    """One assessment: the profile sent to the engine and the JSON it returned."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    triage_level: Mapped[str] = mapped_column(String(16))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


OWNED_TABLES: tuple[type[Owned], ...] = (
    ProfileRow, FoodEntry, LabResult, Supplement, PainEntry, AssessmentRow,
)
