"""The meal-plan optimiser's front door: a profile in, the contract's plan JSON out.

Days are solved one after another (each a small MILP, see ``optimiser``): later days pay a cost
for repeating foods and may not reuse an earlier day's exact set of foods. Totals are then
recomputed from the grams and the database values, so what we report is what anyone recomputing
from the same database finds; shortfalls come from those recomputed totals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from nutrispine.errors import InputError, Problem
from nutrispine.recommend.candidates import select
from nutrispine.recommend.catalog import NUTRIENTS, Catalog, load_catalog
from nutrispine.recommend.diet import DietFilter, filter_for_profile
from nutrispine.recommend.energy import energy_target
from nutrispine.recommend.optimiser import DayProblem, solve_day
from nutrispine.recommend.shortfall import NAMES, shortfall_advice
from nutrispine.recommend.targets import Target, person_targets

MAX_DAYS = 14
MAX_PORTIONS = 3  # a sensible number of portions of one food in a day
MAX_GRAMS_PER_FOOD = 750.0
REFERENCE_KCAL = 2200.0
MIN_ITEMS = 7  # a day of ordinary eating, not three super-foods


@dataclass
class PlanResult:
    data: dict[str, Any]
    seconds: float
    candidates: int


def _as_profile(profile: Any) -> Any:
    if isinstance(profile, dict):
        from nutrispine.profile import parse_profile

        return parse_profile(profile)
    return profile


def make_plan(profile: Any, *, days: int = 1, db: Any = None, kb: Any = None,
              catalog: Catalog | None = None, time_limit: float | None = None) -> PlanResult:
    """Plan ``days`` days for ``profile`` (a Profile or a contract-shaped dict)."""
    if not 1 <= int(days) <= MAX_DAYS:
        raise InputError(Problem("days", f"must be between 1 and {MAX_DAYS}, not {days}"))
    profile = _as_profile(profile)
    if kb is None:
        from nutrispine.knowledge import load_knowledge

        kb = load_knowledge()
    person = profile.person
    if person.age < 1:
        raise InputError(Problem("person.age", "meal plans are for ages 1 and over"))
    catalog = catalog if catalog is not None else load_catalog(db)
    diet = filter_for_profile(profile)
    prefs = profile.preferences
    energy = energy_target(person.age, person.sex, person.weight_kg, person.height_cm,
                           prefs.activity if prefs else None, bool(person.pregnant),
                           bool(person.lactating))
    targets = person_targets(kb, person, profile.supplements)
    start = time.perf_counter()
    cands = select(catalog, diet, targets)
    if len(cands.index) == 0:
        raise InputError(Problem("preferences", "no food in the database fits these diet "
                                 "preferences; loosen an exclusion or import a fuller database"))
    goals = np.array([targets[n].goal for n in NUTRIENTS])
    limits = np.array([targets[n].food_limit if targets[n].food_limit is not None else np.inf
                       for n in NUTRIENTS])
    # Children eat less: scale the per-food gram cap with the energy target.
    max_grams = MAX_GRAMS_PER_FOOD * min(1.0, energy.kcal / REFERENCE_KCAL)
    caps = np.maximum(1, np.minimum(MAX_PORTIONS, np.floor(max_grams / cands.grams))).astype(int)
    families = _families(catalog, cands.index)
    per_day = time_limit if time_limit is not None else (0.5 if days == 1 else 1.0)
    used = np.zeros(len(cands.index))
    previous: list[set[int]] = []
    day_counts: list[np.ndarray] = []
    statuses: list[str] = []
    for _ in range(int(days)):
        sol = solve_day(DayProblem(cands=cands, goals=goals, limits=limits, energy=energy.kcal,
                                   caps=caps, used_before=used, previous_sets=previous,
                                   families=families,
                                   max_items=min(12, len(cands.index)),
                                   min_items=min(MIN_ITEMS, len(cands.index)), time_limit=per_day))
        statuses.append(sol.status)
        chosen = {int(f) for f in np.flatnonzero(sol.portions > 0)}
        previous.append(chosen)
        used += sol.portions > 0
        day_counts.append(sol.portions)
    seconds = time.perf_counter() - start
    data = _render(catalog, cands.index, cands.grams, day_counts, targets, energy, diet, statuses)
    return PlanResult(data=data, seconds=seconds, candidates=len(cands.index))


def _families(catalog: Catalog, index: np.ndarray) -> list[np.ndarray]:
    """Candidates sharing the first two parts of their USDA name ("Seeds, pumpkin ...")."""
    groups: dict[str, list[int]] = {}
    for pos, row in enumerate(index):
        key = ",".join(catalog.names[int(row)].lower().split(",")[:2])
        groups.setdefault(key, []).append(pos)
    return [np.array(v, dtype=np.int32) for v in groups.values() if len(v) > 1]


def _render(catalog: Catalog, index: np.ndarray, grams: np.ndarray, day_counts: list[np.ndarray],
            targets: dict[str, Target], energy: Any, diet: DietFilter,
            statuses: list[str]) -> dict[str, Any]:
    days_out: list[dict[str, Any]] = []
    day_totals: list[dict[str, float]] = []
    for counts in day_counts:
        items = []
        totals = dict.fromkeys((*NUTRIENTS, "energy"), 0.0)
        for f in np.flatnonzero(counts > 0):
            row = int(index[f])
            g = round(float(grams[f]) * int(counts[f]), 2)
            nutrients = {}
            for j, code in enumerate(NUTRIENTS):
                v = catalog.per100[row, j]
                amount = None if np.isnan(v) else float(v) * g / 100.0
                nutrients[code] = {"amount": None if amount is None else round(amount, 3),
                                   "unit": targets[code].unit}
                totals[code] += amount or 0.0
            kcal = float(catalog.kcal100[row]) * g / 100.0
            totals["energy"] += kcal
            items.append({"food": catalog.food_ref(row), "grams": g,
                          "portion": f"{int(counts[f])} x {catalog.portion_label[row]}",
                          "nutrients": nutrients, "energy_kcal": round(kcal, 1)})
        day_totals.append(totals)
        days_out.append({"items": items, "totals": _totals_dict(totals, targets)})
    mean = {k: float(np.mean([t[k] for t in day_totals])) for k in day_totals[0]}
    shortfalls = []
    for code in NUTRIENTS:
        t = targets[code]
        worst = min(d[code] for d in day_totals)
        if worst < t.goal - 1e-9:
            shortfalls.append(shortfall_advice(t, worst, diet))
    target_out: dict[str, Any] = {code: targets[code].to_dict() for code in NUTRIENTS}
    target_out["energy"] = {"amount": energy.kcal, "unit": "kcal", "activity": energy.activity,
                            "assumed_body_size": energy.assumed_size, "source": energy.source}
    warnings = []
    for code in NUTRIENTS:
        t = targets[code]
        if t.ul is not None and t.ul_applies_to == "total" and t.supplements > t.ul:
            warnings.append({
                "code": "above_upper_limit", "nutrient": code,
                "text": f"Supplements alone give {t.supplements:g} {t.unit} of {NAMES[code]} "
                        f"a day, above the upper limit of {t.ul:g} {t.unit} for your age: talk to your "
                        "doctor about the dose. The plan adds none from food."})
        elif t.food_limit is not None and t.food_limit < t.goal:
            warnings.append({
                "code": "supplements_near_upper_limit", "nutrient": code,
                "text": f"Supplements already give {t.supplements:g} {t.unit} of {NAMES[code]} "
                        f"a day against an upper limit of {t.ul:g} {t.unit}, so the plan can add at most "
                        f"{t.food_limit:g} {t.unit} from food, which limits which foods fit. Discuss the "
                        "supplement dose with your doctor."})
    return {
        "days": days_out,
        "totals_per_day": _totals_dict(mean, targets),
        "targets": target_out,
        "shortfalls": shortfalls,
        "warnings": warnings,
        "diet": {"pattern": diet.pattern, "avoid": sorted(diet.avoid),
                 "dislikes": list(diet.dislikes)},
        "food_source": "usda-sr28" if catalog.kind == "database" else catalog.sources[0],
        "solver": {"name": "HiGHS", "status": statuses},
        "notes": [
            "Totals per day are the mean over the days; each day's own totals are under `days`. "
            "Every day is planned to reach each target on its own.",
            "Food only: supplements count only in the upper-limit check (food limit = UL minus "
            "supplements, for nutrients whose UL covers food).",
            "A nutrient with no value in the database counts as 0 here.",
        ],
    }


def _totals_dict(totals: dict[str, float], targets: dict[str, Target]) -> dict[str, Any]:
    out: dict[str, Any] = {code: {"amount": round(totals[code], 2), "unit": targets[code].unit}
                           for code in NUTRIENTS}
    out["energy"] = {"amount": round(totals["energy"]), "unit": "kcal"}
    return out
