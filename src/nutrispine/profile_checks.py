"""Checks on a typed profile that need the knowledge base: codes, units, impossible values,
and warnings for values that are possible but suspicious."""

from __future__ import annotations

from collections.abc import Iterable

from nutrispine.errors import Problem, closest
from nutrispine.knowledge import KnowledgeBase, load_knowledge
from nutrispine.knowledge.base import unit_key
from nutrispine.knowledge.models import NUTRIENTS
from nutrispine.profile import Profile
from nutrispine.vocabulary import ACTIVITY, DIETS, EXCLUSIONS, PAIN_REGIONS, SUPPLEMENT_UNITS

Warn = dict[str, str]
# Larger numbers are not measurements but typing accidents (and would overflow unit arithmetic).
MAX_AMOUNT = 1e9


def check_profile(profile: Profile, kb: KnowledgeBase | None = None) -> tuple[list[Problem], list[Warn]]:
    """Return (problems that refuse the profile, warnings that go into the result)."""
    kb = kb or load_knowledge()
    problems: list[Problem] = []
    warnings: list[Warn] = []
    _person(profile, problems, warnings)
    _pain(profile, problems)
    symptoms = set(kb.factors.symptoms) | kb.red_flag_symptoms
    _codes("symptoms", profile.symptoms, symptoms, problems)
    _codes("risk_factors", profile.risk_factors, kb.factors.risk_factors, problems)
    _medications(profile, kb, problems, warnings)
    _supplements(profile, kb, problems, warnings)
    _diet(profile, problems)
    _labs(profile, kb, problems, warnings)
    _preferences(profile, problems)
    return problems, warnings


def _codes(field: str, values: Iterable[str] | None, valid: Iterable[str], problems: list[Problem]) -> None:
    pool = list(valid)
    for i, value in enumerate(values or ()):
        if value not in pool:
            problems.append(Problem(f"{field}[{i}]", f"unknown code {value!r}", closest(value, pool)))


def _person(profile: Profile, problems: list[Problem], warnings: list[Warn]) -> None:
    p = profile.person
    if p.sex not in ("female", "male"):
        problems.append(
            Problem("person.sex", f"must be 'female' or 'male', not {p.sex!r}", closest(p.sex, ("female", "male")))
        )
    if not 1 <= p.age <= 120:
        problems.append(
            Problem(
                "person.age",
                f"must be between 1 and 120 years, not {p.age:g}"
                + (" (nutrispine's reference values start at age 1)" if 0 <= p.age < 1 else ""),
            )
        )
    elif p.age > 105:
        warnings.append(
            _warn("implausible_value", f"An age of {p.age:g} years is unusual; please check it.", field="person.age")
        )
    if p.pregnant and p.sex == "male":
        problems.append(Problem("person.pregnant", "is true but person.sex is 'male'"))
    if p.lactating and p.sex == "male":
        problems.append(Problem("person.lactating", "is true but person.sex is 'male'"))
    if (p.pregnant or p.lactating) and p.sex == "female" and 1 <= p.age < 9:
        problems.append(
            Problem("person.pregnant" if p.pregnant else "person.lactating", f"is not possible at age {p.age:g}")
        )
    elif (p.pregnant or p.lactating) and p.age > 55:
        warnings.append(
            _warn(
                "implausible_value",
                f"Pregnancy or breastfeeding at {p.age:g} is unusual; please check.",
                field="person.pregnant",
            )
        )
    if p.pregnant and p.lactating:
        warnings.append(
            _warn(
                "implausible_value",
                "Both pregnant and breastfeeding: pregnancy values are used.",
                field="person.lactating",
            )
        )
    for field, value, lo, hi, wlo, whi, unit in (
        ("weight_kg", p.weight_kg, 0, 700, 25 if p.age >= 18 else 5, 300, "kg"),
        ("height_cm", p.height_cm, 0, 275, 120 if p.age >= 18 else 60, 230, "cm"),
    ):
        if value is None:
            continue
        if not lo < value <= hi:
            problems.append(Problem(f"person.{field}", f"must be above {lo} and at most {hi} {unit}, not {value:g}"))
        elif not wlo <= value <= whi:
            warnings.append(
                _warn(
                    "implausible_value",
                    f"A {field.split('_')[0]} of {value:g} {unit} is unusual; please check it.",
                    field=f"person.{field}",
                )
            )


def _pain(profile: Profile, problems: list[Problem]) -> None:
    if profile.pain is None:
        return
    _codes("pain.regions", profile.pain.regions, PAIN_REGIONS, problems)
    sev = profile.pain.severity
    if sev is not None and not 0 <= sev <= 10:
        problems.append(Problem("pain.severity", f"must be between 0 and 10 (numeric rating scale), not {sev:g}"))
    dur = profile.pain.duration_weeks
    if dur is not None and not 0 <= dur <= 52 * 100:
        problems.append(Problem("pain.duration_weeks", f"must be between 0 and 5200 weeks, not {dur:g}"))


def _medications(profile: Profile, kb: KnowledgeBase, problems: list[Problem], warnings: list[Warn]) -> None:
    known = list(kb.medication_index)
    for i, name in enumerate(profile.medications or ()):
        if not name:
            problems.append(Problem(f"medications[{i}]", "must not be empty"))
        elif kb.medication_class(name) is None:
            near = closest(name, known)
            if near and _similar(name, near[0]):
                problems.append(Problem(f"medications[{i}]", f"unknown medication {name!r}", near))
            else:
                warnings.append(
                    _warn(
                        "unknown_medication",
                        f"'{name}' is not in nutrispine's list of medicines that affect these nutrients, "
                        "so it was not assessed; tell your doctor about every medicine you take.",
                        field=f"medications[{i}]",
                    )
                )


def _similar(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.75


def _supplements(profile: Profile, kb: KnowledgeBase, problems: list[Problem], warnings: list[Warn]) -> None:
    for i, s in enumerate(profile.supplements or ()):
        where = f"supplements[{i}]"
        if s.nutrient not in NUTRIENTS:
            problems.append(
                Problem(f"{where}.nutrient", f"unknown nutrient {s.nutrient!r}", closest(s.nutrient, NUTRIENTS))
            )
            continue
        unit = SUPPLEMENT_UNITS.get(
            s.unit.strip().lower().replace("μ", "µ").replace("µ", "u")
            if s.unit.strip().lower().startswith(("µ", "μ"))
            else s.unit.strip().lower()
        )
        if unit is None:
            problems.append(
                Problem(
                    f"{where}.unit",
                    f"unknown unit {s.unit!r}; use µg (ug, mcg), mg or IU",
                    closest(s.unit.lower(), ("ug", "mcg", "mg", "iu")),
                )
            )
        elif unit == "IU" and kb.nutrients[s.nutrient].iu_per_unit is None:
            problems.append(
                Problem(
                    f"{where}.unit",
                    f"IU is only used for vitamin D; give {s.nutrient} in {kb.nutrients[s.nutrient].unit}",
                )
            )
        if s.amount < 0:
            problems.append(Problem(f"{where}.amount", f"must not be negative, not {s.amount:g}"))
        elif s.amount > MAX_AMOUNT:
            problems.append(Problem(f"{where}.amount", f"{s.amount:g} is not a possible daily amount"))


def _diet(profile: Profile, problems: list[Problem]) -> None:
    if profile.diet is None:
        return
    for d, day in enumerate(profile.diet.days):
        for j, entry in enumerate(day):
            where = f"diet.days[{d}][{j}]"
            if isinstance(entry, str):
                if not entry.strip():
                    problems.append(Problem(where, "must not be empty"))
            else:
                if not entry.food.strip():
                    problems.append(Problem(f"{where}.food", "must not be empty"))
                if entry.amount <= 0:
                    problems.append(Problem(f"{where}.amount", f"must be above 0, not {entry.amount:g}"))
    if profile.diet.frequency is not None:
        try:
            from nutrispine.foods.frequency import validate_answers
        except ImportError:
            return
        from nutrispine.errors import InputError

        try:
            validate_answers(profile.diet.frequency)
        except InputError as exc:
            problems.extend(exc.problems)


def _labs(profile: Profile, kb: KnowledgeBase, problems: list[Problem], warnings: list[Warn]) -> None:
    for i, lab in enumerate(profile.labs or ()):
        where = f"labs[{i}]"
        test = lab.test
        if test is None and lab.loinc is None:
            problems.append(Problem(where, "needs a 'test' code or a 'loinc' code"))
            continue
        if lab.loinc is not None:
            hit = kb.loinc_index.get(lab.loinc.strip())
            if hit is None:
                problems.append(
                    Problem(
                        f"{where}.loinc",
                        f"unknown or unsupported LOINC code {lab.loinc!r}",
                        closest(lab.loinc, kb.loinc_index),
                    )
                )
                continue
            if test is not None and test != hit[0]:
                problems.append(Problem(f"{where}.loinc", f"LOINC {lab.loinc} is {hit[0]}, but test says {test!r}"))
                continue
            test = hit[0]
        assert test is not None
        if test not in kb.labs:
            problems.append(Problem(f"{where}.test", f"unknown test {test!r}", closest(test, kb.labs)))
            continue
        spec = kb.labs[test]
        unit_hit = kb.unit_index[test].get(unit_key(lab.unit))
        if unit_hit is None:
            accepted = sorted(label for label, _ in kb.unit_index[test].values())
            problems.append(
                Problem(f"{where}.unit", f"{lab.unit!r} is not a unit for {test}; use one of {', '.join(accepted)}")
            )
            continue
        if lab.value < 0:
            problems.append(Problem(f"{where}.value", f"must not be negative, not {lab.value:g}"))
            continue
        if lab.value > MAX_AMOUNT:
            problems.append(Problem(f"{where}.value", f"{lab.value:g} is not a possible result"))
            continue
        si = lab.value * unit_hit[1]
        lo, hi = spec.plausible_si
        if not lo <= si <= hi:
            warnings.append(
                _warn(
                    "implausible_value",
                    f"A {spec.plain_name} result of {lab.value:g} {lab.unit} ({si:.{spec.decimals}f} "
                    f"{spec.si_unit}) is outside the range usually seen ({lo:g}-{hi:g} {spec.si_unit}); "
                    "please check the value and unit.",
                    field=f"{where}.value",
                    nutrient=spec.nutrient or spec.marker_for or "",
                )
            )


def _preferences(profile: Profile, problems: list[Problem]) -> None:
    prefs = profile.preferences
    if prefs is None:
        return
    if prefs.diet not in DIETS:
        problems.append(Problem("preferences.diet", f"unknown diet {prefs.diet!r}", closest(prefs.diet, DIETS)))
    _codes("preferences.exclude", prefs.exclude, EXCLUSIONS, problems)
    if prefs.activity is not None and prefs.activity not in ACTIVITY:
        problems.append(
            Problem(
                "preferences.activity", f"unknown activity level {prefs.activity!r}", closest(prefs.activity, ACTIVITY)
            )
        )


def _warn(code: str, text: str, *, field: str = "", nutrient: str = "") -> Warn:
    out = {"code": code, "text": text}
    if nutrient:
        out["nutrient"] = nutrient
    if field:
        out["field"] = field
    return out
