"""The pure-Python suggestion path gives exactly what the NumPy implementation gave.

``_numpy_suggest`` is the previous ``suggest_foods`` (vectorised over the whole ``Catalog``),
kept here as the oracle: same foods, same order, same amounts, portions and notes, for several
kinds of person, on the cited fallback foods and on SR28.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nutrispine.knowledge import load_knowledge
from nutrispine.recommend import shortlist
from nutrispine.recommend.candidates import usable
from nutrispine.recommend.catalog import UNITS, Catalog, from_knowledge, load_catalog
from nutrispine.recommend.codes import NUTRIENTS
from nutrispine.recommend.diet import filter_for_profile
from nutrispine.recommend.suggest import suggest_foods
from nutrispine.recommend.top import check_nutrient, family, scores


def _numpy_suggest(nutrient: str, gap_amount: float, profile: Any, kb: Any, cat: Catalog,
                   count: int = 5) -> list[dict[str, Any]]:
    """The NumPy implementation of suggest_foods as it was before the fast path."""
    from nutrispine.recommend.suggest import B12_ABSORPTION_CLASSES, B12_ABSORPTION_RISKS, _notes

    def get(obj: Any, key: str) -> Any:
        if obj is None:
            return None
        return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)

    code = check_nutrient(nutrient)
    diet = filter_for_profile(profile)
    classes = {c for m in get(profile, "medications") or () if (c := kb.medication_class(str(m)))}
    per_portion = scores(cat, code, "serving")
    kcal = cat.kcal100 * cat.portion_grams / 100.0
    mask = usable(cat, diet, plan=False) & ~np.isnan(per_portion) & (per_portion > 0)
    mask &= ~(kcal > 350.0)
    if cat.kind == "database":
        mask &= ~cat.branded
    age = float(get(get(profile, "person"), "age") or 0)
    risks = set(get(profile, "risk_factors") or ())
    prefer_fortified = code == "vitamin_b12" and bool(
        classes & B12_ABSORPTION_CLASSES or risks & B12_ABSORPTION_RISKS or age > 50)
    rows = np.flatnonzero(mask)
    key = per_portion[rows].copy()
    if prefer_fortified:
        words = ("fortified", "cereals ready-to-eat", "nutritional yeast")
        boost = np.array([any(w in cat.names[i].lower() for w in words) for i in rows])
        key = key + boost * 1e6
    order = rows[np.argsort(-key, kind="stable")]
    notes = _notes(code, classes, kb, prefer_fortified)
    gap = float(gap_amount) if gap_amount and gap_amount > 0 else None
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    groups: dict[str, int] = {}
    for i in order:
        fam = family(cat.names[i])
        g = cat.groups[i]
        if fam in seen or (g and groups.get(g, 0) >= 2):
            continue
        seen.add(fam)
        groups[g] = groups.get(g, 0) + 1
        amount = float(per_portion[i])
        out.append({
            "food": cat.food_ref(int(i)), "portion": cat.portion_label[i],
            "grams": round(float(cat.portion_grams[i]), 1), "amount": round(amount, 2),
            "unit": UNITS[code],
            "closes_gap_percent": round(min(100.0, amount / gap * 100.0)) if gap else 100,
            "note": " ".join(notes) if notes else None,
        })
        if len(out) >= count:
            break
    return out


PROFILES: dict[str, dict[str, Any]] = {
    "omnivore": {"person": {"age": 35, "sex": "female"}},
    "vegan": {"person": {"age": 29, "sex": "male"}, "preferences": {"diet": "vegan"}},
    "nut-free": {"person": {"age": 44, "sex": "female"},
                 "preferences": {"exclude": ["nut-free", "peanut"], "dislikes": ["spinach"]}},
    "pregnant": {"person": {"age": 31, "sex": "female", "pregnant": True},
                 "preferences": {"diet": "pescatarian"}},
    "metformin": {"person": {"age": 47, "sex": "male"},
                  "medications": ["metformin", "doxycycline", "levothyroxine"],
                  "preferences": {"diet": "vegetarian", "dislikes": ["yogurt"]}},
    "child": {"person": {"age": 3, "sex": "male"}, "preferences": {"exclude": ["fish"]}},
    "older-coeliac": {"person": {"age": 68, "sex": "female"},
                      "risk_factors": ["celiac_disease", "lactose_intolerance"]},
}
GAPS = {"vitamin_d": 12.0, "magnesium": 150.0, "vitamin_b12": 1.5, "calcium": 0.0}


def _compare(cat: Catalog, fast: Any, count: int) -> int:
    kb = load_knowledge()
    compared = 0
    for name, profile in PROFILES.items():
        for code in NUTRIENTS:
            want = _numpy_suggest(code, GAPS[code], profile, kb, cat, count)
            got = fast(code, GAPS[code], profile, kb, count)
            assert got == want, (name, code)
            compared += len(want)
    return compared


@pytest.mark.parametrize("count", [5, 40])
def test_fallback_foods_same_as_numpy(count: int) -> None:
    cat = from_knowledge()
    compared = _compare(cat, lambda c, g, p, kb, n: suggest_foods(c, g, p, None, kb, count=n),
                        count)
    assert compared > 4 * len(PROFILES) * 2  # the profiles do get suggestions


@pytest.mark.sr28
@pytest.mark.parametrize("count", [5, 40])
def test_sr28_same_as_numpy(count: int, sr28_db: Any, sr28_catalog: Catalog) -> None:
    compared = _compare(sr28_catalog,
                        lambda c, g, p, kb, n: suggest_foods(c, g, p, sr28_db, kb, count=n),
                        count)
    assert compared >= len(PROFILES) * 4 * min(count, 5)


@pytest.mark.sr28
def test_sr28_default_database_and_catalog_argument_agree(sr28_home: Path, sr28_db: Any,
                                                          sr28_catalog: Catalog) -> None:
    """No db given: the imported database under NUTRISPINE_HOME is used (as load_catalog did)."""
    kb = load_knowledge()
    profile = PROFILES["metformin"]
    for code in NUTRIENTS:
        via_home = suggest_foods(code, GAPS[code], profile, None, kb)
        assert via_home == suggest_foods(code, GAPS[code], profile, sr28_db, kb)
        assert via_home == suggest_foods(code, GAPS[code], profile, None, kb, catalog=sr28_catalog)
        assert via_home and via_home[0]["food"]["source"] != "nutrispine-kb"
    assert load_catalog().kind == "database"


@pytest.mark.sr28
def test_sr28_shortlist_is_cached_beside_the_database(sr28_db_path: Path) -> None:
    shortlist._load.cache_clear()
    first = shortlist.for_database(type("Db", (), {"path": sr28_db_path})())
    files = list(sr28_db_path.parent.glob("foods.shortlist-*.pickle"))
    assert len(files) == 1
    shortlist._load.cache_clear()
    again = shortlist.for_database(type("Db", (), {"path": sr28_db_path})())
    assert again == first and again is not first  # read back from the pickle
    assert len(again.ids) > 1000 and set(again.ranked) == set(NUTRIENTS)


TOFU = "Tofu, firm, prepared with calcium sulfate"


def test_shortlist_rebuilt_when_the_database_changes(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A new import (new mtime) gets a new shortlist; the stale file is removed."""
    from nutrispine.foods import schema

    db_path = tmp_path / "foods.sqlite"
    conn = schema.connect(db_path, create=True)
    conn.execute("INSERT INTO food (id, source, food_id, name, group_name, vitamin_d, magnesium,"
                 " vitamin_b12, calcium, energy_kcal) VALUES (1, 'sr28', '1', ?, "
                 "'Legumes and Legume Products', 0, 30, 0, 350, 76)", (TOFU,))
    conn.execute("INSERT INTO portion VALUES (1, 1, 0.5, 'cup', 126)")
    conn.close()
    monkeypatch.setenv("NUTRISPINE_HOME", str(tmp_path))
    first = shortlist.for_database()
    assert first.kind == "database" and first.names == (TOFU,)
    conn = schema.connect(db_path, create=True)
    conn.execute("UPDATE food SET calcium = 680 WHERE id = 1")
    conn.close()
    import os

    os.utime(db_path, ns=(1, db_path.stat().st_mtime_ns + 10**9))
    second = shortlist.for_database()
    assert second.amounts["calcium"] == (680 * 126 / 100.0,)
    assert len(list(tmp_path.glob("foods.shortlist-*.pickle"))) == 1


def test_no_database_means_the_cited_foods(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUTRISPINE_HOME", str(tmp_path))
    assert shortlist.for_database().kind == "knowledge"
    (tmp_path / "foods.sqlite").write_bytes(b"")  # not a usable database: same as none
    assert shortlist.for_database().kind == "knowledge"


def _plain(obj: Any) -> Any:
    from nutrispine.recommend.ruleview import Record

    if isinstance(obj, Record):
        return {k: _plain(v) for k, v in vars(obj).items()}
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_plain(v) for v in obj)
    return obj


def test_rule_view_holds_exactly_the_validated_rules() -> None:
    """The light view used by assess is the validated data, field for field, and read-only."""
    from nutrispine.recommend.rules import load_rules
    from nutrispine.recommend.ruleview import rules

    rk, view = load_rules(), rules()
    assert _plain(view) == {
        "diet": rk.diet.model_dump(), "food_tags": rk.food_tags.model_dump(),
        "guidance": {k: g.model_dump() for k, g in rk.guidance.items()},
        "lifestyle": rk.lifestyle.model_dump()}
    with pytest.raises(AttributeError):
        view.diet.patterns["vegan"].avoid = []
