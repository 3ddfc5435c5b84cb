"""Answers to plain-language questions: BM25 retrieval (rank_bm25) over our cited knowledge -
the FAQ, the nutrient explanations, supplement guidance, interactions, lifestyle steps - and
red-flag triage first when the question mentions one. Outside the knowledge base we say we do
not know rather than guess."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rank_bm25 import BM25Okapi

from nutrispine.knowledge.loader import read_yaml
from nutrispine.recommend.diet import Keywords, normalise
from nutrispine.recommend.rules import cite, load_rules

PHRASES = Path(__file__).with_name("red_flag_phrases.yaml")
MIN_SCORE = 3.0  # below this the best passage is not about the question
MIN_COVERAGE = 0.34  # share of the question's content words the best passage must contain
DONT_KNOW = ("I don't know: that is outside what nutrispine covers (vitamin D, magnesium, vitamin "
             "B12 and calcium and their links to back and neck pain). Please ask a doctor or "
             "pharmacist.")
STOPWORDS = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
    "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
    "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
    "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should",
    "so", "some", "such", "t", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was",
    "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will",
    "with", "would", "you", "your", "yours", "yourself", "s", "ll", "ve", "re", "m", "don",
    "cant", "get", "got", "many", "tell", "know", "need", "eat", "eating",
})
# Words that anchor a question in our scope even when phrased loosely.
SYNONYMS = {"vit": "vitamin", "b12": "b12", "cobalamin": "b12", "d3": "vitamin", "mg": "magnesium",
            "cramp": "cramps", "aches": "ache", "sore": "pain", "low": "deficiency",
            "lack": "deficiency", "deficient": "deficiency", "shortage": "deficiency",
            "shortfall": "deficiency", "insufficient": "deficiency", "insufficiency": "deficiency",
            "hurt": "pain", "hurts": "pain", "painful": "pain", "supplement": "supplement",
            "pill": "supplement", "tablet": "supplement", "dosage": "dose"}


def _stem(word: str) -> str:
    from nutrispine.foods.text import singular

    return SYNONYMS.get(word, singular(word))


_JOINS = ((" vitamin d3 ", " vitamind "), (" vitamin d ", " vitamind "), (" vit d ", " vitamind "),
          (" vitamin b12 ", " b12 "), (" vitamin b 12 ", " b12 "), (" b 12 ", " b12 "),
          (" how much ", " dose "), (" how many ", " dose "))


def tokens(text: str) -> list[str]:
    """Lower-case content words, singular, with 'vitamin D' and 'vitamin B12' kept whole."""
    padded = normalise(text)
    for a, b in _JOINS:
        while a in padded:
            padded = padded.replace(a, b)
    return [_stem(w) for w in padded.split() if w not in STOPWORDS]


@dataclass(frozen=True)
class Passage:
    id: str
    title: str
    text: str
    sources: tuple[str, ...]




def passages(kb: Any) -> list[Passage]:
    """Every citable text we may answer with."""
    rk = load_rules()
    out = [Passage(f"faq:{f.id}", f.question, f.answer, tuple(cite(kb, c) for c in f.sources))
           for f in kb.faq]
    for code, n in kb.nutrients.items():
        srcs = tuple(cite(kb, c) for c in n.sources)
        out.append(Passage(f"nutrient:{code}", f"{n.name} and back or neck pain",
                           f"{n.role} {n.pain_link}", srcs))
        out.append(Passage(f"foods:{code}", f"Foods rich in {n.name.lower()}",
                           f"Good food sources of {n.name.lower()}: {', '.join(n.foods)}.", srcs))
    for code, g in rk.guidance.items():
        name = kb.nutrients[code].name
        forms = "; ".join(f"{f.name}: {f.note}" for f in g.forms)
        doses = " ".join(d.note for d in g.doses)
        out.append(Passage(f"supplement:{code}", f"{name} supplements: dose, form, how to take",
                           f"{name} supplement forms - {forms}. {doses} {g.take_with}",
                           (cite(kb, g.source), *(cite(kb, d.source) for d in g.doses))))
        out.append(Passage(f"recheck:{code}", f"Rechecking {name.lower()} with a blood test",
                           g.recheck.note, (cite(kb, g.recheck.source),)))
    for i, inter in enumerate(kb.interactions):
        name = kb.nutrients[inter.nutrient].name
        label = kb.factors.medication_classes.get(inter.medication_class)
        meds = [m for m, info in kb.factors.medications.items()
                if getattr(info, "class_", getattr(info, "cls", None)) == inter.medication_class]
        who = getattr(label, "label", inter.medication_class.replace("_", " "))
        out.append(Passage(f"interaction:{i}", f"{name} and {who}",
                           f"{inter.text} ({who}{': ' + ', '.join(meds) if meds else ''})",
                           (cite(kb, inter.source),)))
    for kind, table in (("risk", kb.factors.risk_factors),
                        ("medication", kb.factors.medication_classes)):
        for code, factor in table.items():
            for nutrient, eff in factor.effects.items():
                name = kb.nutrients[nutrient].name
                out.append(Passage(f"{kind}:{code}:{nutrient}", f"{factor.label} and {name}",
                                   eff.text, (cite(kb, eff.source),)))
    for step in rk.lifestyle.steps:
        out.append(Passage(f"lifestyle:{step.id}", step.title, step.text,
                           (cite(kb, step.source),)))
    return out


@dataclass(frozen=True)
class Index:
    passages: list[Passage]
    bm25: BM25Okapi
    docs: list[set[str]]


@lru_cache(maxsize=2)
def _index(version: str) -> Index:
    from nutrispine.knowledge import load_knowledge

    ps = passages(load_knowledge())
    corpus = [tokens(f"{p.title} {p.title} {p.text}") for p in ps]
    return Index(ps, BM25Okapi(corpus), [set(c) for c in corpus])


@lru_cache(maxsize=1)
def _phrases() -> dict[str, Keywords]:
    data = read_yaml(PHRASES)
    return {code: Keywords.of(words) for code, words in data.items()}


def red_flags_in(question: str) -> list[str]:
    """Red-flag symptom codes the question mentions, in file order."""
    padded = normalise(question)
    return [code for code, kw in _phrases().items() if kw.search(padded)]


def _triage(kb: Any, codes: list[str]) -> dict[str, Any] | None:
    if not codes:
        return None
    found = set(codes)
    fired = []
    for rule in kb.triage.red_flags:
        w = rule.when
        if w.risk_factors_any or w.regions_any or w.severity_min or w.duration_weeks_above:
            continue
        if (w.symptoms_any and found & set(w.symptoms_any)) or \
                (w.symptoms_all and set(w.symptoms_all) <= found):
            fired.append(rule)
    if not fired:  # a red flag we recognise but no rule levels on its own: urgent to be safe
        level = "urgent"
        reasons = [{"code": c, "text": c.replace("_", " ")} for c in codes]
    else:
        level = max((r.level for r in fired), key=lambda lv: kb.triage.levels[lv].rank)
        fired.sort(key=lambda r: -kb.triage.levels[r.level].rank)
        reasons = [{"code": r.code, "text": r.text, "source": cite(kb, r.source)} for r in fired]
    return {"level": level, "advice": kb.triage.levels[level].advice, "reasons": reasons}


def ask(question: str, *, top: int = 3) -> dict[str, Any]:
    """Answer ``question``: triage first for red flags, then our best cited passages."""
    from nutrispine.knowledge import load_knowledge

    kb = load_knowledge()
    text = (question or "").strip()
    triage = _triage(kb, red_flags_in(text))
    idx = _index(kb.version)
    q = tokens(text)
    result: dict[str, Any] = {"question": text, "triage": triage, "answer": None, "sources": [],
                              "matches": [], "disclaimer": kb.texts.disclaimer}
    if q:
        scores = idx.bm25.get_scores(q)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:top]
        qset = set(q)
        best = order[0]
        coverage = len(qset & idx.docs[best]) / len(qset)
        if scores[best] >= MIN_SCORE and coverage >= MIN_COVERAGE:
            keep = [i for i in order if scores[i] >= max(MIN_SCORE, 0.6 * scores[best])]
            result["matches"] = [{"id": idx.passages[i].id, "title": idx.passages[i].title,
                                  "score": round(float(scores[i]), 2)} for i in keep]
            result["answer"] = idx.passages[best].text
            result["sources"] = list(idx.passages[best].sources)
            result["related"] = [{"title": idx.passages[i].title, "text": idx.passages[i].text,
                                  "sources": list(idx.passages[i].sources)} for i in keep[1:]]
    if result["answer"] is None:
        result["answer"] = DONT_KNOW if triage is None else None
    return result
