"""Property tests: no generated profile ever yields anything but a contract result or InputError.

Strategies build profiles from the contract's vocabulary, mixed with junk (unknown codes, wrong
types, wrong units, NaN, infinities, huge numbers). Example counts are modest so the whole file
runs in well under a minute.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nutrispine.assess import assess
from nutrispine.errors import InputError
from nutrispine.profile import parse_profile

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUTRIENTS = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")
LEVELS = ("self_care", "routine", "urgent", "emergency")  # in rank order
LIKELIHOODS = ("high", "moderate", "low")
STATUSES = ("deficient", "borderline", "adequate", "high", "not_tested")
SI_UNIT = {"vitamin_d": "nmol/L", "vitamin_b12": "pmol/L", "magnesium": "mmol/L", "calcium": "mmol/L"}

REGIONS = ["neck", "upper_back", "lower_back", "widespread"]
SYMPTOMS = [
    "fatigue",
    "muscle_weakness",
    "muscle_cramps",
    "muscle_spasms",
    "muscle_twitching",
    "muscle_tension",
    "bone_pain",
    "widespread_aches",
    "tingling",
    "numbness",
    "balance_problems",
    "memory_problems",
    "low_mood",
    "poor_sleep",
    "pale_skin",
    "sore_tongue",
    "palpitations",
    "frequent_fractures",
]
RED_FLAGS = [
    "saddle_anesthesia",
    "bladder_dysfunction",
    "bowel_incontinence",
    "progressive_weakness",
    "fever",
    "severe_headache",
    "chest_pain",
    "shortness_of_breath",
    "unexplained_weight_loss",
    "night_pain",
    "significant_trauma",
    "gait_disturbance",
    "hand_clumsiness",
    "dizziness_or_drop_attacks",
]
RISK_FACTORS = [
    "limited_sun_exposure",
    "dark_skin",
    "covers_skin",
    "housebound",
    "obesity",
    "vegan",
    "vegetarian",
    "low_dairy_intake",
    "lactose_intolerance",
    "heavy_alcohol_use",
    "type2_diabetes",
    "crohns_disease",
    "celiac_disease",
    "bariatric_surgery",
    "gastric_surgery",
    "pernicious_anemia",
    "atrophic_gastritis",
    "chronic_kidney_disease",
    "liver_disease",
    "postmenopausal",
    "high_stress",
    "osteoporosis",
    "cancer_history",
    "iv_drug_use",
    "immunosuppression",
    "long_term_steroid_use",
]
MEDICATIONS = [
    "metformin",
    "omeprazole",
    "esomeprazole",
    "lansoprazole",
    "pantoprazole",
    "rabeprazole",
    "famotidine",
    "cimetidine",
    "furosemide",
    "bumetanide",
    "torsemide",
    "hydrochlorothiazide",
    "chlorthalidone",
    "indapamide",
    "prednisone",
    "prednisolone",
    "dexamethasone",
    "phenytoin",
    "carbamazepine",
    "phenobarbital",
    "orlistat",
    "cholestyramine",
    "alendronate",
    "risedronate",
    "doxycycline",
    "minocycline",
    "tetracycline",
    "ciprofloxacin",
    "levofloxacin",
    "levothyroxine",
    "digoxin",
    "colchicine",
]
# test -> (contract units, plausible SI range used to generate values in the first unit)
LAB_UNITS = {
    "vitamin_d_25oh": ["nmol/L", "ng/mL"],
    "vitamin_b12": ["pmol/L", "pg/mL"],
    "methylmalonic_acid": ["umol/L", "µmol/L"],
    "homocysteine": ["umol/L", "µmol/L"],
    "magnesium": ["mmol/L", "mg/dL", "mEq/L"],
    "calcium": ["mmol/L", "mg/dL", "mEq/L"],
    "calcium_ionized": ["mmol/L"],
    "albumin": ["g/L", "g/dL"],
    "pth": ["pmol/L", "pg/mL"],
}
LAB_RANGE = {  # realistic values in the first listed unit
    "vitamin_d_25oh": (10, 200),
    "vitamin_b12": (60, 1200),
    "methylmalonic_acid": (0.05, 2.0),
    "homocysteine": (3, 60),
    "magnesium": (0.4, 1.8),
    "calcium": (1.6, 3.2),
    "calcium_ionized": (0.8, 1.6),
    "albumin": (20, 55),
    "pth": (1, 30),
}
LOINCS = [
    "62292-8",
    "1989-3",
    "2132-9",
    "13964-2",
    "13965-9",
    "19123-9",
    "2601-3",
    "17861-6",
    "2000-8",
    "1995-0",
    "1751-7",
    "2731-8",
]
ALL_UNITS = sorted({u for us in LAB_UNITS.values() for u in us} | {"g/dL", "IU", "mg", "%", "", "nmol"})

JUNK_TEXT = st.text(min_size=0, max_size=12)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    JUNK_TEXT,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(JUNK_TEXT, st.integers(), max_size=2),
)
WILD_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 1e308, -1e308, 1e-300, 5e-324]),
)


def sometimes(valid: st.SearchStrategy[Any], other: st.SearchStrategy[Any], one_in: int = 12) -> st.SearchStrategy[Any]:
    """Mostly ``valid``; about one draw in ``one_in`` comes from ``other``."""
    # (the middle value: hypothesis favours the ends of an integer range)
    return st.integers(0, one_in - 1).flatmap(lambda i: other if i == one_in // 2 else valid)


def maybe_junk(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return sometimes(valid, JUNK)


def codes(pool: list[str]) -> st.SearchStrategy[str]:
    return sometimes(st.sampled_from(pool), JUNK_TEXT)


# --- valid profiles (every value allowed by the contract) -------------------------------------

FOODS = ["1 cup 2% milk", "2 large eggs", "3 oz cooked Atlantic salmon", "1 oz almonds", "20 cups of milk", "toast"]
DIET_ENTRY = st.one_of(
    st.sampled_from(FOODS),
    st.builds(
        lambda f, a, u: {"food": f, "amount": a, "unit": u},
        st.sampled_from(["spinach, cooked", "milk", "egg"]),
        st.floats(min_value=0.1, max_value=30),
        st.sampled_from(["cup", "g", "oz", "large"]),
    ),
)


@st.composite
def valid_lab(draw: st.DrawFn) -> dict[str, Any]:
    test = draw(st.sampled_from(sorted(LAB_UNITS)))
    lo, hi = LAB_RANGE[test]
    lab: dict[str, Any] = {"value": round(draw(st.floats(min_value=lo, max_value=hi)), 3), "unit": LAB_UNITS[test][0]}
    lab["test"] = test
    return lab


@st.composite
def valid_supplement(draw: st.DrawFn) -> dict[str, Any]:
    nutrient = draw(st.sampled_from(NUTRIENTS))
    units = ["µg", "ug", "mcg", "mg"] + (["IU"] if nutrient == "vitamin_d" else [])
    return {
        "nutrient": nutrient,
        "amount": draw(st.floats(min_value=0, max_value=5000)),
        "unit": draw(st.sampled_from(units)),
    }


@st.composite
def valid_profiles(draw: st.DrawFn) -> dict[str, Any]:
    sex = draw(st.sampled_from(["female", "male"]))
    age = draw(st.one_of(st.integers(min_value=1, max_value=100), st.floats(min_value=1, max_value=100)))
    person: dict[str, Any] = {"age": age, "sex": sex}
    if sex == "female" and 15 <= age <= 45:
        state = draw(st.sampled_from(["none", "pregnant", "lactating"]))
        if state != "none":
            person[state] = True
    if draw(st.booleans()):
        person["weight_kg"] = draw(st.floats(min_value=30 if age >= 18 else 10, max_value=150))
    profile: dict[str, Any] = {"person": person}
    if draw(st.booleans()):
        profile["pain"] = {
            "regions": draw(st.lists(st.sampled_from(REGIONS), max_size=3, unique=True)),
            "duration_weeks": draw(st.floats(min_value=0, max_value=300)),
            "severity": draw(st.integers(min_value=0, max_value=10)),
        }
    if draw(st.booleans()):
        profile["symptoms"] = draw(st.lists(st.sampled_from(SYMPTOMS + RED_FLAGS), max_size=5, unique=True))
    if draw(st.booleans()):
        profile["risk_factors"] = draw(st.lists(st.sampled_from(RISK_FACTORS), max_size=4, unique=True))
    if draw(st.booleans()):
        profile["medications"] = draw(st.lists(st.sampled_from(MEDICATIONS), max_size=4, unique=True))
    if draw(st.booleans()):
        profile["supplements"] = draw(st.lists(valid_supplement(), max_size=4))
    if draw(st.booleans()):
        profile["labs"] = draw(st.lists(valid_lab(), max_size=4))
    if draw(st.integers(0, 3)) == 0:
        profile["diet"] = {"days": draw(st.lists(st.lists(DIET_ENTRY, min_size=1, max_size=3), min_size=1, max_size=2))}
    if draw(st.booleans()):
        profile["preferences"] = {
            "diet": draw(st.sampled_from(["omnivore", "pescatarian", "vegetarian", "vegan"])),
            "exclude": draw(
                st.lists(st.sampled_from(["dairy", "eggs", "fish", "nuts", "soy", "gluten"]), max_size=3, unique=True)
            ),
            "dislikes": draw(st.lists(st.text(max_size=10), max_size=3)),
            "activity": draw(st.sampled_from(["sedentary", "light", "moderate", "active"])),
        }
    return profile


# --- anything at all (valid-looking structure with junk mixed in) -----------------------------


@st.composite
def any_lab(draw: st.DrawFn) -> Any:
    lab: dict[str, Any] = {}
    if draw(st.booleans()):
        lab["test"] = draw(maybe_junk(codes(sorted(LAB_UNITS))))
    else:
        lab["loinc"] = draw(maybe_junk(codes(LOINCS)))
    test = lab.get("test")
    if isinstance(test, str) and test in LAB_UNITS:
        valid_value = st.floats(*LAB_RANGE[test])
        valid_unit = st.sampled_from(LAB_UNITS[test])
    else:
        valid_value = st.floats(min_value=0, max_value=500)
        valid_unit = st.sampled_from(ALL_UNITS)
    lab["value"] = draw(sometimes(valid_value, st.one_of(WILD_NUMBER, JUNK)))
    lab["unit"] = draw(sometimes(valid_unit, st.sampled_from(ALL_UNITS), one_in=6))
    return draw(sometimes(st.just(lab), JUNK))


@st.composite
def any_profiles(draw: st.DrawFn) -> Any:
    person = {
        "age": draw(sometimes(st.integers(min_value=1, max_value=100), st.one_of(WILD_NUMBER, JUNK))),
        "sex": draw(maybe_junk(st.sampled_from(["female", "male", "F", "Male", "other"]))),
    }
    for key in ("pregnant", "lactating"):
        if draw(st.integers(0, 3)) == 0:
            person[key] = draw(maybe_junk(st.booleans()))
    profile: dict[str, Any] = {"person": draw(sometimes(st.just(person), JUNK))}
    if draw(st.booleans()):
        profile["pain"] = draw(
            maybe_junk(
                st.fixed_dictionaries(
                    {
                        "regions": maybe_junk(st.lists(codes(REGIONS), max_size=3)),
                        "duration_weeks": sometimes(
                            st.floats(min_value=0, max_value=100), st.one_of(WILD_NUMBER, JUNK)
                        ),
                        "severity": sometimes(st.integers(min_value=0, max_value=10), st.one_of(WILD_NUMBER, JUNK)),
                    }
                )
            )
        )
    for key, pool in (("symptoms", SYMPTOMS + RED_FLAGS), ("risk_factors", RISK_FACTORS), ("medications", MEDICATIONS)):
        if draw(st.booleans()):
            profile[key] = draw(maybe_junk(st.lists(maybe_junk(codes(pool)), max_size=4)))
    if draw(st.booleans()):
        supp = st.fixed_dictionaries(
            {
                "nutrient": maybe_junk(codes(list(NUTRIENTS))),
                "amount": sometimes(st.floats(min_value=0, max_value=10000), st.one_of(WILD_NUMBER, JUNK)),
                "unit": maybe_junk(st.sampled_from(["µg", "ug", "mcg", "mg", "IU", "g", "tablet", ""])),
            }
        )
        profile["supplements"] = draw(maybe_junk(st.lists(maybe_junk(supp), max_size=3)))
    if draw(st.booleans()):
        profile["labs"] = draw(maybe_junk(st.lists(any_lab(), max_size=3)))
    if draw(st.integers(0, 3)) == 0:
        day = st.lists(maybe_junk(DIET_ENTRY), max_size=3)
        profile["diet"] = draw(
            maybe_junk(st.fixed_dictionaries({"days": maybe_junk(st.lists(maybe_junk(day), max_size=2))}))
        )
    if draw(st.booleans()):
        profile["preferences"] = draw(
            maybe_junk(
                st.fixed_dictionaries(
                    {
                        "diet": maybe_junk(codes(["omnivore", "pescatarian", "vegetarian", "vegan"])),
                        "exclude": maybe_junk(
                            st.lists(
                                codes(
                                    ["dairy", "eggs", "fish", "shellfish", "nuts", "peanuts", "soy", "gluten", "meat"]
                                ),
                                max_size=2,
                            )
                        ),
                        "dislikes": maybe_junk(st.lists(JUNK_TEXT, max_size=2)),
                    }
                )
            )
        )
    if draw(st.integers(0, 5)) == 0:
        profile[draw(JUNK_TEXT)] = draw(JUNK)
    return draw(sometimes(st.just(profile), JUNK, one_in=20))


# --- the contract's shape ----------------------------------------------------------------------


def assert_contract(result: dict[str, Any]) -> None:
    text = json.dumps(result, allow_nan=False)  # no NaN or infinity may reach the output
    assert json.loads(text) == result
    tri = result["triage"]
    assert tri["level"] in LEVELS
    assert isinstance(tri["advice"], str) and tri["advice"]
    assert isinstance(tri["reasons"], list)
    for reason in tri["reasons"]:
        assert isinstance(reason["code"], str) and reason["code"]
        assert isinstance(reason["text"], str) and reason["text"]
    assert set(NUTRIENTS) <= set(result["nutrients"])
    for n in NUTRIENTS:
        nut = result["nutrients"][n]
        assert nut["likelihood"] in LIKELIHOODS
        lab = nut["lab"]
        assert lab["status"] in STATUSES
        if lab["status"] != "not_tested":
            assert isinstance(lab["value_si"], int | float) and math.isfinite(lab["value_si"])
            assert lab["unit_si"] == SI_UNIT[n]
        spd = nut.get("supplement_per_day")
        assert spd is None or (isinstance(spd, int | float) and math.isfinite(spd) and spd >= 0)
        for ev in nut.get("evidence", []):
            assert ev["effect"] in ("raises", "lowers")
    assert isinstance(result["warnings"], list)
    for w in result["warnings"]:
        assert isinstance(w["code"], str) and w["code"] and isinstance(w["text"], str) and w["text"]
    assert isinstance(result["disclaimer"], str) and result["disclaimer"].strip()


def assess_or_refuse(data: Any) -> dict[str, Any] | None:
    """The only two allowed outcomes: a contract result, or InputError with named problems."""
    try:
        profile = parse_profile(copy.deepcopy(data))
    except InputError as exc:
        problems = exc.problems
    else:
        result = assess(profile).to_dict()
        assert_contract(result)
        return result
    assert problems, "InputError without problems"
    for p in problems:
        assert isinstance(p.field, str) and isinstance(p.message, str) and p.message
        assert isinstance(p.suggestions, list)
    return None


@SETTINGS
@given(any_profiles())
def test_any_profile_gives_a_result_or_input_error(data: Any) -> None:
    assess_or_refuse(data)


@SETTINGS
@given(any_profiles())
def test_assess_accepts_plain_data_the_same_way(data: Any) -> None:
    """assess(dict) validates too: InputError or a contract result, nothing else."""
    try:
        result = assess(copy.deepcopy(data)).to_dict()
    except InputError:
        return
    assert_contract(result)


@SETTINGS
@given(valid_profiles())
def test_valid_profiles_are_accepted(data: dict[str, Any]) -> None:
    assert assess_or_refuse(data) is not None, "a profile within the contract was refused"


@settings(max_examples=30, deadline=None)
@given(valid_profiles())
def test_json_output_is_deterministic(data: dict[str, Any]) -> None:
    first = json.dumps(assess(copy.deepcopy(data)).to_dict(), indent=2, ensure_ascii=False)
    second = json.dumps(assess(copy.deepcopy(data)).to_dict(), indent=2, ensure_ascii=False)
    assert first == second


@settings(max_examples=100, deadline=None)
@given(valid_profiles(), st.sampled_from(RED_FLAGS))
def test_adding_a_red_flag_never_lowers_triage(data: dict[str, Any], flag: str) -> None:
    before = assess(copy.deepcopy(data)).to_dict()["triage"]["level"]
    more = copy.deepcopy(data)
    more["symptoms"] = [*more.get("symptoms", []), flag] if flag not in more.get("symptoms", []) else more["symptoms"]
    after = assess(more).to_dict()["triage"]
    assert LEVELS.index(after["level"]) >= LEVELS.index(before)
    assert LEVELS.index(after["level"]) >= LEVELS.index("routine"), f"{flag} alone gave {after['level']}"


DEFICIENT = {  # (nutrient, tests to remove, deficient lab strategy) - contract cut-offs, SI units
    "vitamin_d": (
        {"vitamin_d_25oh"},
        st.builds(lambda v: {"test": "vitamin_d_25oh", "value": v, "unit": "nmol/L"}, st.floats(8, 29.9)),
    ),
    "vitamin_b12": (
        {"vitamin_b12", "methylmalonic_acid", "homocysteine"},
        st.builds(lambda v: {"test": "vitamin_b12", "value": v, "unit": "pmol/L"}, st.floats(45, 147.9)),
    ),
    "magnesium": (
        {"magnesium"},
        st.builds(lambda v: {"test": "magnesium", "value": v, "unit": "mmol/L"}, st.floats(0.31, 0.749)),
    ),
    "calcium": (
        {"calcium", "calcium_ionized", "albumin"},
        st.builds(lambda v: {"test": "calcium", "value": v, "unit": "mmol/L"}, st.floats(1.01, 2.119)),
    ),
}


@settings(max_examples=100, deadline=None)
@given(valid_profiles(), st.sampled_from(NUTRIENTS), st.data())
def test_a_deficient_lab_always_gives_high_likelihood(data: dict[str, Any], nutrient: str, draw: st.DataObject) -> None:
    drop, lab = DEFICIENT[nutrient]
    profile = copy.deepcopy(data)
    profile["labs"] = [x for x in profile.get("labs", []) if x.get("test") not in drop] + [draw.draw(lab)]
    result = assess(profile).to_dict()["nutrients"][nutrient]
    assert result["lab"]["status"] == "deficient"
    assert result["likelihood"] == "high"


def _contract_status(nutrient: str, si: float) -> str:
    if nutrient == "vitamin_d":
        return "deficient" if si < 30 else "borderline" if si < 50 else "adequate" if si <= 125 else "high"
    if nutrient == "vitamin_b12":
        return "deficient" if si < 148 else "borderline" if si <= 221 else "adequate"
    if nutrient == "magnesium":
        return "deficient" if si < 0.75 else "borderline" if si < 0.85 else "adequate" if si <= 1.05 else "high"
    return "deficient" if si < 2.12 else "adequate" if si <= 2.62 else "high"


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["vitamin_d_25oh", "vitamin_b12", "magnesium", "calcium"]),
    st.floats(min_value=0.01, max_value=1.0),
)
def test_si_lab_status_follows_the_contract_table(test: str, fraction: float) -> None:
    """One lab in SI units, no markers or albumin: status is exactly the contract's band."""
    lo, hi = LAB_RANGE[test]
    value = round(lo + (hi - lo) * fraction, 3)
    nutrient = {"vitamin_d_25oh": "vitamin_d"}.get(test, test)
    lab = assess(
        {"person": {"age": 50, "sex": "male"}, "labs": [{"test": test, "value": value, "unit": LAB_UNITS[test][0]}]}
    ).to_dict()["nutrients"][nutrient]["lab"]
    tol = 0.051 if nutrient in ("vitamin_d", "vitamin_b12") else 0.0051  # value_si is rounded
    assert math.isclose(lab["value_si"], value, abs_tol=tol)
    assert lab["status"] == _contract_status(nutrient, value)


RANK = {level: i for i, level in enumerate(LEVELS)}


@settings(max_examples=100, deadline=None)
@given(valid_profiles())
def test_a_likely_or_proven_deficiency_is_at_least_routine(data: dict[str, Any]) -> None:
    """Contract: routine covers 'a deficiency worth a blood test'; self-care must not hide one."""
    result = assess(copy.deepcopy(data)).to_dict()
    flagged = [
        n
        for n, v in result["nutrients"].items()
        if n in NUTRIENTS and (v["likelihood"] == "high" or v["lab"]["status"] == "deficient")
    ]
    if flagged:
        assert RANK[result["triage"]["level"]] >= RANK["routine"], flagged


# Tolerable upper intake levels from facts.md section A (supplements only, no diet given).
def upper_limit(nutrient: str, age: float) -> float | None:
    if nutrient == "vitamin_b12":
        return None
    if nutrient == "vitamin_d":
        return 63 if age < 4 else 75 if age < 9 else 100
    if nutrient == "magnesium":
        return 65 if age < 4 else 110 if age < 9 else 350
    return 2500 if age < 9 else 3000 if age < 19 else 2500 if age < 51 else 2000


TO_NUTRIENT_UNIT = {  # (nutrient unit, supplement unit) -> factor; IU only for vitamin D (40 IU = 1 µg)
    ("µg", "µg"): 1.0, ("µg", "ug"): 1.0, ("µg", "mcg"): 1.0, ("µg", "mg"): 1000.0, ("µg", "IU"): 1 / 40,
    ("mg", "µg"): 0.001, ("mg", "ug"): 0.001, ("mg", "mcg"): 0.001, ("mg", "mg"): 1.0,
}  # fmt: skip
NUTRIENT_UNIT = {"vitamin_d": "µg", "vitamin_b12": "µg", "magnesium": "mg", "calcium": "mg"}


@settings(max_examples=100, deadline=None)
@given(valid_profiles())
def test_supplement_totals_and_upper_limit_warnings(data: dict[str, Any]) -> None:
    data = copy.deepcopy(data)
    data.pop("diet", None)
    result = assess(data).to_dict()
    age = data["person"]["age"]
    for n in NUTRIENTS:
        taken = [s for s in data.get("supplements", []) if s["nutrient"] == n]
        total = sum(s["amount"] * TO_NUTRIENT_UNIT[(NUTRIENT_UNIT[n], s["unit"])] for s in taken)
        got = result["nutrients"][n]["supplement_per_day"]
        if "supplements" not in data:
            assert got in (None, 0, 0.0)
            continue
        assert got == pytest.approx(total, abs=0.002, rel=1e-6)
        ul = upper_limit(n, age)
        warned = any(w["code"] == "above_upper_limit" and w.get("nutrient") == n for w in result["warnings"])
        if ul is None or abs(total - ul) < 0.01:
            continue
        assert warned is (total > ul), f"{n}: {total} vs UL {ul} at age {age}"
