"""Request and response shapes of the JSON API (they become the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

Nutrient = Literal["vitamin_d", "magnesium", "vitamin_b12", "calcium"]
Region = Literal["neck", "upper_back", "lower_back", "widespread"]
LabTest = Literal["vitamin_d_25oh", "vitamin_b12", "methylmalonic_acid", "homocysteine",
                  "magnesium", "calcium", "calcium_ionized", "albumin", "pth"]
LAB_UNITS = ["ng/mL", "nmol/L", "pg/mL", "pmol/L", "mg/dL", "mmol/L", "mEq/L", "g/dL", "g/L",
             "µmol/L", "umol/L"]
SUPPLEMENT_UNITS = ["µg", "ug", "mcg", "mg", "IU"]
ItemId = Annotated[int, Path(ge=1, le=2_147_483_647, description="An entry's id")]
Day = Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))


class ProblemOut(BaseModel):
    field: str
    message: str
    suggestions: list[str] = []


class ErrorOut(BaseModel):
    """Every 4xx answer: what went wrong and, per field, how to fix it."""

    error: str
    problems: list[ProblemOut] = []


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Malformed request"},
    413: {"model": ErrorOut, "description": "Body too large"},
    422: {"model": ErrorOut, "description": "Invalid input; each problem names the field"},
}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": ErrorOut, "description": "Not signed in"},
    403: {"model": ErrorOut, "description": "Cross-site request refused"},
    404: {"model": ErrorOut, "description": "No such entry among yours"},
}

PROFILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The contract profile (only person.age and person.sex are required).",
    "required": ["person"],
    "properties": {
        "person": {"type": "object", "required": ["age", "sex"], "properties": {
            "age": {"type": "number"}, "sex": {"type": "string", "enum": ["female", "male"]},
            "pregnant": {"type": "boolean"}, "lactating": {"type": "boolean"},
            "weight_kg": {"type": "number"}, "height_cm": {"type": "number"}}},
        "pain": {"type": "object", "properties": {
            "regions": {"type": "array", "items": {"type": "string"}},
            "duration_weeks": {"type": "number"}, "severity": {"type": "number"}}},
        "symptoms": {"type": "array", "items": {"type": "string"}},
        "risk_factors": {"type": "array", "items": {"type": "string"}},
        "medications": {"type": "array", "items": {"type": "string"}},
        "supplements": {"type": "array", "items": {"type": "object", "properties": {
            "nutrient": {"type": "string"}, "amount": {"type": "number"},
            "unit": {"type": "string"}}}},
        "diet": {"type": "object", "properties": {"days": {"type": "array", "items": {
            "type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}}}}},
        "labs": {"type": "array", "items": {"type": "object"}},
        "preferences": {"type": "object"},
    },
}

ASSESSMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["triage", "nutrients", "warnings", "disclaimer"],
    "properties": {
        "triage": {"type": "object", "required": ["level"], "properties": {
            "level": {"type": "string",
                      "enum": ["emergency", "urgent", "routine", "self_care"]}}},
        "nutrients": {"type": "object"},
        "warnings": {"type": "array"},
        "disclaimer": {"type": "string"},
    },
}

PLAN_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["days"],
    "properties": {"days": {"type": "array"}, "totals_per_day": {"type": "object"},
                   "targets": {"type": "object"}, "shortfalls": {"type": "array"}},
}


class FoodHit(BaseModel):
    id: str
    source: str
    name: str


class FoodSearchOut(BaseModel):
    query: str
    results: list[FoodHit]


class ParseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: list[str] = Field(min_length=1, max_length=200)


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=10, max_length=1000)


class LoginOut(BaseModel):
    username: str
    token: str
    expires_in_seconds: int


class MeOut(BaseModel):
    username: str
    multi_user: bool


class FoodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: dt.date = Day
    text: str = Field(min_length=1, max_length=500)


class FoodOut(BaseModel):
    id: int
    day: dt.date
    text: str
    food_id: str | None
    food_name: str | None
    grams: float | None
    vitamin_d: float | None
    magnesium: float | None
    vitamin_b12: float | None
    calcium: float | None
    created_at: dt.datetime


class LabIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    test: LabTest
    value: float = Field(ge=0, le=1e6)
    unit: str = Field(min_length=1, max_length=32)
    day: dt.date = Day


class LabOut(BaseModel):
    id: int
    test: str
    value: float
    unit: str
    day: dt.date
    created_at: dt.datetime


class SupplementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nutrient: Nutrient
    amount: float = Field(gt=0, le=1e6)
    unit: str = Field(min_length=1, max_length=16)


class SupplementOut(BaseModel):
    id: int
    nutrient: str
    amount: float
    unit: str
    created_at: dt.datetime


class PainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: dt.date = Day
    region: Region
    score: int = Field(ge=0, le=10)
    notes: str = Field(default="", max_length=2000)


class PainOut(BaseModel):
    id: int
    day: dt.date
    region: str
    score: int
    notes: str
    created_at: dt.datetime


class AssessmentOut(BaseModel):
    id: int
    created_at: dt.datetime
    triage_level: str
    profile: dict[str, Any]
    result: dict[str, Any]
