"""Ranked, typo-tolerant food search over the FTS5 index.

Retrieval is FTS5 (a few hundred candidates by bm25, generic foods fetched separately so that
millions of branded items cannot crowd them out); ranking is a transparent score in Python:
how many of the query's words the name covers, whether the name's head ("Bananas" in
"Bananas, raw") is what was asked for, everyday-word hints (synonyms.py), common forms (raw,
cooked, foods used in the USDA survey) over rare ones (dehydrated, baby food, restaurant),
generic before branded, shorter names first. Unknown words are corrected against the
database's own vocabulary with rapidfuzz, so "bannana" finds bananas.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from nutrispine.foods.synonyms import (
    ALTERNATES,
    COOKED_BY_DEFAULT_GROUPS,
    COOKED_WORDS,
    GROUP_PENALTY,
    NEUTRAL_WORDS,
    RARE_WORDS,
    SOFT_WORDS,
    expand,
)
from nutrispine.foods.text import words

if TYPE_CHECKING:
    from nutrispine.foods.database import Food, FoodDatabase

COVERAGE_WEIGHT = 16.0  # covering every query word outweighs any hint or form bonus
HINT_CAP = 4.5
FUZZ_WEIGHT = 1.5
CANDIDATES = 100
BRANDED_CANDIDATES = 150
GENERIC_ENOUGH = 30
_ROW = "id, name, norm, core, head, extra, kind, group_name, survey"


@dataclass(frozen=True)
class Hit:
    food: Food
    score: float
    coverage: float = 1.0  # share of the query's words found in the food's texts


@dataclass(frozen=True)
class _Row:
    key: int
    name: str
    norm: set[str]
    core: list[str]
    head: set[str]
    extra: set[str]
    branded: bool
    group: str
    survey: bool
    specific: tuple[str, ...] = ()  # core words that say which food it is (not NEUTRAL)


def _fts_term(word: str) -> str:
    return '"' + word.replace('"', "") + '"'


class Searcher:
    """Search over one database; loads its vocabulary once for spelling correction."""

    def __init__(self, db: FoodDatabase) -> None:
        self.db = db
        self.vocab: dict[str, int] = dict(db.query("SELECT term, df FROM vocab"))
        self.has_brands = bool(db.query("SELECT 1 FROM food WHERE kind = 'branded' LIMIT 1"))
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for term in self.vocab:
            self._by_length[len(term)].append(term)

    def correct(self, word: str) -> str | None:
        """The word itself when known, else the closest known word (or None)."""
        if word in self.vocab or not word.isalpha():
            return word  # numbers and codes are not spelling-corrected
        if len(word) < 4:
            return None
        pool: list[str] = []
        for n in range(len(word) - 2, len(word) + 3):
            pool.extend(self._by_length.get(n, ()))
        cutoff = 80 if len(word) < 7 else 75
        best = process.extract(word, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5)
        if not best:
            return None
        top = max(best, key=lambda m: (m[1], self.vocab.get(m[0], 0)))
        return str(top[0])

    def _compounds(self, terms: list[str]) -> list[tuple[str, str, str]]:
        """Word pairs the database also spells as one word ("soy milk" / "soymilk")."""
        return [(a, b, a + b) for a, b in itertools.pairwise(terms)
                if a + b in self.vocab]

    def _rows(self, expr: str, limit: int, table: str = "food_fts") -> list[_Row]:
        if table == "brand_fts" and not self.has_brands:
            return []
        # Generic foods: the best by bm25. Branded foods can match by the hundred thousand,
        # where sorting by bm25 costs more than it helps; take the first matches by id and
        # let the ranking below order them.
        order = f"ORDER BY bm25({table}, 10.0, 6.0, 2.0)" if table == "food_fts" else ""
        sql = (f"SELECT {_ROW} FROM food WHERE id IN (SELECT rowid FROM {table} "
               f"WHERE {table} MATCH ? {order} LIMIT ?)")
        out = []
        for r in self.db.query(sql, (expr, limit)):
            core = r[3].split()
            out.append(_Row(r[0], r[1], set(r[2].split()), core, set(r[4].split()),
                            set(r[5].split()), r[6] == "branded", r[7], bool(r[8]),
                            tuple(w for w in core if w not in NEUTRAL_WORDS)))
        return out

    def _candidates(
        self, query: list[str], hints: list[str], compounds: list[tuple[str, str, str]]
    ) -> list[_Row]:
        rows: dict[int, _Row] = {}
        paired = {w for a, b, _c in compounds for w in (a, b)}
        parts = ["(" + " OR ".join(_fts_term(a) for a in (t, *ALTERNATES.get(t, ()))) + ")"
                 for t in dict.fromkeys(query) if t not in paired]
        parts += [f"(({_fts_term(a)} AND {_fts_term(b)}) OR {_fts_term(c)})"
                  for a, b, c in compounds]
        all_q = " AND ".join(parts)
        any_q = " OR ".join(_fts_term(t) for t in dict.fromkeys(
            query + [c for _a, _b, c in compounds]))
        matched = self._rows(all_q, CANDIDATES)
        if len(matched) < GENERIC_ENOUGH:  # brands only when generic foods run short
            matched += self._rows(all_q, BRANDED_CANDIDATES, "brand_fts")
        rows.update((r.key, r) for r in matched)
        if hints:
            all_h = " AND ".join(_fts_term(t) for t in dict.fromkeys(hints))
            rows.update((r.key, r) for r in self._rows(f"({all_h}) AND ({any_q})", 20))
        if not matched:
            fallback = self._rows(any_q, CANDIDATES)
            rows.update((r.key, r) for r in fallback)
            if len(fallback) < GENERIC_ENOUGH:
                rows.update((r.key, r) for r in self._rows(any_q, BRANDED_CANDIDATES, "brand_fts"))
        return list(rows.values())

    def search(self, query: str, limit: int = 10, *, state: str | None = None) -> list[Hit]:
        """Best foods for ``query``; ``state`` ('cooked'/'raw') is a hint from the parser."""
        corrected = [c for c in (self.correct(w) for w in words(query)) if c]
        if not corrected or limit <= 0:
            return []
        compounds = self._compounds(corrected)
        key, hint_words = expand(" ".join(corrected))
        hints = [w for w in hint_words if w not in corrected]
        rows = self._candidates(corrected, hints, compounds)
        q = Query(set(corrected), set(hints), " ".join(corrected), state, compounds, set(key))
        # The text-similarity term adds at most FUZZ_WEIGHT, so it is only worth computing
        # for candidates that could still reach the top ``limit``; the order is the same.
        cheap = sorted(((score(r, q), r) for r in rows), key=lambda p: -p[0])
        if not cheap:
            return []
        bar = cheap[min(limit, len(cheap)) - 1][0] - FUZZ_WEIGHT
        scored = sorted(
            ((s + similarity(r, q), r) for s, r in cheap if s >= bar),
            key=lambda p: (-p[0], len(p[1].name), p[1].key),
        )[:limit]
        foods = {f.key: f for f in self.db.by_keys([r.key for _s, r in scored])}
        return [Hit(foods[r.key], s, coverage(r, q)) for s, r in scored if r.key in foods]


@lru_cache(maxsize=256)
def _group_words(group: str) -> frozenset[str]:
    return frozenset(words(group))


@dataclass(frozen=True)
class Query:
    wanted: set[str]
    hints: set[str]
    text: str
    state: str | None
    compounds: list[tuple[str, str, str]]
    phrase: set[str] = field(default_factory=set)  # words of the matched everyday phrase


def coverage(row: _Row, q: Query) -> float:
    """Share of the query's food words found in the food (preparation words left out).

    A word counts as found when the name, common names or brand has it (or an alternate
    spelling, or the two-word compound), or when it belongs to an everyday phrase whose
    USDA wording the food's head carries ("oatmeal" -> "Cereals, oats, ... cooked").
    """
    present = row.norm | row.extra
    wanted = {w for w in q.wanted if w not in SOFT_WORDS} or set(q.wanted)
    covered = {w for w in wanted
               if w in present or any(a in present for a in ALTERNATES.get(w, ()))}
    for a, b, c in q.compounds:
        if c in present:
            covered |= {a, b} & wanted
    if q.phrase and row.head & q.hints:
        covered |= q.phrase & wanted
    return len(covered) / max(len(wanted), 1)


def score(row: _Row, q: Query) -> float:
    """The ranking score of a candidate, without the fuzzy term (higher is better)."""
    wanted, hint_set = q.wanted, q.hints
    name_set = row.norm
    present = name_set | row.extra
    covered = {w for w in wanted
               if w in present or any(a in present for a in ALTERNATES.get(w, ()))}
    for a, b, c in q.compounds:
        if c in present:
            covered |= {a, b}
            wanted = wanted | {c}
    s = COVERAGE_WEIGHT * len(covered) / max(len(q.wanted), 1)
    head = row.head
    if head & wanted:
        s += 3.0
        if head <= wanted | hint_set:
            s += 1.5
    elif head & hint_set:
        s += 2.0
    s += min(0.9 * len(hint_set & name_set), HINT_CAP)
    asked_words = wanted | hint_set
    s -= 0.3 * sum(1 for w in row.specific if w not in asked_words)
    s -= 1.6 * len((name_set & RARE_WORDS) - asked_words)
    cooked = bool(name_set & COOKED_WORDS)
    raw = "raw" in name_set
    asked = q.state or ("cooked" if wanted & COOKED_WORDS else "raw" if "raw" in wanted else None)
    if asked == "cooked":
        s += 1.5 if cooked else (-1.5 if raw else 0.0)
    elif asked == "raw":
        s += 1.5 if raw else (-1.0 if cooked else 0.0)
    elif row.group in COOKED_BY_DEFAULT_GROUPS:
        s += 0.8 if cooked else (-0.8 if raw else 0.0)
    elif raw:
        s += 0.8
    if row.survey:
        s += 1.0
    penalty = GROUP_PENALTY.get(row.group, 0.0)
    if penalty and not wanted & _group_words(row.group):
        s -= penalty
    if row.branded:
        s -= 4.0
    s -= 0.01 * len(row.name)
    return s


def similarity(row: _Row, q: Query) -> float:
    """Fuzzy similarity of the query to the name's main words, 0..FUZZ_WEIGHT."""
    return FUZZ_WEIGHT * fuzz.token_set_ratio(q.text, " ".join(row.core)) / 100.0
