"""Top food sources of a nutrient, ranked per ordinary serving, per 100 g or per 100 kcal,
filtered by diet and dislikes; from the USDA database or the cited knowledge-base foods."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nutrispine.errors import InputError, Problem, closest
from nutrispine.recommend.candidates import usable
from nutrispine.recommend.catalog import NUTRIENTS, UNITS, Catalog, load_catalog
from nutrispine.recommend.diet import make_filter

PER = ("serving", "100g", "100kcal")
MIN_KCAL_100G = 10.0  # per-100-kcal ranking is meaningless for near-zero-energy foods


def family(name: str) -> str:
    """Near-duplicate key: the first two parts of a USDA name ("Seeds, pumpkin ...")."""
    return ",".join(name.lower().split(",")[:2]).strip()


def check_nutrient(nutrient: str, field: str = "nutrient") -> str:
    code = nutrient.strip().lower().replace(" ", "_").replace("-", "_")
    code = {"d": "vitamin_d", "vitd": "vitamin_d", "b12": "vitamin_b12", "mg": "magnesium",
            "ca": "calcium", "vitamin_b_12": "vitamin_b12"}.get(code, code)
    if code not in NUTRIENTS:
        raise InputError(Problem(field, f"unknown nutrient {nutrient!r}", closest(code, NUTRIENTS)))
    return code


def scores(catalog: Catalog, nutrient: str, per: str) -> np.ndarray:
    """The ranking value of every food (NaN where it cannot be ranked)."""
    v = catalog.column(nutrient)
    if per == "100g":
        return v
    if per == "serving":
        return v * catalog.portion_grams / 100.0
    kcal = np.where(catalog.kcal100 >= MIN_KCAL_100G, catalog.kcal100, np.nan)
    return v / kcal * 100.0


def top_foods(nutrient: str, *, per: str = "serving", diets: Iterable[str] = (),
              exclude: Iterable[str] = (), dislikes: Iterable[str] = (), limit: int = 10,
              db: Any = None, catalog: Catalog | None = None) -> dict[str, Any]:
    """The best sources, one per family of near-duplicates, with all three measures."""
    code = check_nutrient(nutrient)
    if per not in PER:
        raise InputError(Problem("per", f"must be one of {', '.join(PER)}", closest(per, PER)))
    if limit < 1:
        raise InputError(Problem("limit", "must be at least 1"))
    cat = catalog if catalog is not None else load_catalog(db)
    diet = make_filter(exclude=[*diets, *exclude], dislikes=dislikes, field_prefix="filters")
    score = scores(cat, code, per)
    mask = usable(cat, diet, plan=False) & ~np.isnan(score) & (score > 0)
    if cat.kind == "database":
        mask &= ~cat.branded
    order = np.flatnonzero(mask)
    order = order[np.argsort(-score[order], kind="stable")]
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i in order:
        key = family(cat.names[i])
        if key in seen:
            continue
        seen.add(key)
        rows.append(_row(cat, int(i), code, len(rows) + 1))
        if len(rows) >= limit:
            break
    return {"nutrient": code, "unit": UNITS[code], "per": per, "source": cat.kind,
            "filters": {"pattern": diet.pattern, "avoid": sorted(diet.avoid),
                        "dislikes": list(diet.dislikes)},
            "foods": rows}


def _row(cat: Catalog, i: int, code: str, rank: int) -> dict[str, Any]:
    per100 = float(cat.column(code)[i])
    grams = float(cat.portion_grams[i])
    kcal = float(cat.kcal100[i])
    return {
        "rank": rank, "food": cat.food_ref(i), "portion": cat.portion_label[i],
        "grams": round(grams, 1),
        "per_serving": round(per100 * grams / 100.0, 3),
        "per_100g": round(per100, 3),
        "per_100kcal": round(per100 / kcal * 100.0, 3) if kcal >= MIN_KCAL_100G else None,
        "unit": UNITS[code],
    }
