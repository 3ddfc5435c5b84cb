"""One check for every knowledge entry (sources, units, ordered ranges), the DRI tables against
their cited numbers, unit factors against pint, and the strict loader's refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pint
import pytest
import yaml

from nutrispine.knowledge import KnowledgeError, load_knowledge
from nutrispine.knowledge.base import KnowledgeBase
from nutrispine.knowledge.models import NUTRIENTS

KB = load_knowledge()
KNOWLEDGE_DIR = Path(__file__).parents[2] / "src" / "nutrispine" / "knowledge"


def _walk(node: object, path: str = ""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def _cited_entries():
    """Every mapping in every knowledge file that states a clinical claim (text or numbers)."""
    for path in sorted(KNOWLEDGE_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, node in _walk(data):
            claims = {"text", "answer", "pain_link", "ear", "rda", "lr", "spacing_hours", "elevated_above", "p"} & set(
                node
            )
            if claims:
                yield pytest.param(path.name, where, node, id=f"{path.name}:{where}")


@pytest.mark.parametrize(("filename", "where", "entry"), list(_cited_entries()))
def test_every_claim_has_a_source(filename: str, where: str, entry: dict) -> None:
    """A claim carries its own source, or sits under an entry (or file) that does."""
    data = yaml.safe_load((KNOWLEDGE_DIR / filename).read_text(encoding="utf-8"))
    keys = ("source", "sources", "elevated_source", "units_source")
    if any(k in entry for k in keys):
        return
    # walk up the path: the nearest enclosing mapping with a source covers this entry
    parts = where.replace("[", ".[").split(".")
    node: object = data
    covered = isinstance(data, dict) and any(k in data for k in keys)
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]  # type: ignore[index]
        if isinstance(node, dict) and any(k in node for k in keys):
            covered = True
    assert covered, f"{filename}: {where} states a clinical claim without a source"


def test_every_cited_source_is_in_the_bibliography_with_a_check_date() -> None:
    for source in KB.sources.values():
        assert source.title and source.url
        assert source.checked.year >= 2026


@pytest.mark.parametrize(
    ("nutrient", "age", "sex", "pregnant", "lactating", "ear", "rda", "ul"),
    [
        ("vitamin_d", 30, "female", False, False, 10, 15, 100),
        ("vitamin_d", 75, "male", False, False, 10, 20, 100),
        ("vitamin_d", 2, "male", False, False, 10, 15, 63),
        ("vitamin_d", 6, "female", False, False, 10, 15, 75),
        ("magnesium", 25, "male", False, False, 330, 400, 350),
        ("magnesium", 45, "female", False, False, 265, 320, 350),
        ("magnesium", 16, "male", False, False, 340, 410, 350),
        ("magnesium", 2, "female", False, False, 65, 80, 65),
        ("magnesium", 17, "female", True, False, 335, 400, 350),
        ("magnesium", 28, "female", True, False, 290, 350, 350),
        ("magnesium", 35, "female", False, True, 265, 320, 350),
        ("vitamin_b12", 40, "male", False, False, 2.0, 2.4, None),
        ("vitamin_b12", 30, "female", True, False, 2.2, 2.6, None),
        ("vitamin_b12", 30, "female", False, True, 2.4, 2.8, None),
        ("vitamin_b12", 10, "male", False, False, 1.5, 1.8, None),
        ("calcium", 30, "male", False, False, 800, 1000, 2500),
        ("calcium", 60, "female", False, False, 1000, 1200, 2000),
        ("calcium", 60, "male", False, False, 800, 1000, 2000),
        ("calcium", 80, "male", False, False, 1000, 1200, 2000),
        ("calcium", 15, "female", False, False, 1100, 1300, 3000),
        ("calcium", 16, "female", True, False, 1100, 1300, 3000),
        ("calcium", 25, "female", False, True, 800, 1000, 2500),
    ],
)
def test_requirements_match_the_cited_dri_tables(nutrient, age, sex, pregnant, lactating, ear, rda, ul) -> None:
    req = KB.requirement(nutrient, age=age, sex=sex, pregnant=pregnant, lactating=lactating)
    assert (req.ear, req.rda, req.ul) == (ear, rda, ul)


def test_magnesium_ul_covers_supplements_only_and_cvs_are_as_cited() -> None:
    assert KB.requirement("magnesium", age=40, sex="male").ul_applies_to == "supplements"
    assert KB.requirement("calcium", age=40, sex="male").ul_applies_to == "total"
    assert KB.requirement("magnesium", age=40, sex="male").cv == 0.10
    assert KB.requirement("vitamin_b12", age=40, sex="male").cv == 0.10
    # vitamin D: derived (RDA - EAR) / (2 EAR) = (15 - 10) / 20
    assert KB.requirement("vitamin_d", age=40, sex="male").cv == pytest.approx(0.25)


@pytest.mark.parametrize("nutrient", NUTRIENTS)
def test_every_age_from_1_to_120_has_a_requirement(nutrient: str) -> None:
    for age in range(1, 121):
        for sex in ("female", "male"):
            assert KB.requirement(nutrient, age=age + 0.5, sex=sex).rda is not None


# --- units: each factor agrees with pint and the molar mass (facts.md B) -------------------------
UREG = pint.UnitRegistry()
MOLAR_MASS = {
    "vitamin_d_25oh": 400.64,
    "vitamin_b12": 1355.4,
    "magnesium": 24.305,
    "calcium": 40.078,
    "calcium_ionized": 40.078,
    "homocysteine": 135.18,
    "pth": 9425.0,
}


@pytest.mark.parametrize("test", sorted(KB.labs))
def test_lab_unit_factors_agree_with_pint(test: str) -> None:
    spec = KB.labs[test]
    si = UREG(spec.si_unit.replace("µ", "u"))
    for unit, factor in spec.units.items():
        quantity = UREG.Quantity(1.0, unit.replace("µ", "u").replace("mEq", "mmol"))
        if quantity.check("[mass] / [volume]") and si.check("[substance] / [volume]"):
            quantity = quantity / UREG.Quantity(MOLAR_MASS[test], "g/mol")
        expected = quantity.to(si.units).magnitude
        if unit.startswith("mEq"):
            expected = expected / 2  # divalent ions: 1 mEq = 0.5 mmol
        assert factor == pytest.approx(expected, rel=2e-3), f"{test}: {unit}"


def test_lab_bands_are_ordered_and_units_accepted() -> None:
    for spec in KB.labs.values():
        lo, hi = spec.plausible_si
        assert lo < hi
        for scheme in spec.schemes.values():
            for unit, bands in scheme.bands.items():
                assert unit in spec.units
                start = bands.adequate_min if bands.adequate_min is not None else bands.adequate_above
                assert bands.deficient_below <= start
                assert bands.high_above is None or bands.high_above > start


def test_contract_cutoffs_are_in_the_knowledge_base() -> None:
    vd = KB.labs["vitamin_d_25oh"].schemes
    assert vd["nam2011"].bands["nmol/L"].deficient_below == 30
    assert vd["nam2011"].bands["nmol/L"].adequate_min == 50
    assert vd["nam2011"].bands["nmol/L"].high_above == 125
    assert vd["endocrine2011"].bands["nmol/L"].deficient_below == 50
    assert vd["endocrine2011"].bands["nmol/L"].high_above == 250
    b12 = KB.labs["vitamin_b12"].schemes["standard"].bands["pmol/L"]
    assert (b12.deficient_below, b12.adequate_above) == (148, 221)
    assert KB.labs["methylmalonic_acid"].elevated_above == 0.271
    assert KB.labs["homocysteine"].elevated_above == 15
    mg = KB.labs["magnesium"].schemes["costello2016"].bands["mmol/L"]
    assert (mg.deficient_below, mg.adequate_min, mg.high_above) == (0.75, 0.85, 1.05)
    ca = KB.labs["calcium"].schemes["standard"].bands["mmol/L"]
    assert (ca.deficient_below, ca.high_above) == (2.12, 2.62)
    ica = KB.labs["calcium_ionized"].schemes["standard"].bands["mmol/L"]
    assert (ica.deficient_below, ica.high_above) == (1.12, 1.32)


def test_loinc_codes_from_the_contract_resolve() -> None:
    expected = {
        "62292-8": "vitamin_d_25oh",
        "2132-9": "vitamin_b12",
        "13964-2": "methylmalonic_acid",
        "13965-9": "homocysteine",
        "19123-9": "magnesium",
        "2601-3": "magnesium",
        "17861-6": "calcium",
        "2000-8": "calcium",
        "1995-0": "calcium_ionized",
        "1751-7": "albumin",
        "2731-8": "pth",
    }
    for code, test in expected.items():
        assert KB.loinc_index[code][0] == test


def test_every_contract_medication_has_a_class() -> None:
    meds = [
        "metformin",
        "omeprazole",
        "esomeprazole",
        "lansoprazole",
        "pantoprazole",
        "rabeprazole",
        "famotidine",
        "cimetidine",
        "furosemide",
        "bumetanide",
        "torsemide",
        "hydrochlorothiazide",
        "chlorthalidone",
        "indapamide",
        "prednisone",
        "prednisolone",
        "dexamethasone",
        "phenytoin",
        "carbamazepine",
        "phenobarbital",
        "orlistat",
        "cholestyramine",
        "alendronate",
        "risedronate",
        "doxycycline",
        "minocycline",
        "tetracycline",
        "ciprofloxacin",
        "levofloxacin",
        "levothyroxine",
        "digoxin",
        "colchicine",
    ]
    for med in meds:
        assert KB.medication_class(med) is not None, med
        assert KB.medication_class(med.upper()) is not None


def test_contract_codes_are_known() -> None:
    symptoms = [
        "fatigue",
        "muscle_weakness",
        "muscle_cramps",
        "muscle_spasms",
        "muscle_twitching",
        "muscle_tension",
        "bone_pain",
        "widespread_aches",
        "tingling",
        "numbness",
        "balance_problems",
        "memory_problems",
        "low_mood",
        "poor_sleep",
        "pale_skin",
        "sore_tongue",
        "palpitations",
        "frequent_fractures",
    ]
    red = [
        "saddle_anesthesia",
        "bladder_dysfunction",
        "bowel_incontinence",
        "progressive_weakness",
        "fever",
        "severe_headache",
        "chest_pain",
        "shortness_of_breath",
        "unexplained_weight_loss",
        "night_pain",
        "significant_trauma",
        "gait_disturbance",
        "hand_clumsiness",
        "dizziness_or_drop_attacks",
    ]
    risks = [
        "limited_sun_exposure",
        "dark_skin",
        "covers_skin",
        "housebound",
        "obesity",
        "vegan",
        "vegetarian",
        "low_dairy_intake",
        "lactose_intolerance",
        "heavy_alcohol_use",
        "type2_diabetes",
        "crohns_disease",
        "celiac_disease",
        "bariatric_surgery",
        "gastric_surgery",
        "pernicious_anemia",
        "atrophic_gastritis",
        "chronic_kidney_disease",
        "liver_disease",
        "postmenopausal",
        "high_stress",
        "osteoporosis",
        "cancer_history",
        "iv_drug_use",
        "immunosuppression",
        "long_term_steroid_use",
    ]
    assert set(symptoms) <= set(KB.factors.symptoms)
    assert set(red) <= KB.red_flag_symptoms
    assert set(risks) <= set(KB.factors.risk_factors)


# --- the strict loader: one broken copy per kind of error, with the message checked -------------
def _broken(tmp_path: Path, filename: str, old: str, new: str) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    target = folder / filename
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("filename", "old", "new", "words"),
    [
        ("labs.yaml", "  decimals: 1\n", "  decimals: 1\n  decimals: 2\n", ["labs.yaml", "duplicate key 'decimals'"]),
        ("labs.yaml", "  decimals: 1\n", "  decimals: 1\n  colour: red\n", ["labs.yaml", "colour"]),
        ("factors.yaml", "{id: herrick2019,", "{id: nobody2020,", ["factors.yaml", "unknown source id 'nobody2020'"]),
        ("requirements.yaml", "ear: 10, rda: 15, ul: 63", "ear: 20, rda: 15, ul: 63", ["requirements.yaml", "EAR"]),
        ("labs.yaml", "ng/mL: {deficient_below: 12,", "mg/dL: {deficient_below: 12,", ["labs.yaml", "mg/dL"]),
        (
            "triage.yaml",
            "symptoms_any: [saddle_anesthesia]",
            "symptoms_any: [saddle_numbnes]",
            ["triage.yaml", "saddle_numbnes"],
        ),
        ("factors.yaml", "metformin: {class: metformin}", "metformin: {class: biguanides}", ["biguanides"]),
        (
            "requirements.yaml",
            "ages: [1, 4], sex: any, state: none, ear: 10",
            "ages: [4, 1], sex: any, state: none, ear: 10",
            ["requirements.yaml", "ages"],
        ),
    ],
)
def test_strict_loader_refuses_and_names_the_file(
    tmp_path: Path, filename: str, old: str, new: str, words: list[str]
) -> None:
    folder = _broken(tmp_path, filename, old, new)
    with pytest.raises(KnowledgeError) as info:
        KnowledgeBase.from_folder(folder)
    for word in words:
        assert word in str(info.value)


def test_knowledge_version_changes_with_the_data(tmp_path: Path) -> None:
    folder = _broken(tmp_path, "faq.yaml", "It can cause or worsen it.", "It can cause it.")
    assert KnowledgeBase.from_folder(folder).version != KB.version
