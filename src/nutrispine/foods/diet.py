"""A profile's diet -> the intake report: day logs through the food database, or the
food-frequency questionnaire when there is no log or no database."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from nutrispine.intake import (
    NO_DATABASE,
    NO_DIET,
    NUTRIENTS,
    UNITS,
    IntakeReport,
    NutrientIntake,
    judge,
    mean_per_day,
    method_settings,
    top_sources,
    upper_limit_check,
)

LOW_COMPLETENESS = 0.8


def _person(profile: Any) -> tuple[float, str, bool, bool]:
    p = profile.person
    return (float(p.age), str(p.sex), bool(getattr(p, "pregnant", False) or False),
            bool(getattr(p, "lactating", False) or False))


def _supplements(profile: Any, kb: Any) -> dict[str, float]:
    try:
        from nutrispine.supplements import daily_totals
    except ImportError:  # pragma: no cover - core without supplements module
        return {}
    return daily_totals(kb, getattr(profile, "supplements", None))


def _block(nutrient: str, mean: float | None, days: int | None, completeness: float,
           method: str, sources: dict[str, float], profile: Any, kb: Any,
           supplements: dict[str, float], n_effective: float) -> NutrientIntake:
    age, sex, pregnant, lactating = _person(profile)
    req = kb.requirement(nutrient, age=age, sex=sex, pregnant=pregnant, lactating=lactating)
    block = NutrientIntake(
        nutrient=nutrient, per_day=mean, unit=UNITS[nutrient], days=days, ear=req.ear,
        rda=req.rda, ai=req.ai, ul=req.ul, probability_adequate=None,
        top_sources=top_sources(sources), completeness=completeness, method=method,
        supplement_per_day=supplements.get(nutrient, 0.0),
    )
    block.upper_limit = upper_limit_check(mean, block.supplement_per_day, req.ul,
                                          req.ul_applies_to)
    if mean is None:
        block.note = "no food in the diet has a value for this nutrient"
        return block
    prob, sd_req, sd_within, z, note, cites = judge(nutrient, mean, n_effective, req, sex)
    block.probability_adequate, block.sd_requirement, block.sd_within, block.z = (
        prob, sd_req, sd_within, z)
    notes = [note] if note else []
    if method == "food_log" and completeness < LOW_COMPLETENESS:
        notes.append(f"only {completeness:.0%} of the diet entries have a value for this "
                     "nutrient, so the intake is an underestimate")
    block.note = "; ".join(notes) or None
    block.sources = cites
    return block


def _from_logs(profile: Any, kb: Any, db: Any, report: IntakeReport) -> None:
    from nutrispine.foods.parser import parse_entries

    days = [d for d in profile.diet.days if d]
    day_totals: dict[str, list[float]] = {n: [] for n in NUTRIENTS}
    known: dict[str, int] = dict.fromkeys(NUTRIENTS, 0)
    contributions: dict[str, dict[str, float]] = {n: defaultdict(float) for n in NUTRIENTS}
    entries = 0
    for d_index, day in enumerate(days):
        items = parse_entries(list(day), db)
        report.items.append([i.to_dict() for i in items])
        totals = dict.fromkeys(NUTRIENTS, 0.0)
        for e_index, item in enumerate(items):
            entries += 1
            where = f"diet.days[{d_index}][{e_index}]"
            if item.food is None:
                report.warnings.append({"code": "unrecognised_food", "nutrient": None,
                                        "text": f"{where}: {item.text!r}: {item.error}"})
                continue
            for w in item.warnings:
                if w["code"] == "implausible_value":
                    report.warnings.append({"code": "implausible_value", "nutrient": None,
                                            "text": f"{where}: {item.text!r}: {w['text']}"})
            for n in NUTRIENTS:
                value = item.nutrients.get(n)
                if value is not None:
                    totals[n] += value
                    known[n] += 1
                    contributions[n][item.food.name] += value
        for n in NUTRIENTS:
            day_totals[n].append(totals[n])
    supplements = _supplements(profile, kb)
    for n in NUTRIENTS:
        mean = mean_per_day(day_totals[n]) if known[n] else None
        completeness = known[n] / entries if entries else 0.0
        report.per_nutrient[n] = _block(n, mean, len(days), completeness, "food_log",
                                        contributions[n], profile, kb, supplements,
                                        float(len(days)))


def _from_frequency(profile: Any, kb: Any, report: IntakeReport) -> None:
    from nutrispine.foods.frequency import estimate

    result = estimate(profile.diet.frequency)
    supplements = _supplements(profile, kb)
    n_eff = float(method_settings()["frequency_questionnaire_days"])
    for n in NUTRIENTS:
        block = _block(n, result.per_day[n], None, result.completeness, "frequency",
                       result.contributions[n], profile, kb, supplements, n_eff)
        extra = ("estimated from the food-frequency questionnaire "
                 f"({result.answered} of {result.total_items} food groups answered; "
                 "unanswered groups count as unknown, so intake may be higher)")
        block.note = f"{extra}; {block.note}" if block.note else extra
        report.per_nutrient[n] = block


def collect(profile: Any, kb: Any, db: Any = None) -> IntakeReport:
    """Build the intake report for ``profile`` (see nutrispine.intake.assess_intake)."""
    report = IntakeReport()
    diet = getattr(profile, "diet", None)
    has_days = bool(diet and any(diet.days or []))
    has_frequency = bool(diet and diet.frequency)
    if not has_days and not has_frequency:
        report.not_assessed_reason = NO_DIET
        return report
    if has_days and db is None:
        from nutrispine.foods.database import open_database

        db = open_database()
    if has_days and db is not None:
        _from_logs(profile, kb, db, report)
        if not any(b.per_day is not None for b in report.per_nutrient.values()):
            report.per_nutrient = {}
            report.not_assessed_reason = "none of the diet entries matched a food in the database"
        elif has_frequency:
            report.warnings.append({"code": "frequency_not_used", "nutrient": None,
                                    "text": "the food log was used; the frequency answers were "
                                            "not needed"})
        return report
    if has_frequency:
        _from_frequency(profile, kb, report)
        if has_days:
            report.warnings.append({"code": "no_food_database", "nutrient": None,
                                    "text": f"{NO_DATABASE}; intake was estimated from the "
                                            "frequency answers instead of the food log"})
        return report
    report.not_assessed_reason = NO_DATABASE
    return report
