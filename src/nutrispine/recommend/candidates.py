"""Candidate pre-selection for the meal-plan optimiser.

Scoring all 8,789 SR28 foods in the MILP would be slow and pointless: most are never chosen.
We keep the foods that are the densest or biggest sources of each nutrient per ordinary
portion, plus nutrient-rich foods that also supply energy, capped per USDA group for variety.
Everything here is vectorised over the catalog with NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nutrispine.recommend.catalog import NUTRIENTS, Catalog
from nutrispine.recommend.diet import DietFilter
from nutrispine.recommend.targets import Target

PER_NUTRIENT = 14  # best foods per nutrient, by density and by portion (each)
ENERGY_FOODS = 40  # nutrient-rich foods that also give real energy
PER_GROUP = 4  # at most this many foods from one USDA group in each list
MIN_PORTION_KCAL = 60.0


@dataclass(frozen=True)
class Candidates:
    index: np.ndarray  # catalog rows
    amounts: np.ndarray  # (k, 4) nutrient per portion, unknown -> 0
    kcal: np.ndarray  # (k,) per portion
    grams: np.ndarray  # (k,) grams per portion


def usable(catalog: Catalog, diet: DietFilter, *, plan: bool = True) -> np.ndarray:
    """Foods the person may eat that a plan can use: realistic, portion and energy known."""
    mask = catalog.allowed(diet) & catalog.realistic
    mask &= ~np.isnan(catalog.portion_grams) & ~np.isnan(catalog.kcal100)
    if plan:
        mask &= np.fromiter(("plan_avoid" not in t for t in catalog.tags), bool, len(catalog))
        mask &= ~catalog.branded
        if catalog.kind == "database":
            # Minerals unknown would make the totals unverifiable (the cited fallback list only
            # gives the nutrients each food is a source of: the rest count as 0, conservatively).
            mask &= ~np.isnan(catalog.column("calcium")) & ~np.isnan(catalog.column("magnesium"))
    return mask


def _top(score: np.ndarray, rows: np.ndarray, groups: tuple[str, ...], k: int) -> list[int]:
    order = rows[np.argsort(-score[rows], kind="stable")]
    picked: list[int] = []
    per_group: dict[str, int] = {}
    for i in order:
        if score[i] <= 0 or len(picked) >= k:
            break
        g = groups[i]
        if per_group.get(g, 0) >= PER_GROUP:
            continue
        per_group[g] = per_group.get(g, 0) + 1
        picked.append(int(i))
    return picked


def select(catalog: Catalog, diet: DietFilter, targets: dict[str, Target]) -> Candidates:
    """The candidate foods for a plan (deterministic for the same inputs)."""
    rows = np.flatnonzero(usable(catalog, diet))
    grams = catalog.portion_grams
    per_portion = np.nan_to_num(catalog.per100) * (grams[:, None] / 100.0)
    per_portion = np.nan_to_num(per_portion)
    kcal = np.nan_to_num(catalog.kcal100 * grams / 100.0)
    goals = np.array([targets[n].goal for n in NUTRIENTS])
    share = per_portion / goals  # fraction of each goal one portion gives
    chosen: set[int] = set()
    for j in range(len(NUTRIENTS)):
        density = share[:, j] / np.maximum(kcal, 20.0)
        useful = share[:, j] >= 0.05
        sub = rows[useful[rows]]
        chosen.update(_top(density, sub, catalog.groups, PER_NUTRIENT))
        chosen.update(_top(share[:, j], sub, catalog.groups, PER_NUTRIENT))
    overall = np.minimum(share, 1.0).sum(axis=1) / np.maximum(kcal, 20.0)
    energetic = rows[kcal[rows] >= MIN_PORTION_KCAL]
    chosen.update(_top(overall, energetic, catalog.groups, ENERGY_FOODS))
    idx = np.array(sorted(chosen), dtype=int)
    return Candidates(index=idx, amounts=per_portion[idx], kcal=kcal[idx], grams=grams[idx])
