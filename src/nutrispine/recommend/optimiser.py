"""One day of a meal plan as a mixed-integer programme, solved with HiGHS.

Variables: x_f (integer portions of candidate food f, 0..cap), y_f (binary: f is used),
s_n (shortfall of nutrient n below its goal), and energy deviations under/over the target in
two bands (within 10 %, cheap; beyond, expensive). Constraints: each nutrient reaches its goal
less its shortfall; nutrients whose UL covers food stay under (UL - supplements); linking
x_f <= cap_f y_f and x_f >= y_f; between ``min_items`` and ``max_items`` foods; one food
per family of near-duplicates (e.g. two cuts of "Beef, chuck"); and for every earlier day, a
"no-good" cut so that no two days use the same set of foods. The objective weighs shortfalls
far above energy deviation, and both above small costs for each food used, for repeating a food
already used on an earlier day (variety), and for going past twice a goal (balanced days).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np

from nutrispine.recommend.candidates import Candidates

SHORTFALL_WEIGHT = 1000.0
ENERGY_WEIGHT = 10.0
ENERGY_BAND = 0.10
ENERGY_OUTSIDE_FACTOR = 20.0
ITEM_COST = 0.3
PORTION_COST = 0.02
REPEAT_COST = 1.5
EXCESS_FACTOR = 2.0  # amounts above twice the goal cost a little: balanced days, not megadoses
EXCESS_WEIGHT = 0.5  # per goal's worth of excess
MARGIN = 0.005  # solve to goal x 1.005 and limit x 0.995, so rounding never flips a check
# highspy's Python ``Highs`` wrapper prints a licence banner on standard output the first time it
# is built (which would corrupt ``--format json``); its core class ``_Highs`` has the same
# model-building and solving API without the callback layer and prints nothing with
# output_flag off.
_HighsClass = getattr(highspy, "_Highs", highspy.Highs)


@dataclass
class DayProblem:
    cands: Candidates
    goals: np.ndarray  # (4,)
    limits: np.ndarray  # (4,) inf where no food limit
    energy: float
    caps: np.ndarray  # (k,) max portions per food per day
    max_items: int = 12
    min_items: int = 5
    used_before: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (k,) times used
    previous_sets: list[set[int]] = field(default_factory=list)
    families: list[np.ndarray] = field(default_factory=list)  # near-duplicates: one per day
    time_limit: float = 2.0


@dataclass
class DaySolution:
    portions: np.ndarray  # (k,) integer counts
    status: str
    shortfall: np.ndarray  # (4,) as modelled


def solve_day(p: DayProblem) -> DaySolution:
    """Solve one day; if the variety rules make it infeasible (e.g. supplements already use a
    UL, so almost no food fits), solve again without them rather than fail."""
    try:
        return _solve(p, strict=True)
    except _Infeasible:
        return _solve(p, strict=False)


class _Infeasible(RuntimeError):
    pass


def _solve(p: DayProblem, *, strict: bool) -> DaySolution:
    k = len(p.cands.index)
    n_nut = len(p.goals)
    inf = highspy.kHighsInf
    h = _HighsClass()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(p.time_limit))
    h.setOptionValue("mip_rel_gap", 0.05)
    h.setOptionValue("random_seed", 7)
    used = p.used_before if len(p.used_before) == k else np.zeros(k)
    e = p.energy
    # Columns: x (k) | y (k) | s (n_nut) | u1 o1 u2 o2 | excess (n_nut)
    cost = np.concatenate([
        np.full(k, PORTION_COST),
        ITEM_COST + REPEAT_COST * used,
        SHORTFALL_WEIGHT / p.goals,
        np.array([1.0, 1.0, ENERGY_OUTSIDE_FACTOR, ENERGY_OUTSIDE_FACTOR]) * ENERGY_WEIGHT / e,
        EXCESS_WEIGHT / p.goals,
    ])
    lower = np.zeros(len(cost))
    upper = np.concatenate([p.caps.astype(float), np.ones(k), p.goals * (1 + MARGIN),
                            np.array([ENERGY_BAND * e, ENERGY_BAND * e, inf, inf]),
                            np.full(n_nut, inf)])
    h.addCols(len(cost), cost, lower, upper, 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
              np.zeros(0))
    h.changeColsIntegrality(2 * k, np.arange(2 * k, dtype=np.int32),
                            np.ones(2 * k, dtype=np.uint8))
    xs = np.arange(k, dtype=np.int32)
    ys = xs + k
    s0 = 2 * k
    u1, o1, u2, o2 = s0 + n_nut, s0 + n_nut + 1, s0 + n_nut + 2, s0 + n_nut + 3
    x0 = s0 + n_nut + 4

    def row(lo: float, hi: float, idx: np.ndarray, val: np.ndarray) -> None:
        h.addRow(lo, hi, len(idx), idx.astype(np.int32), val.astype(float))

    for j in range(n_nut):
        a = p.cands.amounts[:, j]
        nz = np.flatnonzero(a > 0)
        row(p.goals[j] * (1 + MARGIN), inf, np.append(xs[nz], s0 + j), np.append(a[nz], 1.0))
        if np.isfinite(p.limits[j]):
            row(-inf, p.limits[j] * (1 - MARGIN), xs[nz], a[nz])
        row(-inf, EXCESS_FACTOR * p.goals[j], np.append(xs[nz], x0 + j), np.append(a[nz], -1.0))
    row(e, e, np.concatenate([xs, [u1, o1, u2, o2]]),
        np.concatenate([p.cands.kcal, [1.0, -1.0, 1.0, -1.0]]))
    for f in range(k):
        row(-inf, 0.0, np.array([f, k + f]), np.array([1.0, -float(p.caps[f])]))
        row(0.0, inf, np.array([f, k + f]), np.array([1.0, -1.0]))
    row(float(p.min_items) if strict else 0.0, float(p.max_items), ys, np.ones(k))
    for fam in p.families:
        row(-inf, 1.0, ys[fam], np.ones(len(fam)))
    for prev in p.previous_sets if strict else []:
        if prev:
            sign = np.array([1.0 if f in prev else -1.0 for f in range(k)])
            row(-inf, float(len(prev) - 1), ys, sign)
    h.run()
    if h.getInfo().primal_solution_status != 2:  # no feasible point yet: give it more time once
        h.setOptionValue("time_limit", float(p.time_limit) * 4)
        h.run()
    status = h.modelStatusToString(h.getModelStatus())
    sol = np.asarray(h.getSolution().col_value)
    if sol.size < len(cost) or h.getInfo().primal_solution_status != 2:
        raise _Infeasible(f"the meal-plan model found no solution ({status})")
    portions = np.rint(sol[:k]).astype(int)
    return DaySolution(portions, status, sol[s0:s0 + n_nut])
