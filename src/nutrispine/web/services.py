"""The one bridge from the web doors to the engine: the same calls the CLI makes.

Keeping every engine import here (and lazy) means the API's JSON is produced exactly as
``nutrispine assess --format json`` produces it, and the web layer holds no clinical logic.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import threading
from typing import Any

from nutrispine.errors import InputError, Problem
from nutrispine.store import UserData

NUTRIENTS = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")
PROFILE_SECTIONS = ("person", "pain", "symptoms", "risk_factors", "medications", "preferences")
DIET_DAYS = 7  # the most recent days with diary entries that an assessment looks at
DIET_WINDOW_DAYS = 30


def assess_json(profile: dict[str, Any], vitamin_d_cutoffs: str = "nam2011") -> str:
    """The assessment as the CLI prints it with ``--format json`` (same bytes)."""
    engine = importlib.import_module("nutrispine.assess")
    result = engine.assess(profile, vitamin_d_cutoffs=vitamin_d_cutoffs)
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def assess_dict(profile: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(assess_json(profile))
    return result


def check_profile(profile: dict[str, Any]) -> None:
    """Validate with the engine's own parser (raises ``InputError`` naming the field)."""
    from nutrispine.profile import parse_profile

    parse_profile(profile)


def plan_json(profile: dict[str, Any], days: int = 1) -> str:
    """The meal plan as ``nutrispine plan --format json`` prints it."""
    recommend = importlib.import_module("nutrispine.recommend")
    if hasattr(recommend, "plan_json"):
        return str(recommend.plan_json(profile, days=days))
    from nutrispine.recommend.plan import make_plan

    data = make_plan(profile, days=days).data
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


_local = threading.local()


def _open_foods() -> Any | None:
    """This thread's connection to the food database (reopened after an import changes it)."""
    from nutrispine.settings import foods_db_path

    path = foods_db_path()
    try:
        st = path.stat()
        signature: tuple[object, ...] = (str(path), st.st_size, st.st_mtime_ns)
    except OSError:
        signature = (str(path), None)
    cached = getattr(_local, "foods", None)
    if cached is not None and cached[0] == signature:
        return cached[1]
    if cached is not None and cached[1] is not None:
        cached[1].close()
    foods = importlib.import_module("nutrispine.foods")
    try:
        db = foods.open_database()
    except (FileNotFoundError, LookupError, OSError):
        db = None
    _local.foods = (signature, db)
    return db


def search_foods(query: str, limit: int = 10) -> list[dict[str, Any]]:
    """Foods whose names match ``query`` (empty when no food database is imported)."""
    db = _open_foods()
    if db is None or not query.strip():
        return []
    hits = db.search(query, limit=limit)
    out = []
    for hit in hits:
        data = hit.to_dict() if hasattr(hit, "to_dict") else dict(hit)
        food = data.get("food", data)
        out.append({"id": str(food.get("id")), "source": str(food.get("source", "")),
                    "name": str(food.get("name", ""))})
    return out


def parse_foods(texts: list[str]) -> dict[str, Any]:
    """The contract's ``foods parse`` JSON for ``texts``."""
    foods = importlib.import_module("nutrispine.foods")
    db = _open_foods()
    if db is None:
        items: list[dict[str, Any]] = [{"text": t, "food": None, "grams": None, "nutrients": {},
                  "warnings": [], "error": "no food database imported "
                  "(run: nutrispine foods import PATH)"} for t in texts]
        return {"items": items}
    result = foods.parse_entries(texts, db=db)
    data = result.to_dict() if hasattr(result, "to_dict") else result
    if isinstance(data, list):
        data = {"items": [i.to_dict() if hasattr(i, "to_dict") else i for i in data]}
    return dict(data)


def food_entry_fields(text: str) -> dict[str, Any]:
    """Columns for a diary row: what the food database makes of ``text`` (nulls if unknown)."""
    item = parse_foods([text])["items"][0]
    fields: dict[str, Any] = {"text": text}
    food = item.get("food")
    if food:
        fields["food_id"] = str(food.get("id"))
        fields["food_name"] = str(food.get("name"))
        fields["grams"] = item.get("grams")
        for code in NUTRIENTS:
            value = (item.get("nutrients") or {}).get(code)
            fields[code] = value.get("amount") if isinstance(value, dict) else None
    return fields


def knowledge_summary() -> dict[str, Any]:
    """The four nutrients: name, unit, why they matter for pain, and food sources."""
    from nutrispine.knowledge import load_knowledge

    kb = load_knowledge()
    out: dict[str, Any] = {}
    for code, n in kb.nutrients.items():
        out[code] = {"name": n.name, "unit": n.unit, "pain_link": n.pain_link,
                     "foods": list(n.foods)}
    return {"nutrients": out}


def requirement(nutrient: str, age: float, sex: str, pregnant: bool = False,
                lactating: bool = False) -> dict[str, Any]:
    """EAR/RDA/AI/UL for one nutrient and life stage, with the source."""
    from nutrispine.knowledge import load_knowledge

    kb = load_knowledge()
    if nutrient not in kb.nutrients:
        from nutrispine.errors import closest

        raise InputError(Problem("nutrient", f"unknown nutrient {nutrient!r}",
                                 closest(nutrient, kb.nutrients)))
    check_profile({"person": {"age": age, "sex": sex, "pregnant": pregnant,
                              "lactating": lactating}})
    try:
        req = kb.requirement(nutrient, age=age, sex=sex, pregnant=pregnant, lactating=lactating)
    except Exception as exc:  # no reference value for this life stage
        raise InputError(Problem("age", str(exc).split(": ", 1)[-1])) from exc
    return {"nutrient": nutrient, "unit": req.unit, "ear": req.ear, "rda": req.rda,
            "ai": req.ai, "ul": req.ul, "ul_applies_to": req.ul_applies_to,
            "source": str(req.source)}


def profile_from_store(data: UserData, today: dt.date | None = None) -> dict[str, Any]:
    """The contract profile built from what the user saved: answers, supplements, the latest
    lab of each test, and the diary's most recent days (within the last month)."""
    today = today or dt.date.today()
    saved = data.profile()
    profile: dict[str, Any] = {k: saved[k] for k in PROFILE_SECTIONS if k in saved}
    supplements = data.list("supplements")
    if supplements:
        profile["supplements"] = [{"nutrient": s["nutrient"], "amount": s["amount"],
                                   "unit": s["unit"]} for s in supplements]
    latest: dict[str, dict[str, Any]] = {}
    for lab in data.list("labs"):  # oldest first, so the newest wins
        latest[lab["test"]] = {"test": lab["test"], "value": lab["value"], "unit": lab["unit"],
                               "date": lab["day"]}
    if latest:
        profile["labs"] = list(latest.values())
    since = today - dt.timedelta(days=DIET_WINDOW_DAYS)
    days: dict[str, list[str]] = {}
    for entry in data.list("foods", since=since):
        days.setdefault(entry["day"], []).append(entry["text"])
    recent = sorted(days)[-DIET_DAYS:]
    if recent:
        profile["diet"] = {"days": [days[d] for d in recent]}
    return profile
