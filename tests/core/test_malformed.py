"""Malformed profiles through the real command line: each must be refused cleanly.

Contract ("Bad input"): exit status 2, a message on standard error naming the field and what is
wrong (for an unknown code, the closest valid codes), no traceback, nothing on standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


def _cli() -> list[str]:
    exe = Path(sys.executable).parent / "nutrispine"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from nutrispine.cli import main; main()"]


def run_cli(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return subprocess.run([*_cli(), *args], input=data, capture_output=True, timeout=60, env=os.environ.copy())


def ok_person(**extra: Any) -> dict[str, Any]:
    return {"person": {"age": 40, "sex": "female"}, **extra}


@dataclass
class Case:
    id: str
    body: Any  # a dict (written as JSON), or raw text/bytes written as-is
    must_mention: list[str]  # all must appear in stderr (case-insensitive)
    suggest: list[str] = field(default_factory=list)  # closest valid code(s) named in stderr
    suffix: str = ".json"
    xfail: str = ""  # a known engine bug (strict: the test must fail until it is fixed)


CASES = [
    # --- wrong types ---
    Case("age-string", {"person": {"age": "58", "sex": "female"}}, ["age"]),
    Case("age-boolean", {"person": {"age": True, "sex": "female"}}, ["age"]),
    Case("age-null", {"person": {"age": None, "sex": "female"}}, ["age"]),
    Case("age-list", {"person": {"age": [40], "sex": "female"}}, ["age"]),
    Case("sex-number", {"person": {"age": 40, "sex": 1}}, ["sex"]),
    Case("pregnant-string", {"person": {"age": 30, "sex": "female", "pregnant": "yes"}}, ["pregnant"]),
    Case("person-string", {"person": "Maria, 58"}, ["person"]),
    Case("symptoms-string", ok_person(symptoms="fatigue"), ["symptoms"]),
    Case("symptoms-number-item", ok_person(symptoms=[5]), ["symptoms"]),
    Case("severity-string", ok_person(pain={"severity": "high"}), ["severity"]),
    Case("regions-string", ok_person(pain={"regions": "neck"}), ["regions"]),
    Case("labs-mapping", ok_person(labs={"test": "vitamin_d_25oh", "value": 18, "unit": "ng/mL"}), ["labs"]),
    Case(
        "lab-value-string",
        ok_person(labs=[{"test": "vitamin_d_25oh", "value": "18", "unit": "ng/mL"}]),
        ["labs", "value"],
    ),
    Case(
        "supplement-amount-string",
        ok_person(supplements=[{"nutrient": "vitamin_d", "amount": "1000", "unit": "IU"}]),
        ["supplements", "amount"],
    ),
    Case("medications-string", ok_person(medications="metformin"), ["medications"]),
    Case(
        "diet-days-string",
        ok_person(diet={"days": "2 eggs, toast"}),
        ["diet"],
    ),
    Case("diet-day-not-list", ok_person(diet={"days": ["2 eggs"]}), ["diet"]),
    Case("diet-not-mapping", ok_person(diet="eggs"), ["diet"]),
    Case(
        "diet-item-amount-string",
        ok_person(diet={"days": [[{"food": "egg", "amount": "2", "unit": "large"}]]}),
        ["diet", "amount"],
    ),
    Case(
        "diet-item-amount-negative",
        ok_person(diet={"days": [[{"food": "egg", "amount": -2, "unit": "large"}]]}),
        ["diet", "amount"],
    ),
    Case("diet-entry-empty", ok_person(diet={"days": [["  "]]}), ["diet"]),
    Case(
        "lab-date-invalid",
        ok_person(labs=[{"test": "vitamin_d_25oh", "value": 18, "unit": "ng/mL", "date": "2026-13-01"}]),
        ["labs", "date"],
    ),
    Case(
        "loinc-contradicts-test",
        ok_person(labs=[{"test": "vitamin_d_25oh", "loinc": "2132-9", "value": 18, "unit": "ng/mL"}]),
        ["labs", "loinc"],
    ),
    Case(
        "supplement-without-unit",
        ok_person(supplements=[{"nutrient": "vitamin_d", "amount": 1000}]),
        ["supplements", "unit"],
    ),
    Case("medication-empty", ok_person(medications=[""]), ["medications"]),
    Case("weight-negative", {"person": {"age": 40, "sex": "female", "weight_kg": -70}}, ["weight"]),
    Case(
        "supplement-amount-nan-yaml",
        "person: {age: 40, sex: female}\nsupplements: [{nutrient: vitamin_d, amount: .nan, unit: IU}]\n",
        ["supplements", "amount"],
        suffix=".yaml",
    ),
    # --- unknown codes: the message suggests the closest valid one ---
    Case("unknown-symptom", ok_person(symptoms=["fatigeu"]), ["symptoms", "fatigeu"], ["fatigue"]),
    Case("unknown-red-flag", ok_person(symptoms=["saddle_anesthesa"]), ["symptoms"], ["saddle_anesthesia"]),
    Case("unknown-risk-factor", ok_person(risk_factors=["limited_sun"]), ["risk_factors"], ["limited_sun_exposure"]),
    Case("unknown-region", ok_person(pain={"regions": ["nek"]}), ["regions", "nek"], ["neck"]),
    Case(
        "unknown-supplement-nutrient",
        ok_person(supplements=[{"nutrient": "vitamin_d3", "amount": 1000, "unit": "IU"}]),
        ["supplements", "nutrient"],
        ["vitamin_d"],
    ),
    Case("unknown-diet", ok_person(preferences={"diet": "vegen"}), ["diet", "vegen"], ["vegan"]),
    Case("unknown-exclude", ok_person(preferences={"exclude": ["diary"]}), ["exclude", "diary"], ["dairy"]),
    Case("unknown-activity", ok_person(preferences={"activity": "moderat"}), ["activity"], ["moderate"]),
    Case("unknown-medication-typo", ok_person(medications=["metformine"]), ["medications"], ["metformin"]),
    Case(
        "unknown-lab-test",
        ok_person(labs=[{"test": "vitamin_d25", "value": 18, "unit": "ng/mL"}]),
        ["labs", "test"],
        ["vitamin_d_25oh"],
    ),
    Case(
        "unknown-loinc",
        ok_person(labs=[{"loinc": "9999-9", "value": 18, "unit": "ng/mL"}]),
        ["labs", "loinc", "9999-9"],
    ),
    Case("sex-unknown-word", {"person": {"age": 40, "sex": "femal"}}, ["sex"], ["female"]),
    # --- impossible values ---
    Case("age-negative", {"person": {"age": -3, "sex": "male"}}, ["age"]),
    Case("age-200", {"person": {"age": 200, "sex": "male"}}, ["age"]),
    Case("severity-14", ok_person(pain={"severity": 14}), ["severity"]),
    Case("severity-negative", ok_person(pain={"severity": -1}), ["severity"]),
    Case("duration-negative", ok_person(pain={"duration_weeks": -2}), ["duration"]),
    Case("lab-negative", ok_person(labs=[{"test": "vitamin_b12", "value": -180, "unit": "pg/mL"}]), ["labs", "value"]),
    Case(
        "supplement-negative",
        ok_person(supplements=[{"nutrient": "magnesium", "amount": -200, "unit": "mg"}]),
        ["supplements", "amount"],
    ),
    Case("male-pregnant", {"person": {"age": 40, "sex": "male", "pregnant": True}}, ["pregnant"]),
    Case("male-lactating", {"person": {"age": 40, "sex": "male", "lactating": True}}, ["lactating"]),
    Case("age-nan", '{"person": {"age": NaN, "sex": "female"}}', ["age"]),
    Case("age-infinity", '{"person": {"age": Infinity, "sex": "female"}}', ["age"]),
    Case(
        "lab-value-huge-inf",
        '{"person": {"age": 40, "sex": "female"}, "labs": [{"test": "magnesium", "value": 1e999, "unit": "mmol/L"}]}',
        ["labs", "value"],
    ),
    # --- units that do not fit ---
    Case(
        "vitamin-d-in-mg-dl",
        ok_person(labs=[{"test": "vitamin_d_25oh", "value": 18, "unit": "mg/dL"}]),
        ["labs", "unit", "mg/dL"],
    ),
    Case("b12-in-mmol-l", ok_person(labs=[{"test": "vitamin_b12", "value": 180, "unit": "mmol/L"}]), ["labs", "unit"]),
    Case("magnesium-in-pg-ml", ok_person(labs=[{"loinc": "19123-9", "value": 2, "unit": "pg/mL"}]), ["labs", "unit"]),
    Case("calcium-in-iu", ok_person(labs=[{"test": "calcium", "value": 9, "unit": "IU"}]), ["labs", "unit"]),
    Case("lab-without-unit", ok_person(labs=[{"test": "calcium", "value": 9}]), ["labs", "unit"]),
    Case("lab-without-test-or-loinc", ok_person(labs=[{"value": 9, "unit": "mg/dL"}]), ["labs"]),
    Case(
        "magnesium-supplement-in-iu",
        ok_person(supplements=[{"nutrient": "magnesium", "amount": 400, "unit": "IU"}]),
        ["supplements", "unit", "IU"],
    ),
    Case(
        "supplement-unit-tablets",
        ok_person(supplements=[{"nutrient": "calcium", "amount": 2, "unit": "tablets"}]),
        ["supplements", "unit"],
    ),
    # --- structure ---
    Case("missing-person", {"symptoms": ["fatigue"]}, ["person"]),
    Case("missing-sex", {"person": {"age": 40}}, ["sex"]),
    Case("missing-age", {"person": {"sex": "male"}}, ["age"]),
    Case("top-level-list", [{"person": {"age": 40, "sex": "female"}}], ["profile"]),
    Case("top-level-null", "null", ["profile"]),
    Case("yaml-scalar", "just some words\n", ["profile"], suffix=".yaml"),
    # --- unreadable text ---
    Case("malformed-json", '{"person": {"age": 40, "sex": "female"}', ["json"]),
    Case("malformed-json-trailing-comma", '{"person": {"age": 40, "sex": "female",}}', ["json"]),
    Case("malformed-yaml", "person:\n  age: 40\n   sex: female\n symptoms: [fatigue\n", ["yaml"], suffix=".yaml"),
    Case("empty-file", "", ["empty"]),
    Case("whitespace-only-file", "  \n\n", ["empty"], suffix=".yaml"),
    Case("not-utf8", b"\xff\xfe\x00person: \x81\x82", ["profile"], suffix=".yaml"),
]


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / f"input{case.suffix}"
    if isinstance(case.body, bytes):
        path.write_bytes(case.body)
    elif isinstance(case.body, str):
        path.write_text(case.body, encoding="utf-8")
    else:
        path.write_text(json.dumps(case.body), encoding="utf-8")
    return path


def assert_refused(proc: subprocess.CompletedProcess[bytes], mention: list[str], suggest: list[str]) -> str:
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {err[-2000:]}"
    assert out == "", f"something was written to stdout: {out[:500]}"
    assert "Traceback" not in err, err[-3000:]
    assert err.strip(), "no message on stderr"
    low = err.lower()
    for word in mention:
        assert word.lower() in low, f"stderr does not mention {word!r}: {err}"
    for code in suggest:
        assert code in err, f"stderr does not suggest {code!r}: {err}"
    return err


def test_enough_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def _params(cases: list[Case]) -> list[Any]:
    return [
        pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [])
        for c in cases
    ]


@pytest.mark.parametrize("case", _params(CASES))
def test_malformed_profile_is_refused(case: Case, tmp_path: Path) -> None:
    path = _write(tmp_path, case)
    assert_refused(run_cli("assess", str(path), "--format", "json"), case.must_mention, case.suggest)


# A sample of the same cases through standard input ("-"), where no file name can help.
STDIN_CASES = [
    c
    for c in CASES
    if c.id
    in {
        "age-string",
        "unknown-symptom",
        "severity-14",
        "vitamin-d-in-mg-dl",
        "male-pregnant",
        "malformed-json",
        "malformed-yaml",
        "empty-file",
        "top-level-list",
        "missing-sex",
        "not-utf8",
        "diet-days-string",
    }
]


@pytest.mark.parametrize("case", _params(STDIN_CASES))
def test_malformed_profile_on_stdin_is_refused(case: Case) -> None:
    body = case.body if isinstance(case.body, str | bytes) else json.dumps(case.body)
    assert_refused(run_cli("assess", "-", "--format", "json", stdin=body), case.must_mention, case.suggest)


@pytest.mark.parametrize("fmt", ["json", "text", "html"])
def test_refusal_is_the_same_in_every_format(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"person": {"age": 40, "sex": "female"}, "symptoms": ["fatigeu"]}), encoding="utf-8")
    assert_refused(run_cli("assess", str(path), "--format", fmt), ["symptoms"], ["fatigue"])


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-profile.yaml"
    assert_refused(run_cli("assess", str(missing), "--format", "json"), ["no-such-profile.yaml"], [])


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert_refused(run_cli("assess", str(tmp_path), "--format", "json"), [tmp_path.name], [])


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps({"person": {"age": -3, "sex": "female"}, "pain": {"severity": 14}, "symptoms": ["fatigeu"]}),
        encoding="utf-8",
    )
    assert_refused(run_cli("assess", str(path), "--format", "json"), ["age", "severity", "symptoms"], ["fatigue"])


def test_refused_profile_leaves_no_output_file(tmp_path: Path) -> None:
    """Never a partial result written: -o must not create (or clobber) the output file."""
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"person": {"age": 200, "sex": "male"}}), encoding="utf-8")
    out = tmp_path / "result.json"
    assert_refused(run_cli("assess", str(path), "--format", "json", "-o", str(out)), ["age"], [])
    assert not out.exists()
    out.write_text("previous result\n", encoding="utf-8")
    assert_refused(run_cli("assess", str(path), "--format", "json", "-o", str(out)), ["age"], [])
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json", "result.json"]


def test_implausible_but_possible_is_accepted_not_refused(tmp_path: Path) -> None:
    """The counterpart: 25(OH)D of 300 nmol/L is a warning, not an error."""
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(ok_person(labs=[{"test": "vitamin_d_25oh", "value": 300, "unit": "nmol/L"}])), encoding="utf-8"
    )
    proc = run_cli("assess", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    result = json.loads(proc.stdout)
    assert any(w["code"] == "implausible_value" and w.get("nutrient") == "vitamin_d" for w in result["warnings"])


def test_parse_profile_raises_input_error_with_problems() -> None:
    """The Python API gives the same information as structured problems."""
    from nutrispine.errors import InputError
    from nutrispine.profile import parse_profile

    with pytest.raises(InputError) as info:
        parse_profile({"person": {"age": 40, "sex": "female"}, "symptoms": ["fatigeu"], "pain": {"severity": 14}})
    problems = info.value.problems
    fields = [p.field for p in problems]
    assert any("symptoms" in f for f in fields) and any("severity" in f for f in fields)
    symptom = next(p for p in problems if "symptoms" in p.field)
    assert "fatigue" in symptom.suggestions
    assert all(p.message for p in problems)


def test_unknown_vitamin_d_scheme_is_an_input_error() -> None:
    from nutrispine.assess import assess
    from nutrispine.errors import InputError

    with pytest.raises(InputError) as info:
        assess({"person": {"age": 40, "sex": "female"}}, vitamin_d_cutoffs="endocrine2024")
    assert info.value.problems[0].field == "vitamin_d_cutoffs"
    assert "endocrine2011" in info.value.problems[0].suggestions


def test_unknown_vitamin_d_scheme_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(ok_person()), encoding="utf-8")
    proc = run_cli("assess", str(path), "--format", "json", "--vitamin-d-cutoffs", "endocrine2024")
    assert proc.returncode == 2 and proc.stdout == b""
    assert b"Traceback" not in proc.stderr and b"cutoffs" in proc.stderr
