"""The knowledge base as tables a curious user or a clinician can read, with sources."""

from __future__ import annotations

from typing import Any

from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import Bands

TOPICS = {
    "nutrients": "the four nutrients, their role and link to back and neck pain",
    "requirements": "Dietary Reference Intakes by life stage (EAR, RDA, UL)",
    "labs": "blood tests: LOINC codes, units and conversion factors, cut-offs",
    "risk-factors": "risk factors and their effect on each nutrient",
    "medications": "medicines by class and their effect on each nutrient",
    "symptoms": "symptoms and what they suggest",
    "red-flags": "warning signs and their triage level",
    "interactions": "supplement-medicine interactions",
    "faq": "frequently asked questions",
    "sources": "the bibliography",
    "model": "how the likelihood is computed (priors, strengths, thresholds)",
}


def topic_rows(kb: KnowledgeBase, topic: str) -> tuple[list[str], list[list[str]]]:
    """Column names and rows for a topic (used by the text table and by JSON output)."""
    if topic == "nutrients":
        return ["nutrient", "role", "link to pain", "foods", "sources"], [
            [n.name, n.role, n.pain_link, "; ".join(n.foods), " | ".join(kb.cite(c) for c in n.sources)]
            for n in kb.nutrients.values()
        ]
    if topic == "requirements":
        rows = []
        for code, r in kb.requirements.items():
            for s in r.life_stages:
                hi = "+" if s.ages[1] >= 130 else f"-{s.ages[1] - 1:g}"
                rows.append(
                    [
                        code,
                        f"{s.ages[0]:g}{hi} y",
                        s.sex,
                        s.state,
                        _n(s.ear),
                        _n(s.rda or s.ai),
                        _n(s.ul),
                        r.unit,
                        r.ul_applies_to,
                        kb.cite(r.source),
                    ]
                )
        return ["nutrient", "ages", "sex", "state", "EAR", "RDA/AI", "UL", "unit", "UL covers", "source"], rows
    if topic == "labs":
        rows = []
        for code, t in kb.labs.items():
            cut = ""
            for name, scheme in t.schemes.items():
                bands = "; ".join(
                    f"{u}: <{b.deficient_below:g} deficient, adequate "
                    + _adequate(b)
                    + (f", high >{b.high_above:g}" if b.high_above is not None else "")
                    for u, b in scheme.bands.items()
                )
                cut += f"[{name}] {bands} ({kb.cite(scheme.source)}) "
            if t.elevated_above is not None:
                cut += f"raised above {t.elevated_above:g} {t.si_unit}"
            units = ", ".join(f"{u}×{f:g}" for u, f in t.units.items())
            rows.append([code, t.name, ", ".join(c.code for c in t.loinc), f"{t.si_unit} ({units})", cut.strip()])
        return ["test", "name", "LOINC", "SI unit (factor from each unit)", "cut-offs and source"], rows
    if topic in ("risk-factors", "medications", "symptoms"):
        table = {
            "risk-factors": kb.factors.risk_factors,
            "medications": kb.factors.medication_classes,
            "symptoms": kb.factors.symptoms,
        }[topic]
        rows = []
        for code, f in table.items():
            for nutrient, e in f.effects.items():
                names = code
                if topic == "medications":
                    names = f"{f.label}: " + ", ".join(m for m, v in kb.factors.medications.items() if v.class_ == code)
                rows.append(
                    [
                        names,
                        nutrient,
                        f"{e.direction} ({e.strength})",
                        e.text,
                        kb.cite(e.source) + (" [unverified]" if e.unverified else ""),
                    ]
                )
        return ["factor", "nutrient", "effect", "why", "source"], rows
    if topic == "red-flags":
        return ["code", "level", "when", "what it may mean", "source"], [
            [r.code, r.level, _when(r.when), r.text, kb.cite(r.source)]
            for r in kb.triage.red_flags
        ]
    if topic == "interactions":
        return ["supplement", "medicine class", "spacing (h)", "advice", "source"], [
            [
                i.nutrient,
                i.medication_class,
                _n(i.spacing_hours),
                i.text,
                kb.cite(i.source) + (" [unverified]" if i.unverified else ""),
            ]
            for i in kb.interactions
        ]
    if topic == "faq":
        return ["question", "answer", "sources"], [
            [q.question, q.answer, " | ".join(kb.cite(c) for c in q.sources)] for q in kb.faq
        ]
    if topic == "sources":
        return ["id", "title", "url", "checked"], [
            [k, s.title, s.url, s.checked.isoformat()] for k, s in kb.sources.items()
        ]
    if topic == "model":
        m = kb.factors.model
        rows = [
            ["thresholds", f"moderate ≥ {m.thresholds['moderate']}, high ≥ {m.thresholds['high']}", kb.cite(m.source)],
            [
                "strengths (likelihood ratios)",
                ", ".join(f"{k} {v:g}" for k, v in m.strengths.items()),
                kb.cite(m.source),
            ],
            ["symptom ratio cap", f"{m.symptom_lr_cap:g}", kb.cite(m.source)],
        ]
        for code, p in kb.factors.priors.items():
            rows.append(
                [
                    f"prior: {code}",
                    "; ".join(f"{a.ages[0]:g}-{a.ages[1]:g} y: {a.p:.1%}" for a in p.by_age) + f" ({p.condition})",
                    kb.cite(p.source) + (f" [unverified: {p.unverified_note}]" if p.unverified_note else ""),
                ]
            )
        return ["parameter", "value", "source"], rows
    raise KeyError(topic)


def _n(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _when(cond: Any) -> str:
    import dataclasses

    given = {k: v for k, v in dataclasses.asdict(cond).items() if v not in (None, [])}
    return "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in given.items())


def _adequate(b: Bands) -> str:
    if b.adequate_min is not None:
        return f"≥{b.adequate_min:g}"
    return f">{b.adequate_above:g}"
