"""The ``KnowledgeBase`` registry: typed entries plus the look-ups rules need."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nutrispine.knowledge.loader import KnowledgeError, fingerprint, read_yaml, validate
from nutrispine.knowledge.models import (
    NUTRIENTS,
    Cite,
    Factor,
    Factors,
    Faq,
    Interaction,
    LabTest,
    Nutrient,
    NutrientRequirements,
    RedFlag,
    Requirement,
    RoutineRule,
    Source,
    Texts,
    Triage,
)

FILES = ("sources", "nutrients", "requirements", "labs", "factors", "triage", "interactions", "faq", "texts")


def unit_key(unit: str) -> str:
    """Normalise a unit spelling: case, micro signs, 'mcg' and spaces do not matter."""
    text = unit.strip().replace(" ", "").replace("µ", "u").replace("μ", "u").lower()
    return text.replace("mcg", "ug")


@dataclass(frozen=True)
class KnowledgeBase:
    """All knowledge, validated and cross-referenced. Build with ``from_folder``."""

    sources: dict[str, Source]
    nutrients: dict[str, Nutrient]
    requirements: dict[str, NutrientRequirements]
    labs: dict[str, LabTest]
    factors: Factors
    triage: Triage
    interactions: list[Interaction]
    faq: list[Faq]
    texts: Texts
    version: str
    loinc_index: dict[str, tuple[str, bool]] = field(default_factory=dict)
    medication_index: dict[str, str] = field(default_factory=dict)
    unit_index: dict[str, dict[str, tuple[str, float]]] = field(default_factory=dict)

    @classmethod
    def from_folder(cls, folder: Path) -> KnowledgeBase:
        paths = {name: folder / f"{name}.yaml" for name in FILES}
        missing = [p.name for p in paths.values() if not p.is_file()]
        if missing:
            raise KnowledgeError(f"missing knowledge file(s): {', '.join(missing)}")
        raw = {name: read_yaml(path) for name, path in paths.items()}
        from pydantic import TypeAdapter  # only when the YAML is (re)validated, not per command

        models: dict[str, Any] = {
            "sources": TypeAdapter(dict[str, Source]),
            "nutrients": TypeAdapter(dict[str, Nutrient]),
            "requirements": TypeAdapter(dict[str, NutrientRequirements]),
            "labs": TypeAdapter(dict[str, LabTest]),
            "factors": Factors,
            "triage": Triage,
            "interactions": TypeAdapter(list[Interaction]),
            "faq": TypeAdapter(list[Faq]),
            "texts": Texts,
        }
        data = {name: validate(paths[name], models[name], raw[name]) for name in FILES}
        labs = data["labs"]
        kb = cls(
            sources=data["sources"],
            nutrients=data["nutrients"],
            requirements=data["requirements"],
            labs=labs,
            factors=data["factors"],
            triage=data["triage"],
            interactions=data["interactions"],
            faq=data["faq"],
            texts=data["texts"],
            version=fingerprint(list(paths.values())),
            loinc_index={c.code: (name, c.corrected) for name, t in labs.items() for c in t.loinc},
            medication_index=_medication_index(data["factors"]),
            unit_index={
                name: {unit_key(u): (u.replace("u", "µ", 1) if u.startswith("u") else u, f) for u, f in t.units.items()}
                for name, t in labs.items()
            },
        )
        _check_references(kb)
        return kb

    # --- look-ups -------------------------------------------------------------------------
    def requirement(
        self, nutrient: str, *, age: float, sex: str, pregnant: bool = False, lactating: bool = False
    ) -> Requirement:
        """The DRI that applies to a person (pregnancy first, then lactation, then by sex)."""
        table = self.requirements[nutrient]
        state = "pregnant" if pregnant else "lactating" if lactating else "none"
        for wanted_state in (state, "none"):
            for stage in table.life_stages:
                if stage.state != wanted_state or not stage.ages[0] <= age < stage.ages[1]:
                    continue
                if stage.sex not in ("any", sex):
                    continue
                label = _life_stage_label(stage.ages, stage.sex, stage.state)
                cv, basis = _cv(table, stage.ear, stage.rda)
                return Requirement(
                    nutrient=nutrient,
                    unit=table.unit,
                    ear=stage.ear,
                    rda=stage.rda,
                    ai=stage.ai,
                    ul=stage.ul,
                    ul_applies_to=table.ul_applies_to,
                    cv=cv,
                    cv_basis=basis,
                    life_stage=label,
                    source=table.source,
                )
        raise KnowledgeError(f"requirements.yaml: no life stage for {nutrient} at age {age}, {sex}")

    def medication_class(self, name: str) -> str | None:
        """The class of a medicine given by generic (or common brand) name, case-insensitive."""
        return self.medication_index.get(name.strip().lower())

    def factor(self, kind: str, code: str) -> Factor | None:
        table = {
            "risk_factor": self.factors.risk_factors,
            "symptom": self.factors.symptoms,
            "medication_class": self.factors.medication_classes,
        }[kind]
        return table.get(code)

    def cite(self, cite: Cite) -> str:
        """A human-readable citation: the source's title and the locator."""
        title = self.sources[cite.id].title
        return f"{title}, {cite.locator}" if cite.locator else title

    @property
    def red_flag_symptoms(self) -> set[str]:
        return set(self.triage.red_flag_symptoms)


def _medication_index(factors: Factors) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, med in factors.medications.items():
        for alias in (name, *med.also):
            index[alias.lower()] = med.class_
    return index


def _cv(table: NutrientRequirements, ear: float | None, rda: float | None) -> tuple[float | None, str]:
    if table.cv is not None:
        return table.cv, table.cv_note
    if ear and rda:
        return round((rda - ear) / (2 * ear), 4), table.cv_note
    return None, table.cv_note


def _life_stage_label(ages: tuple[float, float], sex: str, state: str) -> str:
    hi = "" if ages[1] >= 130 else f"-{ages[1] - 1:g}"
    span = f"{ages[0]:g}{hi} y" if hi else f"{ages[0]:g}+ y"
    who = {"any": "", "female": "female, ", "male": "male, "}[sex]
    what = {"none": "", "pregnant": ", pregnant", "lactating": ", breastfeeding"}[state]
    return f"{who}{span}{what}"


def _check_references(kb: KnowledgeBase) -> None:
    """Every cited source exists, every effect names a known nutrient, every rule a known code."""
    problems: list[str] = []

    def cite(where: str, c: Cite | None) -> None:
        if c is not None and c.id not in kb.sources:
            problems.append(f"{where}: unknown source id {c.id!r}")

    for code, n in kb.nutrients.items():
        if code not in NUTRIENTS:
            problems.append(f"nutrients.yaml: {code}: not one of {NUTRIENTS}")
        for i, c in enumerate(n.sources):
            cite(f"nutrients.yaml: {code}.sources.{i}", c)
        if n.lab_test not in kb.labs:
            problems.append(f"nutrients.yaml: {code}.lab_test: unknown test {n.lab_test!r}")
    for code, r in kb.requirements.items():
        cite(f"requirements.yaml: {code}.source", r.source)
        if code not in kb.nutrients:
            problems.append(f"requirements.yaml: {code}: unknown nutrient")
    for code, t in kb.labs.items():
        for attr in ("units_source", "loinc_source", "explanation_source", "elevated_source", "low_normal_source"):
            cite(f"labs.yaml: {code}.{attr}", getattr(t, attr))
        for name, s in t.schemes.items():
            cite(f"labs.yaml: {code}.schemes.{name}.source", s.source)
        for target in (t.nutrient, t.marker_for):
            if target is not None and target not in kb.nutrients:
                problems.append(f"labs.yaml: {code}: unknown nutrient {target!r}")
    f = kb.factors
    cite("factors.yaml: model.source", f.model.source)
    for table_name, table in (
        ("risk_factors", f.risk_factors),
        ("symptoms", f.symptoms),
        ("medication_classes", f.medication_classes),
    ):
        for code, factor in table.items():
            for nutrient, effect in factor.effects.items():
                where = f"factors.yaml: {table_name}.{code}.effects.{nutrient}"
                if nutrient not in kb.nutrients:
                    problems.append(f"{where}: unknown nutrient")
                cite(f"{where}.source", effect.source)
    for name, med in f.medications.items():
        if med.class_ not in f.medication_classes:
            problems.append(f"factors.yaml: medications.{name}.class: unknown {med.class_!r}")
    for code, prior in f.priors.items():
        cite(f"factors.yaml: priors.{code}.source", prior.source)
    symptoms = set(f.symptoms) | kb.red_flag_symptoms
    rules: list[RedFlag | RoutineRule] = [*kb.triage.red_flags, *kb.triage.routine_rules]
    for i, rule in enumerate(rules):
        cite(f"triage.yaml: rule {rule.code}.source", rule.source)
        for sym in (*rule.when.symptoms_any, *rule.when.symptoms_all):
            if sym not in symptoms:
                problems.append(f"triage.yaml: rule {i} ({rule.code}): unknown symptom {sym!r}")
        for risk in rule.when.risk_factors_any:
            if risk not in f.risk_factors:
                problems.append(f"triage.yaml: rule {rule.code}: unknown risk factor {risk!r}")
    for i, inter in enumerate(kb.interactions):
        cite(f"interactions.yaml: {i}.source", inter.source)
        if inter.medication_class not in f.medication_classes:
            problems.append(f"interactions.yaml: {i}: unknown class {inter.medication_class!r}")
    for q in kb.faq:
        for c in q.sources:
            cite(f"faq.yaml: {q.id}.sources", c)
    if problems:
        raise KnowledgeError("; ".join(problems))
