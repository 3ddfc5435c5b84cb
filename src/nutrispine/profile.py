"""The assessment profile (the public contract's input) and its validation.

Types are checked by pydantic in strict mode (a string is not a number, a boolean is not an age);
codes are checked against the knowledge base, so an unknown code is refused with the closest
valid ones. Everything wrong is reported at once, each problem naming its field.

Why dataclasses and a cached schema: importing pydantic and building its validator for these
types takes longer than a whole assessment. The types are plain frozen dataclasses (their strict
number and flag types are pydantic's documented ``__get_pydantic_core_schema__`` hook, so this
module does not import pydantic), and the core schema pydantic generates for them is pickled (like
the knowledge base) and turned back into a validator by pydantic-core directly: a command pays for
pydantic once per install, not once per run.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from nutrispine.errors import InputError, Problem, closest
from nutrispine.vocabulary import (
    ACTIVITY,
    DIETS,
    EXCLUSIONS,
    PAIN_REGIONS,
    SYNONYMS,
    normalise_code,
)

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema, SchemaValidator, ValidationError


class _StrictNumber:
    """A JSON number: not text, not true/false, not NaN or infinity (pydantic strict float)."""

    @staticmethod
    def __get_pydantic_core_schema__(source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.float_schema(strict=True, allow_inf_nan=False)


class _StrictFlag:
    """true or false, not "yes" or 1 (pydantic strict bool)."""

    @staticmethod
    def __get_pydantic_core_schema__(source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.bool_schema(strict=True)


Number = Annotated[float, _StrictNumber()]
Flag = Annotated[bool, _StrictFlag()]


class _Model:
    """Base of the profile's parts: keys that are not part of the contract are ignored."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "ignore"}


@dataclass(frozen=True)
class Person(_Model):
    """Who the assessment is for: age, sex, pregnancy or breastfeeding, size."""

    age: Number
    sex: str
    pregnant: Flag = False
    lactating: Flag = False
    weight_kg: Number | None = None
    height_cm: Number | None = None


@dataclass(frozen=True)
class Pain(_Model):
    """Where it hurts, for how long (weeks) and how badly (0-10)."""

    regions: list[str] = field(default_factory=list)
    duration_weeks: Number | None = None
    severity: Number | None = None


@dataclass(frozen=True)
class Supplement(_Model):
    """A supplement taken daily: nutrient, amount and unit (IU, µg or mg)."""

    nutrient: str
    amount: Number
    unit: str
    name: str | None = None


@dataclass(frozen=True)
class DietItem(_Model):
    """One food eaten, with its amount and unit."""

    food: str
    amount: Number
    unit: str


DietEntry = str | DietItem


@dataclass(frozen=True)
class Diet(_Model):
    """What was eaten, day by day, and/or answers to the food-frequency questions."""

    days: list[list[DietEntry]] = field(default_factory=list)
    frequency: dict[str, Any] | None = None


@dataclass(frozen=True)
class Lab(_Model):
    """One blood-test result, named by test code or LOINC, in any accepted unit."""

    value: Number
    unit: str
    test: str | None = None
    loinc: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Preferences(_Model):
    """Diet pattern, foods to leave out or not suggest, and activity level."""

    diet: str = "omnivore"
    exclude: list[str] = field(default_factory=list)
    dislikes: list[str] = field(default_factory=list)
    activity: str | None = None


@dataclass(frozen=True)
class Profile(_Model):
    """A validated profile. Absent sections are ``None``: not known, never 'none'."""

    person: Person
    pain: Pain | None = None
    symptoms: list[str] | None = None
    risk_factors: list[str] | None = None
    medications: list[str] | None = None
    supplements: list[Supplement] | None = None
    diet: Diet | None = None
    labs: list[Lab] | None = None
    preferences: Preferences | None = None
    warnings: list[dict[str, str]] = field(default_factory=list, compare=False)

    @property
    def symptom_set(self) -> frozenset[str]:
        return frozenset(self.symptoms or ())

    @property
    def risk_set(self) -> frozenset[str]:
        return frozenset(self.risk_factors or ())


def _core_schema() -> Any:
    """pydantic's core schema for ``Profile`` (the slow step: generated once, then cached)."""
    from pydantic import TypeAdapter

    return TypeAdapter(Profile).core_schema


@lru_cache(maxsize=1)
def validator() -> SchemaValidator:
    """The profile's validator, from the cached core schema when there is one.

    The cache key covers this file and the pydantic and pydantic-core versions (pydantic's by
    its version file, found without importing it), so a changed type or library never reuses an
    old schema; a cache that cannot be read or written is rebuilt.
    """
    import importlib.util

    import pydantic_core

    from nutrispine.pickle_cache import content_key, load_or_build

    here = Path(__file__)
    spec = importlib.util.find_spec("pydantic")
    versions = [Path(spec.origin).with_name("version.py")] if spec and spec.origin else []
    key = content_key([here, *versions], pydantic_core.__version__)
    cache = here.parent / "__pycache__" / f"profile-schema-{key}.pickle"
    schema = load_or_build(cache, dict, _core_schema, stale="profile-schema-*.pickle")
    return pydantic_core.SchemaValidator(schema)


_SECTIONS = ("person", "pain", "symptoms", "risk_factors", "medications", "supplements", "diet", "labs", "preferences")


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "DietItem", "list[...]"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _type_problems(exc: ValidationError) -> list[Problem]:
    problems: dict[str, Problem] = {}
    for err in exc.errors():
        where = _loc(err["loc"])
        if where in problems:
            continue
        kind = err["type"]
        loc = err["loc"]
        if loc and loc[-1] in ("str", "DietItem"):  # neither alternative of a diet entry fitted
            msg = 'must be a food as text (e.g. "1 cup milk") or {"food", "amount", "unit"}'
        elif kind == "missing":
            msg = "is required"
        elif kind in ("float_type", "int_type"):
            msg = f"must be a number, not {json.dumps(err.get('input'), default=str)}"
        elif kind == "bool_type":
            msg = f"must be true or false, not {json.dumps(err.get('input'), default=str)}"
        elif kind == "finite_number":
            msg = "must be a finite number"
        else:
            msg = err["msg"][0].lower() + err["msg"][1:]
        problems[where] = Problem(where, msg)
    return list(problems.values())


def parse_profile(data: Any) -> Profile:
    """Validate a profile given as plain data; raise ``InputError`` listing every problem."""
    if not isinstance(data, dict):
        raise InputError(Problem("", "the profile must be a JSON or YAML object (a mapping)"))
    warnings: list[dict[str, str]] = []
    for key in data:
        if key not in _SECTIONS:
            hint = closest(str(key), _SECTIONS)
            extra = f" (did you mean {hint[0]}?)" if hint else ""
            warnings.append(
                {
                    "code": "unknown_field",
                    "field": str(key),
                    "text": f"The field '{key}' is not part of the profile and was ignored{extra}.",
                }
            )
    data = _normalise(data)
    from pydantic_core import ValidationError

    try:
        profile = validator().validate_python(data)
    except ValidationError as exc:
        raise InputError(_type_problems(exc)) from None
    from nutrispine.profile_checks import check_profile

    problems, more = check_profile(profile)
    if problems:
        raise InputError(problems)
    return replace(profile, warnings=warnings + more)


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Lower-case and underscore code lists and map synonyms, leaving bad types for pydantic."""
    out = dict(data)
    for key in ("symptoms", "risk_factors"):
        if isinstance(out.get(key), list):
            out[key] = [
                SYNONYMS.get(normalise_code(v), normalise_code(v)) if isinstance(v, str) else v for v in out[key]
            ]
    if isinstance(out.get("medications"), list):
        out["medications"] = [v.strip().lower() if isinstance(v, str) else v for v in out["medications"]]
    pain = out.get("pain")
    if isinstance(pain, dict) and isinstance(pain.get("regions"), list):
        out["pain"] = {
            **pain,
            "regions": [
                SYNONYMS.get(normalise_code(v), normalise_code(v)) if isinstance(v, str) else v for v in pain["regions"]
            ],
        }
    person = out.get("person")
    if isinstance(person, dict) and isinstance(person.get("sex"), str):
        sex = person["sex"].strip().lower()
        out["person"] = {**person, "sex": {"f": "female", "m": "male", "woman": "female", "man": "male"}.get(sex, sex)}
    prefs = out.get("preferences")
    if isinstance(prefs, dict):
        prefs = dict(prefs)
        for key in ("diet", "activity"):
            if isinstance(prefs.get(key), str):
                prefs[key] = normalise_code(prefs[key])
        if isinstance(prefs.get("exclude"), list):
            prefs["exclude"] = [normalise_code(v) if isinstance(v, str) else v for v in prefs["exclude"]]
        out["preferences"] = prefs
    return out


def load_profile(source: str | Path) -> Profile:
    """Read a profile from a JSON or YAML file, or standard input for ``-``."""
    return parse_profile(read_profile_data(source))


def read_profile_data(source: str | Path) -> Any:
    """Read and parse JSON or YAML; malformed text is an ``InputError`` naming the problem."""
    name = str(source)
    if name == "-":
        name = "standard input"
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(Problem("PROFILE", f"{name} is not UTF-8 text: {exc.reason}")) from None
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(Problem("PROFILE", f"no such file: {path}"))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(Problem("PROFILE", f"cannot read {path}: {exc}")) from None
    if not text.strip():
        raise InputError(Problem("PROFILE", f"{name} is empty"))
    return parse_text(text, name)


def parse_text(text: str, name: str = "profile") -> Any:
    """Parse JSON, or YAML when it is not JSON."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                Problem("PROFILE", f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
            ) from None
    import yaml

    try:
        return yaml_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(Problem("PROFILE", f"{name} is not valid YAML or JSON{where}")) from None


__all__ = [
    "ACTIVITY",
    "DIETS",
    "EXCLUSIONS",
    "PAIN_REGIONS",
    "DietItem",
    "Lab",
    "Literal",
    "Profile",
    "load_profile",
    "parse_profile",
    "read_profile_data",
]


def yaml_load(text: str) -> Any:
    """YAML with YAML 1.2 numbers: '1e9' and '2.5E-3' are numbers, as in JSON."""
    import re

    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
        list("-+0123456789"),
    )
    return yaml.load(text, Loader=Loader)
