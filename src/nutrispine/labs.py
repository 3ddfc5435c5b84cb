"""Lab interpretation: convert to SI, correct calcium for albumin, classify, explain.

Pure functions over the knowledge base; the same rules serve one person and a batch column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.base import unit_key
from nutrispine.knowledge.models import Bands, LabTest
from nutrispine.profile import Lab

PRIMARY_TEST = {
    "vitamin_d": ("vitamin_d_25oh",),
    "vitamin_b12": ("vitamin_b12",),
    "magnesium": ("magnesium",),
    "calcium": ("calcium", "calcium_ionized"),
}
BAND_WORDS = {
    "deficient": "deficient",
    "borderline": "borderline (lower than ideal)",
    "adequate": "in the adequate range",
    "high": "high",
}


@dataclass
class LabResult:
    """One interpreted blood test."""

    test: str
    value: float
    unit: str
    value_si: float
    unit_si: str
    status: str
    nutrient: str | None = None
    scheme: str | None = None
    date: dt.date | None = None
    loinc: str | None = None
    corrected_for_albumin: bool = False
    explanation: str = ""
    notes: list[str] = field(default_factory=list)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "value": self.value,
            "unit": self.unit,
            "value_si": self.value_si,
            "unit_si": self.unit_si,
        }
        out["test"] = self.test
        if self.date is not None:
            out["date"] = self.date.isoformat()
        if self.loinc:
            out["loinc"] = self.loinc
        if self.corrected_for_albumin:
            out["corrected_for_albumin"] = True
        if self.scheme:
            out["cutoffs"] = self.scheme
        out["explanation"] = self.explanation
        if self.notes:
            out["notes"] = self.notes
        out["source"] = self.source
        return out


def to_si(kb: KnowledgeBase, test: str, value: float, unit: str) -> float:
    """Convert a value to the test's SI unit (the unit must have been validated)."""
    return value * kb.unit_index[test][unit_key(unit)][1]


def classify(bands: Bands, value: float) -> str:
    """The status of ``value`` in one set of bands (same unit as the bands)."""
    if value < bands.deficient_below:
        return "deficient"
    if bands.adequate_min is not None and value < bands.adequate_min:
        return "borderline"
    if bands.adequate_above is not None and value <= bands.adequate_above:
        return "borderline"
    if bands.high_above is not None and value > bands.high_above:
        return "high"
    return "adequate"


def status_for(spec: LabTest, scheme_name: str, value: float, unit: str, value_si: float) -> str:
    """Classify in the reported unit when the source publishes cut-offs in it, else in SI."""
    bands = spec.schemes[scheme_name].bands
    wanted = unit_key(unit)
    for band_unit, band in bands.items():
        if unit_key(band_unit) == wanted:
            return classify(band, value)
    for band_unit, band in bands.items():
        if unit_key(band_unit) == unit_key(spec.si_unit):
            return classify(band, value_si)
    raise KeyError(f"{spec.name}: no cut-offs in {unit} or {spec.si_unit}")


def _latest(labs: list[Lab], kb: KnowledgeBase) -> dict[str, tuple[Lab, str | None]]:
    """The most recent result for each test (dated results win; then the order given)."""
    chosen: dict[str, tuple[tuple[dt.date, int], Lab, str | None]] = {}
    for i, lab in enumerate(labs):
        test, corrected_code = lab.test, None
        if lab.loinc is not None:
            test, corrected = kb.loinc_index[lab.loinc.strip()]
            corrected_code = lab.loinc.strip() if corrected else None
        assert test is not None
        key = (lab.date or dt.date.min, i)
        if test not in chosen or key >= chosen[test][0]:
            chosen[test] = (key, lab, corrected_code)
    return {test: (lab, code) for test, (_, lab, code) in chosen.items()}


def interpret_labs(
    labs: list[Lab] | None, kb: KnowledgeBase, *, vitamin_d_scheme: str = "nam2011"
) -> dict[str, LabResult]:
    """Interpret every test given (latest result per test), keyed by test code."""
    latest = _latest(list(labs or ()), kb)
    results: dict[str, LabResult] = {}
    albumin_gl = None
    if "albumin" in latest:
        alb = latest["albumin"][0]
        albumin_gl = to_si(kb, "albumin", alb.value, alb.unit)
    for test, (lab, corrected_code) in latest.items():
        spec = kb.labs[test]
        si = to_si(kb, test, lab.value, lab.unit)
        notes: list[str] = []
        corrected = corrected_code is not None
        status_unit, status_value = lab.unit, lab.value
        if spec.albumin_correction is not None and albumin_gl is not None and not corrected:
            ac = spec.albumin_correction
            si = si + ac.mmol_per_l_per_g_per_l * (ac.reference_albumin_g_per_l - albumin_gl)
            corrected = True
            status_unit, status_value = spec.si_unit, si
            notes.append(f"Corrected for albumin {albumin_gl:.0f} g/L: {kb.cite(ac.source)}.")
        scheme_name = None
        if spec.schemes:
            scheme_name = (
                vitamin_d_scheme
                if (test == "vitamin_d_25oh" and vitamin_d_scheme in spec.schemes)
                else spec.default_scheme
            )
            assert scheme_name is not None
            status = status_for(spec, scheme_name, status_value, status_unit, si)
            source = kb.cite(spec.schemes[scheme_name].source)
        elif spec.elevated_above is not None:
            status = "elevated" if si > spec.elevated_above else "normal"
            source = kb.cite(spec.elevated_source) if spec.elevated_source else ""
        else:
            status, source = "measured", kb.cite(spec.units_source)
        code = lab.loinc.strip() if lab.loinc else (spec.loinc[0].code if spec.loinc else None)
        if test == "vitamin_d_25oh" and code == "1989-3":
            notes.append(spec.loinc[1].note)
        results[test] = LabResult(
            test=test,
            value=lab.value,
            unit=lab.unit,
            value_si=round(si, spec.decimals),
            unit_si=spec.si_unit,
            status=status,
            nutrient=spec.nutrient or spec.marker_for,
            scheme=spec.schemes[scheme_name].label if scheme_name else None,
            date=lab.date,
            loinc=code,
            corrected_for_albumin=corrected and spec.albumin_correction is not None,
            notes=notes,
            source=source,
        )
        results[test].explanation = explain(results[test], spec)
    _b12_with_markers(results, kb)
    return results


def _b12_with_markers(results: dict[str, LabResult], kb: KnowledgeBase) -> None:
    """Borderline or low-normal B12 becomes deficient when MMA or homocysteine is raised."""
    b12 = results.get("vitamin_b12")
    if b12 is None:
        return
    spec = kb.labs["vitamin_b12"]
    low_normal = spec.low_normal_max_si is not None and b12.value_si <= spec.low_normal_max_si
    if b12.status not in ("borderline",) and not (b12.status == "adequate" and low_normal):
        return
    raised = [
        r
        for t in ("methylmalonic_acid", "homocysteine")
        if (r := results.get(t)) is not None and r.status == "elevated"
    ]
    if raised:
        names = " and ".join(kb.labs[r.test].plain_name for r in raised)
        b12.notes.append(
            f"Counted as deficient because the {names} is raised, which shows the "
            f"body's cells are short of B12 ({kb.cite(spec.schemes['standard'].source)})."
        )
        b12.status = "deficient"
        b12.explanation = explain(b12, spec)


def explain(result: LabResult, spec: LabTest) -> str:
    """A plain-language sentence on this result, then the test's general explanation."""
    shown = f"{result.value:g} {result.unit}"
    if result.unit.replace("µ", "u").lower() != result.unit_si.replace("µ", "u").lower():
        shown += f" ({result.value_si:g} {result.unit_si})"
    if result.status in BAND_WORDS:
        lead = f"Your {spec.plain_name} result, {shown}, is {BAND_WORDS[result.status]}."
        if spec.weak_marker and result.status == "adequate":
            lead += " A normal blood level does not rule out a shortfall in the body's stores."
    elif result.status == "elevated":
        lead = f"Your {spec.plain_name} result, {shown}, is raised."
    elif result.status == "normal":
        lead = f"Your {spec.plain_name} result, {shown}, is within the usual range."
    else:
        lead = f"Your {spec.plain_name} result is {shown}."
    return f"{lead} {spec.explanation}"


def primary_for(nutrient: str, results: dict[str, LabResult]) -> LabResult | None:
    """The lab that decides a nutrient's lab.status.

    Total calcium (albumin-corrected) comes first, as the contract reports it; but an abnormal
    ionized calcium, the more direct measure, wins over a total calcium in the adequate range,
    so a true low free calcium is never hidden behind a normal total.
    """
    found = [results[t] for t in PRIMARY_TEST[nutrient] if t in results]
    if not found:
        return None
    if len(found) > 1 and found[0].status == "adequate" and found[1].status in ("deficient", "high"):
        found[1].notes.append(f"Reported instead of the total calcium ({found[0].value_si:g} {found[0].unit_si}, "
                              "in range), because the ionized calcium is the more direct measure.")
        return found[1]
    return found[0]
