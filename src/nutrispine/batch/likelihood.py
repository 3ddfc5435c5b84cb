"""``nutrispine.likelihood`` over whole columns: prior by age, likelihood ratios of risk factors,
diet, medicines, symptoms (capped), supplements or intake, and the lab; then floor, cap and the
level.

Why logarithms: the core multiplies the prior odds by every ratio that applies. Here each
nutrient's log-odds is a sum: the log-ratio of each yes/no answer given, added by a compiled
loop to the rows that gave it (``_likelihood.log_odds_levels``), and the prior's, the lab's and
the supplement's, looked up by small keys. The tables are built here, once per run, from the
knowledge base. The core rounds the posterior to 9 decimals before banding it
(``likelihood.combine``), so the order of the terms cannot move a level; the level is decided
in log-odds, against the log-odds of the smallest probability that rounds up to each threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from nutrispine.batch import _likelihood
from nutrispine.batch import intake as bintake
from nutrispine.batch import labs as blabs
from nutrispine.batch._arrow import Frame
from nutrispine.batch.columns import Morsel, bits, choose
from nutrispine.batch.schema import Inputs, schema
from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import NUTRIENTS, Effect
from nutrispine.labs import PRIMARY_TEST
from nutrispine.likelihood import prior_for
from nutrispine.supplements import MASS_TO_UG

DIET_RISKS = ("vegan", "vegetarian")
LEVELS = ("low", "moderate", "high")
LEVEL_ENUM = pl.Enum(LEVELS)


def lr_of(kb: KnowledgeBase, effect: Effect) -> float:
    """``likelihood._lr``: the effect's ratio, inverted when it lowers the odds."""
    ratio = effect.lr if effect.lr is not None else kb.factors.model.strengths[effect.strength]
    return ratio if effect.direction == "raises" else 1.0 / ratio


def strength_lr(kb: KnowledgeBase, strength: str, direction: str) -> float:
    ratio = kb.factors.model.strengths[strength]  # type: ignore[index]
    return ratio if direction == "raises" else 1.0 / ratio


def age_bounds(kb: KnowledgeBase, nutrients: tuple[str, ...] = NUTRIENTS) -> list[float]:
    """Every age limit of the priors' bands and the requirements' life stages: priors and
    requirements are constant between two of them, so one interval index per row serves every
    look-up by age."""
    ages = {a for n in nutrients for band in kb.factors.priors[n].by_age for a in band.ages}
    ages |= {a for n in nutrients for st in kb.requirements[n].life_stages for a in st.ages}
    return sorted(ages)


def _representative_ages(bounds: list[float]) -> list[float]:
    return [bounds[0] - 1.0, *bounds]  # an age inside every interval (the first is open)


def age_interval(age: np.ndarray, bounds: list[float]) -> np.ndarray:
    """Index of the age interval: the number of bounds at or below the row's age. With whole
    years as bounds (as in the knowledge base) it is looked up by the whole part of the age;
    otherwise it is a sum of comparisons. NaN lands in the last interval (such a row has a
    problem and no result)."""
    if all(float(b).is_integer() and 0 <= b < 1000 for b in bounds):
        top = int(max(bounds)) + 1
        table = np.searchsorted(np.array(bounds), np.arange(top + 1), side="right")
        whole = np.fmax(np.fmin(age, float(top)), 0.0).astype(np.intp)
        return np.take(table.astype(np.intp), whole)
    index = np.zeros(len(age), np.intp)
    for bound in bounds:
        index += age >= bound
    return index


def person_key(male: np.ndarray, pregnant: np.ndarray, lactating: np.ndarray) -> np.ndarray:
    """male x 4 + pregnant + 2 x lactating (booleans): with the age interval, the key of a
    life stage's requirement."""
    return male.view(np.uint8) * np.uint8(4) + pregnant + lactating.view(np.uint8) * np.uint8(2)


def threshold_log_odds(threshold: float) -> float:
    """The log-odds of the smallest double that Python's ``round(p, 9)`` takes to at least
    ``threshold``: the core's ``round(p, 9) >= threshold`` is ``log_odds >= this`` (to within
    the rounding error of a few additions, far from any 9-decimal boundary)."""
    lo, hi = threshold - 1e-9, threshold  # round(lo, 9) < threshold <= round(hi, 9)
    while True:
        mid = (lo + hi) / 2.0
        if mid in (lo, hi):
            return math.log(hi / (1.0 - hi))
        if round(mid, 9) >= threshold:
            hi = mid
        else:
            lo = mid


def log_odds_level(kb: KnowledgeBase, log_odds: np.ndarray) -> np.ndarray:
    """``likelihood.level_for`` of ``round(p, 9)`` as a code (index in ``LEVELS``), decided on
    the log-odds: p reaches a threshold exactly when the log-odds reach its
    ``threshold_log_odds``."""
    t = kb.factors.model.thresholds
    level = (log_odds >= threshold_log_odds(t["moderate"])).view(np.uint8)
    level += log_odds >= threshold_log_odds(t["high"])
    return level


def reached(kb: KnowledgeBase, probability: np.ndarray) -> np.ndarray:
    """The level a probability reaches (floors and caps are compared as they are)."""
    t = kb.factors.model.thresholds
    level = (probability >= t["moderate"]).view(np.uint8)
    level += probability >= t["high"]
    return level


def clamp(level: np.ndarray, floor_level: np.ndarray, cap_level: np.ndarray) -> np.ndarray:
    """``combine``'s floor and cap on levels: min(max(p, floor), cap) reaches a threshold
    exactly when (p or the floor reaches it) and the cap does, so the level is raised to the
    floor's and lowered to the cap's."""
    return np.minimum(np.maximum(level, floor_level), cap_level)


@dataclass(frozen=True)
class Answer:
    """A yes/no answer that carries a likelihood ratio per nutrient: a column, or a diet pattern
    (``preferences.diet``), counted when the risk factor of that name is not also given."""

    column: str
    ratios: dict[str, float]
    diet: str | None = None

    def bitmap(self, morsel: Morsel) -> np.ndarray:
        if self.diet is None:
            return morsel.flag(self.column)
        diet = morsel.text("diet")
        assert diet is not None
        return bits(diet == self.diet) & ~morsel.flag(self.column)


def factor_answers(kb: KnowledgeBase, inputs: Inputs) -> tuple[list[Answer], list[Answer]]:
    """(answers that multiply the odds, symptoms whose product is capped), in the core's order:
    risk factors, diet, medicines; symptoms."""
    s = schema()

    def ratios(effects: dict[str, Effect]) -> dict[str, float]:
        return {n: lr_of(kb, e) for n, e in effects.items() if n in NUTRIENTS}

    odds: list[Answer] = []
    for code, factor in kb.factors.risk_factors.items():
        if s.risk(code) in inputs and ratios(factor.effects):
            odds.append(Answer(s.risk(code), ratios(factor.effects)))
    for code in DIET_RISKS:
        effects = ratios(kb.factors.risk_factors[code].effects)
        if effects and "diet" in inputs:
            odds.append(Answer(s.risk(code), effects, diet=code))
    for cls, factor in kb.factors.medication_classes.items():
        if s.med(cls) in inputs and ratios(factor.effects):
            odds.append(Answer(s.med(cls), ratios(factor.effects)))
    symptoms = [Answer(s.symptom(code), ratios(factor.effects))
                for code, factor in kb.factors.symptoms.items()
                if s.symptom(code) in inputs and ratios(factor.effects)]
    return odds, symptoms


def _logs(answers: list[Answer]) -> np.ndarray:
    """Each answer's log-ratio per nutrient (0 where it has no effect), answers x nutrients."""
    return np.array([[math.log(a.ratios.get(n, 1.0)) for n in NUTRIENTS] for a in answers]
                    ).reshape(len(answers), len(NUTRIENTS))


@dataclass
class Likelihoods:
    """Per nutrient: the level code (index in ``LEVELS``) and, when asked for, the posterior
    probability (rounded to 3 decimals as the core's output)."""

    level: dict[str, np.ndarray]
    probability: dict[str, pl.Series]


@dataclass
class Terms:
    """One morsel's log-odds terms other than the answers (which the kernel reads from the
    frame): the age interval, the lab key per nutrient (nutrients x rows; ``lab_used`` says
    which nutrients have a lab term), the supplements' (rows, log-ratio) per nutrient (by index
    in ``NUTRIENTS``) and, for a nutrient with an intake column, its term for every row."""

    interval: np.ndarray
    lab_keys: np.ndarray
    lab_used: np.ndarray
    supplement: dict[int, tuple[np.ndarray, np.ndarray]]
    intake: dict[int, np.ndarray]


assert len(NUTRIENTS) == 4  # the kernel adds four nutrients per row (LANES)
_NO_ROWS, _NO_LOGS = np.zeros(0, np.intp), np.zeros(0)


class LikelihoodRules:
    """``likelihood.assess_likelihood`` for the columns an input has, compiled once per run."""

    def __init__(self, kb: KnowledgeBase, inputs: Inputs, probability: bool = False) -> None:
        s = schema()
        self.kb, self.inputs, self.probability = kb, inputs, probability
        self.bounds = age_bounds(kb)
        ages = _representative_ages(self.bounds)
        self.prior = np.array([[math.log(p / (1.0 - p))
                                for p in (prior_for(kb, n, age)[0] for n in NUTRIENTS)]
                               for age in ages])
        self.odds, self.symptoms = factor_answers(kb, inputs)
        self.symptom_cap = math.log(kb.factors.model.symptom_lr_cap)
        self.lab = {n: self._lab_tables(n) for n in NUTRIENTS}
        self.supplemented = [n for n in NUTRIENTS if s.supplement(n) in inputs
                             or bintake.column(n) in inputs]
        self.intake = any(bintake.column(n) in inputs for n in NUTRIENTS)
        self.targets = {n: self._target_table(n, ages) for n in self.supplemented}
        rules = kb.factors.supplement_effect.rules
        self.min_fractions = np.array([r.min_fraction_of_rda for r in rules], float)
        self.supplement_logs = np.array(
            [math.log(strength_lr(kb, r.strength, r.direction)) for r in rules] + [0.0])
        self.supplement_lrs = np.array(
            [strength_lr(kb, r.strength, r.direction) for r in rules] + [1.0])
        self._plan_tables()

    def _lab_tables(self, nutrient: str) -> dict[str, np.ndarray]:
        """``likelihood.lab_evidence`` as tables by lab key: the log of the likelihood ratio, the
        floor and the cap (0 and 1 when there are none, which leave a probability unchanged),
        and the levels the floor and the cap reach. The key is the primary test's status code,
        plus ``len(CODES)`` when that test is a weak marker (an adequate result then counts as
        ``adequate_weak_marker``), or ``2 len(CODES)`` plus the index of the first raised
        marker when no primary test was given."""
        spec = self.kb.factors.lab_effect
        width = len(blabs.CODES)
        lr, floor, cap = np.zeros(256), np.zeros(256), np.ones(256)
        for name, effect in spec.status.items():
            if name == "adequate_weak_marker":
                slots = [width + blabs.code("adequate")]
            elif name in blabs.CODES:
                slots = [blabs.code(name)]
                if not (name == "adequate" and "adequate_weak_marker" in spec.status):
                    slots.append(width + blabs.code(name))
            else:
                continue
            for slot in slots:
                lr[slot] = math.log(effect.lr)
                floor[slot] = 0.0 if effect.floor is None else effect.floor
                cap[slot] = 1.0 if effect.cap is None else effect.cap
        assert blabs.code("not_tested") not in spec.status  # no test: no effect
        for i, marker in enumerate(spec.markers.values()):
            lr[2 * width + i] = math.log(strength_lr(self.kb, marker.strength, "raises"))
            floor[2 * width + i] = 0.0 if marker.floor is None else marker.floor
        return {"lr": lr, "floor": floor, "cap": cap, "floor_level": reached(self.kb, floor),
                "cap_level": reached(self.kb, cap)}

    def _target_table(self, nutrient: str, ages: list[float]) -> np.ndarray:
        """RDA (or AI) by age interval x 8 + ``person_key``; NaN where no life stage applies.
        The core's own ``kb.requirement`` is asked once per key that can be assessed
        (pregnancy counts before lactation; a pregnant or lactating male, refused, is not)."""
        table = np.full(256, np.nan)
        for a, age in enumerate(ages):
            for male, sex in enumerate(("female", "male")):
                for pregnant, lactating in ((False, False), (True, False), (False, True)):
                    if male and (pregnant or lactating):
                        continue
                    try:
                        req = self.kb.requirement(nutrient, age=age, sex=sex, pregnant=pregnant,
                                                  lactating=lactating)
                    except ValueError:  # KnowledgeError: no life stage at that age
                        continue
                    target = req.rda or req.ai
                    key = a * 8 + male * 4 + pregnant + 2 * lactating
                    table[key] = np.nan if target is None else target
                    if pregnant:  # pregnant and lactating: the core takes pregnancy
                        table[key + 2] = table[key]
        return table

    def lab_key(self, nutrient: str, labs: blabs.LabColumns) -> np.ndarray:
        """Each row's key into the lab tables (see ``_lab_tables``)."""
        width = len(blabs.CODES)
        status, primary = labs.nutrient[nutrient], labs.primary[nutrient]
        key = status.copy()
        for i, test in enumerate(PRIMARY_TEST[nutrient]):
            if self.kb.labs[test].weak_marker and test in labs.status:
                key += (primary == i).view(np.uint8) * np.uint8(width)
        markers = list(self.kb.factors.lab_effect.markers.items())
        for i, (test, marker) in reversed(list(enumerate(markers))):  # the first raised wins
            if marker.nutrient == nutrient and test in labs.status:
                raised = (primary == blabs.NONE) & (labs.status[test] == blabs.code("elevated"))
                key = choose(raised, 2 * width + i, key)
        return key

    def _plan_tables(self) -> None:
        """The values in the kernel's layout: each answer's log-ratios (answers x nutrients),
        the labs' log-ratios and levels (nutrients x 256 keys), the thresholds in log-odds."""
        self.odds_logs, self.symptom_logs = _logs(self.odds), _logs(self.symptoms)
        self.lab_lr = np.stack([self.lab[n]["lr"] for n in NUTRIENTS])
        self.floor_level = np.stack([self.lab[n]["floor_level"] for n in NUTRIENTS])
        self.cap_level = np.stack([self.lab[n]["cap_level"] for n in NUTRIENTS])
        t = self.kb.factors.model.thresholds
        self.moderate, self.high = threshold_log_odds(t["moderate"]), threshold_log_odds(t["high"])
        whole = all(float(b).is_integer() and 0 <= b < 1000 for b in self.bounds)
        top = int(max(self.bounds)) + 1 if whole else 0
        self.interval_table = (np.searchsorted(np.array(self.bounds), np.arange(top + 1),
                                               side="right").astype(np.intp) if whole else None)

    @staticmethod
    def _answer_columns(answers: list[Answer], frame: Frame, morsel: Morsel,
                        extra: list[np.ndarray]) -> np.ndarray:
        """Where the kernel finds each answer: the frame's column position, or -2 - k for the
        k-th bitmap of ``extra`` (diet patterns, columns that start inside a byte)."""
        out = np.empty(len(answers), np.int64)
        for k, answer in enumerate(answers):
            if answer.diet is None and frame.whole_bytes(answer.column):
                out[k] = frame.positions[answer.column]
            else:
                extra.append(answer.bitmap(morsel))
                out[k] = -1 - len(extra)
        return out

    def evaluate(self, morsel: Morsel, labs: blabs.LabColumns, age: np.ndarray,
                 person: np.ndarray, sex: pl.Series) -> Likelihoods:
        """Levels (and probabilities) of one morsel; ``age`` as numbers, ``person`` the
        ``person_key`` and ``sex`` the normalised sex, for the requirements."""
        n = morsel.n
        terms = self._terms(morsel, labs, age, person, sex)
        level, log_odds = self.sums(morsel, terms, self.probability)
        out = Likelihoods({nutrient: level[j] for j, nutrient in enumerate(NUTRIENTS)}, {})
        if self.probability:
            for j, nutrient in enumerate(NUTRIENTS):
                if terms.lab_used[j]:
                    key, tables = terms.lab_keys[j], self.lab[nutrient]
                    floor, cap = np.take(tables["floor"], key), np.take(tables["cap"], key)
                else:
                    floor, cap = np.zeros(n), np.ones(n)
                out.probability[nutrient] = _probability(log_odds[:, j], floor, cap)
        return out

    def sums(self, morsel: Morsel, terms: Terms, keep: bool) -> tuple[np.ndarray, np.ndarray]:
        """(level codes, nutrients x rows; log-odds, rows x nutrients, or no rows unless
        ``keep``): one compiled pass over the rows (``_likelihood.log_odds_levels``)."""
        n, width = morsel.n, len(NUTRIENTS)
        frame = morsel.arrow()
        extra: list[np.ndarray] = []
        odds = self._answer_columns(self.odds, frame, morsel, extra)
        symptoms = self._answer_columns(self.symptoms, frame, morsel, extra)
        extras = np.stack(extra) if extra else np.zeros((0, morsel.size), np.uint8)
        given = [terms.supplement.get(j, (_NO_ROWS, _NO_LOGS)) for j in range(width)]
        start = np.cumsum([0, *(len(rows) for rows, _ in given)]).astype(np.intp)
        intake = np.zeros((width, n if terms.intake else 0))
        for j, term in terms.intake.items():
            intake[j] = term
        has_intake = np.array([j in terms.intake for j in range(width)], np.uint8)
        level = np.empty((width, n), np.uint8)
        log_odds = np.empty((n if keep else 0, width))
        _likelihood.log_odds_levels(
            frame, terms.interval, self.prior, odds, self.odds_logs, symptoms,
            self.symptom_logs, self.symptom_cap, extras, terms.lab_keys, *self._lab_tables_for(terms),
            np.concatenate([rows for rows, _ in given]).astype(np.intp, copy=False),
            np.concatenate([logs for _, logs in given]), start, intake, has_intake,
            self.moderate, self.high, level, log_odds)
        return level, log_odds

    def _lab_tables_for(self, terms: Terms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The lab tables with the nutrients that have no lab term made neutral (log-ratio 0,
        floor level 0, cap level 2), so that the kernel treats every nutrient alike."""
        used = terms.lab_used.astype(bool)[:, None]
        return (np.where(used, self.lab_lr, 0.0), np.where(used, self.floor_level, 0).astype(np.uint8),
                np.where(used, self.cap_level, len(LEVELS) - 1).astype(np.uint8))

    def _terms(self, morsel: Morsel, labs: blabs.LabColumns, age: np.ndarray,
               person: np.ndarray, sex: pl.Series) -> Terms:
        """Every row's log-odds terms other than the answers: keys, and the supplements'
        logarithms."""
        n, width = morsel.n, len(NUTRIENTS)
        interval = (age_interval(age, self.bounds) if self.interval_table is None
                    else _likelihood.intervals(age, self.interval_table))
        terms = Terms(interval, np.zeros((width, n), np.uint8),
                      np.zeros(width, np.uint8), {}, {})
        for j, nutrient in enumerate(NUTRIENTS):
            if any(t in labs.status for t in PRIMARY_TEST[nutrient]) or any(
                    m.nutrient == nutrient and t in labs.status
                    for t, m in self.kb.factors.lab_effect.markers.items()):
                terms.lab_keys[j] = self.lab_key(nutrient, labs)
                terms.lab_used[j] = 1
        if self.supplemented:
            self._supplement_terms(terms, morsel, age, person, sex)
        return terms

    def _per_day(self, morsel: Morsel) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``supplements.daily_totals`` per nutrient on the rows that report a supplement:
        (rows, amount per day in the nutrient's unit, to micrograms and back and rounded to
        0.001 as the core rounds it)."""
        s = schema()
        found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for nutrient in self.supplemented:
            amount = morsel.sparse(s.supplement(nutrient))
            if amount is None:
                continue
            rows, value = amount.rows, amount.values
            factor = MASS_TO_UG[self.kb.nutrients[nutrient].unit]
            if factor != 1.0:  # x * 1.0 / 1.0 is x exactly; otherwise keep the core's arithmetic
                value = value * factor / factor
            found[nutrient] = (rows, value)
        return {nutrient: (rows, round3(value)) for nutrient, (rows, value) in found.items()}

    def _supplement_terms(self, terms: Terms, morsel: Morsel, age: np.ndarray,
                          person: np.ndarray, sex: pl.Series) -> None:
        """The supplement's log-ratio on the rows that report one, or, for a nutrient with an
        intake column, a term for every row: the intake's log-ratio (food plus supplement)
        where the row has an intake value, as in ``likelihood.assess_likelihood``, else the
        supplement's."""
        per_day = self._per_day(morsel)
        for nutrient in self.supplemented:
            j = NUTRIENTS.index(nutrient)
            rows, amount = per_day.get(nutrient, (np.zeros(0, np.intp), np.zeros(0)))
            logs = _likelihood.supplement_logs(  # likelihood.supplement_evidence
                amount, rows, terms.interval, person, self.targets[nutrient],
                self.min_fractions, self.supplement_logs)
            if bintake.column(nutrient) not in morsel:
                terms.supplement[j] = (rows, logs)
                continue
            term = np.zeros(morsel.n)
            term[rows] = logs
            supplement = np.full(morsel.n, np.nan)
            supplement[rows] = amount
            food = bintake.intake_ratios(self.kb, nutrient, morsel, age, person, sex, supplement)
            given = ~np.isnan(food)
            term[given] = np.log(food[given])  # the intake's evidence replaces the supplement's
            terms.intake[j] = term


def round3(values: np.ndarray) -> np.ndarray:
    """Python's ``round(x, 3)`` of each value, as ``supplements.daily_totals`` rounds a daily
    amount. Away from a tie (x * 1000 not within 1e-6 of a half; the rounding error of
    x * 1000 is far smaller below a million), the nearest whole number of thousandths is the
    correctly rounded one and k / 1000 is the double Python returns, so it is computed; the
    rare values near a tie (0.0005, 2.0625) or beyond a million are rounded by Python itself,
    which rounds the exact binary value (0.0005 is a little above the half: 0.001). The
    arithmetic is compiled (``_likelihood.round3_near``)."""
    out, python = _likelihood.round3_near(np.ascontiguousarray(values, dtype=np.float64))
    for i in python.tolist():  # rare by construction: exact halves of a thousandth
        out[i] = round(float(values[i]), 3)
    return out


def _probability(log_odds: np.ndarray, floor: np.ndarray, cap: np.ndarray) -> pl.Series:
    """``combine``'s probability: logistic of the log-odds rounded to 9 decimals, floored and
    capped, then rounded to 3 decimals as the core's output (Polars' rounding, as before)."""
    x = pl.Series(log_odds)
    p = (1.0 / (1.0 + (-x).exp())).round(9)
    return pl.DataFrame({"p": p, "f": floor, "c": cap}).select(
        pl.col("p").clip(pl.col("f"), pl.col("c")).round(3))["p"]
