"""Which foods fit a person: tag rules from diet_rules.yaml applied to food names and groups,
diet patterns, exclusions, dislikes and medical conditions (lactose intolerance, coeliac disease).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from nutrispine.errors import InputError, Problem, closest
from nutrispine.recommend.ruleview import rules as rule_view

if TYPE_CHECKING:  # the shapes; at run time the light view of them (ruleview.py)
    from nutrispine.recommend.rules import DietRules, TagRule

_WORDS = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case words joined by single spaces and padded, for whole-word substring tests."""
    return " " + " ".join(_WORDS.findall(text.lower())) + " "


@dataclass(frozen=True)
class Keywords:
    """A keyword list: whole words or phrases, ``*`` = any ending; matched on ``normalise``d text.

    Plain substring tests on normalised text are an order of magnitude faster than one big
    regex with look-arounds, which matters when classifying the 8,789 SR28 foods.
    """

    needles: tuple[str, ...]

    @classmethod
    def of(cls, words: Iterable[str]) -> Keywords:
        out = []
        for word in words:
            star = word.endswith("*")
            body = " ".join(_WORDS.findall(word.rstrip("*").lower()))
            if body:
                out.append(" " + body + ("" if star else " "))
        return cls(tuple(out))

    def search(self, padded: str) -> bool:
        return any(n in padded for n in self.needles)


@dataclass(frozen=True)
class _Compiled:
    groups: frozenset[str]
    keywords: Keywords
    unless: Keywords
    group_unless: Keywords

    @classmethod
    def of(cls, rule: TagRule) -> _Compiled:
        return cls(frozenset(rule.groups), Keywords.of(rule.keywords), Keywords.of(rule.unless),
                   Keywords.of(rule.group_unless))

    def matches(self, padded: str, group: str) -> bool:
        if self.unless.search(padded):
            return False
        if self.keywords.search(padded):
            return True
        return group in self.groups and not self.group_unless.search(padded)


class Classifier:
    """Tags for a food from its name and USDA group (e.g. {'dairy', 'lactose'})."""

    def __init__(self, rules: DietRules) -> None:
        self.rules = rules
        self._tags = {tag: _Compiled.of(rule) for tag, rule in rules.tags.items()}
        u = rules.unrealistic
        self._unreal = Keywords.of(u.keywords)
        self._keep = Keywords.of(u.keep)
        self._unreal_groups = frozenset(u.groups)

    def tags(self, name: str, group: str = "") -> frozenset[str]:
        padded = normalise(name)
        return frozenset(t for t, c in self._tags.items() if c.matches(padded, group))

    def realistic(self, name: str, group: str = "") -> bool:
        """False for things not eaten as such (raw meat, powders, oils, spices, organ meats)."""
        if group in self._unreal_groups:
            return False
        padded = normalise(name)
        if self._keep.search(padded):
            return True
        return not self._unreal.search(padded)


@lru_cache(maxsize=1)
def classifier() -> Classifier:
    return Classifier(rule_view().diet)


def _singular(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("oes", "o"), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + repl
    return word


@dataclass(frozen=True)
class DietFilter:
    """What a person avoids: tags (from pattern, exclusions, conditions) and disliked words."""

    pattern: str = "omnivore"
    avoid: frozenset[str] = frozenset()
    dislikes: tuple[str, ...] = ()
    reasons: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def restricted(self) -> bool:
        return bool(self.avoid) or self.pattern != "omnivore"

    def allows(self, tags: frozenset[str], name: str) -> bool:
        if tags & self.avoid:
            return False
        if self.restricted and "composite" in tags:
            return False
        return not (self.dislikes and self._disliked(name))

    def _disliked(self, name: str) -> bool:
        return _dislike_words(self.dislikes).search(normalise(name))


@lru_cache(maxsize=256)
def _dislike_words(dislikes: tuple[str, ...]) -> Keywords:
    return Keywords.of(f"{_singular(d)}*" for d in dislikes)


def make_filter(diet: str | None = None, exclude: Iterable[str] = (),
                dislikes: Iterable[str] = (), risk_factors: Iterable[str] = (),
                pregnant: bool = False, age: float | None = None,
                field_prefix: str = "preferences") -> DietFilter:
    """Build a filter; unknown diet or exclusion codes raise InputError with suggestions."""
    rules = rule_view().diet
    pattern = _pattern_code(rules, diet, f"{field_prefix}.diet")
    avoid: set[str] = set(rules.patterns[pattern].avoid)
    reasons = dict.fromkeys(avoid, f"{pattern} diet")
    for code in exclude:
        for tag in _exclusion_tags(rules, code, f"{field_prefix}.exclude"):
            if tag in rules.patterns:  # a pattern given as an exclusion, e.g. --diet vegan
                pattern = _stricter(rules, pattern, tag)
                avoid |= set(rules.patterns[tag].avoid)
            else:
                avoid.add(tag)
                reasons[tag] = f"excluded: {code}"
    for rf in risk_factors:
        for tag in rules.risk_factor_exclusions.get(rf, []):
            avoid.add(tag)
            reasons[tag] = rf.replace("_", " ")
        if rf in rules.risk_factor_patterns:
            pattern = _stricter(rules, pattern, rules.risk_factor_patterns[rf])
            avoid |= set(rules.patterns[pattern].avoid)
    if pregnant:
        avoid.add("pregnancy_avoid")
        reasons["pregnancy_avoid"] = "pregnancy"
    if age is not None and age < rules.child_exclusions.under_age:
        for tag in rules.child_exclusions.tags:
            avoid.add(tag)
            reasons[tag] = f"age under {rules.child_exclusions.under_age:g}"
    words = tuple(sorted({w.strip().lower() for w in dislikes if w and w.strip()}))
    return DietFilter(pattern=pattern, avoid=frozenset(avoid), dislikes=words, reasons=reasons)


def filter_for_profile(profile: Any) -> DietFilter:
    """The filter for a parsed profile (or a contract-shaped dict)."""
    prefs = _get(profile, "preferences") or {}
    person = _get(profile, "person") or {}
    return make_filter(
        diet=_get(prefs, "diet"), exclude=_get(prefs, "exclude") or (),
        dislikes=_get(prefs, "dislikes") or (), risk_factors=_get(profile, "risk_factors") or (),
        pregnant=bool(_get(person, "pregnant")), age=_get(person, "age"),
    )


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def _pattern_code(rules: DietRules, diet: str | None, where: str) -> str:
    if diet is None or str(diet).strip() == "":
        return "omnivore"
    code = str(diet).strip().lower().replace("_", "-")
    code = rules.pattern_synonyms.get(code, code)
    if code not in rules.patterns:
        raise InputError(Problem(where, f"unknown diet {diet!r}",
                                 closest(code, list(rules.patterns) + list(rules.pattern_synonyms))))
    return code


def _exclusion_tags(rules: DietRules, code: str, where: str) -> list[str]:
    raw = str(code).strip().lower()
    key = raw.replace(" ", "_")
    if key in rules.exclusions:
        return rules.exclusions[key]
    for k in (key, key.replace("_", "-")):
        if k in rules.exclusion_synonyms:
            return [t for x in rules.exclusion_synonyms[k] for t in rules.exclusions.get(x, [x])]
    pat = rules.pattern_synonyms.get(raw, raw)
    if pat in rules.patterns:
        return [pat]
    choices = list(rules.exclusions) + list(rules.exclusion_synonyms) + list(rules.patterns)
    raise InputError(Problem(where, f"unknown exclusion {code!r}", closest(key, choices)))


_ORDER = ("omnivore", "pescatarian", "vegetarian", "vegan")


def _stricter(rules: DietRules, a: str, b: str) -> str:
    ranks = {p: len(rules.patterns[p].avoid) for p in rules.patterns}
    return a if ranks[a] >= ranks[b] else b
