"""The one-day MILP on a small hand-made food set, where the right answer is known."""

from __future__ import annotations

import numpy as np

from nutrispine.recommend.candidates import Candidates
from nutrispine.recommend.optimiser import DayProblem, solve_day

# columns: vitamin D µg, magnesium mg, B12 µg, calcium mg per portion
FOODS = np.array([
    [10.0, 20, 2.0, 50],    # 0 fish
    [0.0, 100, 0.0, 100],   # 1 seeds
    [3.0, 25, 1.0, 300],    # 2 milk
    [0.0, 40, 0.0, 20],     # 3 rice
    [0.0, 30, 0.0, 10],     # 4 bread
    [0.0, 20, 0.0, 10],     # 5 fruit
    [0.0, 60, 0.0, 100],    # 6 greens
    [0.0, 10, 0.0, 5],      # 7 pasta
])
KCAL = np.array([200.0, 160, 120, 200, 150, 100, 40, 220])


def _problem(**kw: object) -> DayProblem:
    cands = Candidates(index=np.arange(8), amounts=FOODS, kcal=KCAL, grams=np.full(8, 100.0))
    base: dict[str, object] = {"cands": cands, "goals": np.array([15.0, 320, 2.4, 1000]),
                                   "limits": np.array([100.0, np.inf, np.inf, 2500]), "energy": 1800.0,
                                   "caps": np.full(8, 3), "min_items": 3, "max_items": 8}
    base.update(kw)
    return DayProblem(**base)  # type: ignore[arg-type]


def _totals(portions: np.ndarray) -> np.ndarray:
    return portions @ FOODS


def test_reaches_goals_within_caps_and_energy() -> None:
    sol = solve_day(_problem())
    assert sol.status == "Optimal"
    tot = _totals(sol.portions)
    assert np.all(tot >= np.array([15, 320, 2.4, 1000]))
    assert sol.portions.max() <= 3
    assert abs(sol.portions @ KCAL - 1800) <= 180


def test_upper_limit_is_never_passed_and_shortfall_reported() -> None:
    sol = solve_day(_problem(limits=np.array([12.0, np.inf, np.inf, 2500])))
    tot = _totals(sol.portions)
    assert tot[0] <= 12.0
    assert sol.shortfall[0] > 0  # vitamin D cannot reach 15 under a 12 µg food limit


def test_no_good_cut_makes_days_differ() -> None:
    first = solve_day(_problem())
    used = {int(i) for i in np.flatnonzero(first.portions)}
    second = solve_day(_problem(previous_sets=[used], used_before=(first.portions > 0) * 1.0))
    assert {int(i) for i in np.flatnonzero(second.portions)} != used


def test_one_food_per_family() -> None:
    sol = solve_day(_problem(families=[np.array([3, 4, 7], dtype=np.int32)]))
    assert (sol.portions[[3, 4, 7]] > 0).sum() <= 1
