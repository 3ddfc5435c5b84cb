"""`nutrispine assess` through the real console script: text, json and html output, -o, stdin."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from nutrispine.assess import assess

NUTRIENTS = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")

PROFILES: dict[str, dict[str, Any]] = {
    "emergency": {
        "person": {"age": 52, "sex": "male"},
        "pain": {"regions": ["lower_back"], "duration_weeks": 1, "severity": 8},
        "symptoms": ["saddle_anesthesia"],
    },
    "urgent": {"person": {"age": 35, "sex": "female"}, "pain": {"regions": ["lower_back"]}, "symptoms": ["fever"]},
    "routine": {
        "person": {"age": 42, "sex": "male"},
        "pain": {"regions": ["lower_back"], "duration_weeks": 10, "severity": 4},
    },
    "self_care": {
        "person": {"age": 30, "sex": "female"},
        "pain": {"regions": ["neck"], "duration_weeks": 2, "severity": 3},
    },
}

FULL = {
    "person": {"age": 58, "sex": "female", "pregnant": False, "lactating": False, "weight_kg": 70, "height_cm": 165},
    "pain": {"regions": ["neck", "lower_back"], "duration_weeks": 12, "severity": 6},
    "symptoms": ["fatigue", "muscle_cramps", "tingling"],
    "risk_factors": ["limited_sun_exposure", "vegan"],
    "medications": ["metformin", "omeprazole"],
    "supplements": [
        {"nutrient": "vitamin_d", "amount": 1000, "unit": "IU"},
        {"nutrient": "magnesium", "amount": 400, "unit": "mg"},
    ],
    "labs": [
        {"test": "vitamin_d_25oh", "value": 18, "unit": "ng/mL", "date": "2026-10-01"},
        {"loinc": "2132-9", "value": 180, "unit": "pg/mL"},
    ],
    "preferences": {"diet": "vegetarian", "exclude": ["nuts"], "dislikes": ["liver"], "activity": "light"},
}

XSS = "<script>alert(1)</script>"
HOSTILE = {
    "person": {"age": 40, "sex": "female"},
    "pain": {"regions": ["neck"], "duration_weeks": 2, "severity": 3},
    "diet": {"days": [[XSS, "1 cup milk"], [{"food": XSS, "amount": 1, "unit": "cup"}]]},
    "preferences": {"dislikes": [XSS, 'Tom & Jerry\'s "pie"']},
    # Text that is echoed back in warnings (an unlisted medicine, an unknown field):
    "medications": ["<img src=x onerror=alert(2)>"],
    "<script>alert(3)</script>": 1,
}


def _cli() -> list[str]:
    exe = Path(sys.executable).parent / "nutrispine"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from nutrispine.cli import main; main()"]


def run_cli(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    proc = subprocess.run(
        [*_cli(), *args], input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=60, env=env, cwd=cwd
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def write(tmp_path: Path, data: Any, name: str = "profile.json") -> Path:
    path = tmp_path / name
    text = (
        yaml.safe_dump(data, allow_unicode=True)
        if name.endswith((".yaml", ".yml"))
        else json.dumps(data, ensure_ascii=False)
    )
    path.write_text(text, encoding="utf-8")
    return path


def api_json(data: Any, **options: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        json.dumps(assess(json.loads(json.dumps(data)), **options).to_dict(), ensure_ascii=False)
    )
    return result


def plain(text: str) -> str:
    """Rich text without box-drawing characters, whitespace collapsed (wrapping varies)."""
    text = re.sub(r"[│┃╭╮╰╯─━┏┓┗┛═║╔╗╚╝]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# --- text -------------------------------------------------------------------------------------

LEVEL_WORDS = {
    "emergency": r"emergency",
    "urgent": r"urgent|within a day",
    "routine": r"routine|appointment",
    "self_care": r"self[-_ ]?care",
}


@pytest.mark.parametrize("level", list(PROFILES))
def test_text_starts_with_the_triage_and_ends_with_the_disclaimer(level: str, tmp_path: Path) -> None:
    data = PROFILES[level]
    assert api_json(data)["triage"]["level"] == level  # the profile really is this level
    proc = run_cli("assess", str(write(tmp_path, data)))
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in (plain(x) for x in proc.stdout.splitlines()) if ln]
    head = " ".join(lines[:3]).lower()
    assert re.search(LEVEL_WORDS[level], head), f"triage not first: {lines[:3]}"
    first_nutrient = min(
        (
            i
            for i, ln in enumerate(lines)
            for name in ("vitamin d", "magnesium", "vitamin b12", "calcium")
            if name in ln.lower()
        ),
        default=len(lines),
    )
    assert first_nutrient >= 2, "a nutrient is shown before the triage"
    disclaimer = api_json(data)["disclaimer"]
    assert plain(disclaimer) in plain(proc.stdout)


def test_text_is_the_default_format(tmp_path: Path) -> None:
    path = write(tmp_path, PROFILES["urgent"])
    assert run_cli("assess", str(path)).stdout == run_cli("assess", str(path), "--format", "text").stdout



def test_text_prints_brackets_in_data_as_written(tmp_path: Path) -> None:
    """Texts come from data and from the user: "[red]" must not be read as a Rich style tag."""
    path = write(tmp_path, {**PROFILES["self_care"], "[red]notes[/red]": "x"})
    out = run_cli("assess", str(path)).stdout
    assert "[red]notes[/red]" in out


# --- json -------------------------------------------------------------------------------------


def test_json_matches_the_contract_shape(tmp_path: Path) -> None:
    proc = run_cli("assess", str(write(tmp_path, FULL)), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"triage", "nutrients", "warnings", "disclaimer"} <= set(out)
    assert out["triage"]["level"] in ("emergency", "urgent", "routine", "self_care")
    assert isinstance(out["triage"]["advice"], str) and out["triage"]["advice"]
    assert all({"code", "text"} <= set(r) for r in out["triage"]["reasons"])
    assert set(NUTRIENTS) <= set(out["nutrients"])
    for n in NUTRIENTS:
        nut = out["nutrients"][n]
        assert {"likelihood", "lab", "supplement_per_day", "evidence", "pain_link", "next_steps", "foods"} <= set(
            nut
        ), n
        assert nut["likelihood"] in ("high", "moderate", "low")
        assert {"status", "value", "unit", "value_si", "unit_si"} <= set(nut["lab"])
        for ev in nut["evidence"]:
            assert {"factor", "effect", "text", "source"} <= set(ev)
            assert ev["effect"] in ("raises", "lowers")
        assert isinstance(nut["pain_link"], str) and nut["pain_link"]
        assert isinstance(nut["next_steps"], list) and isinstance(nut["foods"], list)
    vd = out["nutrients"]["vitamin_d"]["lab"]
    assert (vd["status"], vd["value"], vd["unit"], vd["unit_si"]) == ("borderline", 18, "ng/mL", "nmol/L")
    assert vd["value_si"] == pytest.approx(44.93, abs=0.06)  # 18 x 2.496
    assert out["nutrients"]["vitamin_d"]["supplement_per_day"] == pytest.approx(25.0)  # 1000 IU / 40
    b12 = out["nutrients"]["vitamin_b12"]["lab"]
    assert b12["status"] == "deficient" and b12["value_si"] == pytest.approx(132.8, abs=0.06)  # 180 x 0.7378
    assert all({"code", "text"} <= set(w) for w in out["warnings"])
    assert any(w["code"] == "above_upper_limit" and w.get("nutrient") == "magnesium" for w in out["warnings"])
    assert isinstance(out["disclaimer"], str) and out["disclaimer"].strip()


def test_json_is_identical_to_the_python_api_and_deterministic(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    first = run_cli("assess", str(path), "--format", "json").stdout
    second = run_cli("assess", str(path), "--format", "json").stdout
    assert first == second
    assert json.loads(first) == api_json(FULL)


def test_json_keeps_micro_sign_readable(tmp_path: Path) -> None:
    data = {
        "person": {"age": 40, "sex": "male"},
        "supplements": [{"nutrient": "vitamin_b12", "amount": 500, "unit": "µg"}],
    }
    proc = run_cli("assess", str(write(tmp_path, data)), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["nutrients"]["vitamin_b12"]["supplement_per_day"] == pytest.approx(500)


def test_vitamin_d_cutoffs_option(tmp_path: Path) -> None:
    data = {"person": {"age": 50, "sex": "female"}, "labs": [{"test": "vitamin_d_25oh", "value": 60, "unit": "nmol/L"}]}
    path = write(tmp_path, data)
    default = json.loads(run_cli("assess", str(path), "--format", "json").stdout)
    endo = json.loads(run_cli("assess", str(path), "--format", "json", "--vitamin-d-cutoffs", "endocrine2011").stdout)
    assert default["nutrients"]["vitamin_d"]["lab"]["status"] == "adequate"
    assert endo["nutrients"]["vitamin_d"]["lab"]["status"] == "borderline"


# --- html -------------------------------------------------------------------------------------


def _assert_self_contained(html: str) -> None:
    low = html.lower()
    assert low.lstrip().startswith("<!doctype html")
    assert low.count("<html") == 1 and low.count("</html>") == 1
    assert low.rstrip().endswith("</html>")
    assert not re.search(r"<script[^>]*\bsrc\s*=", low), "external script"
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", low), "external stylesheet or resource"
    assert not re.search(r"<(img|iframe|embed|object|source)[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", low), "external media"
    assert not re.search(r"@import|url\(\s*[\"']?(https?:)?//", low), "external CSS import"


@pytest.mark.parametrize("level", list(PROFILES))
def test_html_is_one_self_contained_document(level: str, tmp_path: Path) -> None:
    proc = run_cli("assess", str(write(tmp_path, PROFILES[level])), "--format", "html")
    assert proc.returncode == 0, proc.stderr
    _assert_self_contained(proc.stdout)
    assert "<style" in proc.stdout.lower(), "styles should be inline so the page prints well offline"
    assert plain(api_json(PROFILES[level])["disclaimer"])[:60] in plain(proc.stdout)


def test_html_escapes_user_text(tmp_path: Path) -> None:
    proc = run_cli("assess", str(write(tmp_path, HOSTILE)), "--format", "html")
    assert proc.returncode == 0, proc.stderr
    html = proc.stdout
    _assert_self_contained(html)
    assert XSS not in html
    assert "<script>alert" not in html.lower()
    assert "<img src=x" not in html.lower()
    # Text that is echoed (the unlisted medicine) appears escaped, not dropped silently as markup:
    if "onerror" in html:
        assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_html_full_profile(tmp_path: Path) -> None:
    proc = run_cli("assess", str(write(tmp_path, FULL)), "--format", "html")
    assert proc.returncode == 0, proc.stderr
    _assert_self_contained(proc.stdout)
    for name in ("Vitamin D", "Magnesium", "B12", "Calcium"):
        assert name.lower() in proc.stdout.lower()


# --- -o FILE ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "text", "html"])
def test_output_file_gets_exactly_what_stdout_would(fmt: str, tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    expected = run_cli("assess", str(path), "--format", fmt).stdout
    out = tmp_path / "out" / f"result.{fmt}"
    out.parent.mkdir()
    proc = run_cli("assess", str(path), "--format", fmt, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    written = out.read_text(encoding="utf-8")
    if fmt == "text":  # same words; a file may be rendered without terminal styling
        assert plain(written) == plain(expected)
    else:
        assert written == expected
    assert [p.name for p in out.parent.iterdir()] == [out.name], "temporary files left behind"


def test_output_file_is_replaced_atomically(tmp_path: Path) -> None:
    """The old file is replaced by rename (a new inode), never truncated and rewritten in place:
    a reader holding the old file, or a crash mid-write, never sees a half-written result."""
    path = write(tmp_path, FULL)
    out = tmp_path / "result.json"
    out.write_text("old result\n", encoding="utf-8")
    keep = tmp_path / "old-link.json"
    os.link(out, keep)  # a second name for the old inode
    proc = run_cli("assess", str(path), "--format", "json", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert keep.read_text(encoding="utf-8") == "old result\n", "the old file was rewritten in place"
    assert json.loads(out.read_text(encoding="utf-8")) == api_json(FULL)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old-link.json", "profile.json", "result.json"]


def test_output_file_in_new_directory(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "result.json"
    proc = run_cli("assess", str(write(tmp_path, FULL)), "--format", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["triage"]["level"] == "routine"


# --- standard input ---------------------------------------------------------------------------


@pytest.mark.parametrize("as_yaml", [False, True], ids=["json", "yaml"])
def test_stdin_gives_the_same_result_as_a_file(as_yaml: bool, tmp_path: Path) -> None:
    text = yaml.safe_dump(FULL, allow_unicode=True) if as_yaml else json.dumps(FULL)
    from_stdin = run_cli("assess", "-", "--format", "json", stdin=text)
    assert from_stdin.returncode == 0, from_stdin.stderr
    from_file = run_cli("assess", str(write(tmp_path, FULL, "p.yaml" if as_yaml else "p.json")), "--format", "json")
    assert from_stdin.stdout == from_file.stdout


def test_stdin_text_format(tmp_path: Path) -> None:
    proc = run_cli("assess", "-", stdin=json.dumps(PROFILES["emergency"]))
    assert proc.returncode == 0, proc.stderr
    assert "emergency" in " ".join(plain(proc.stdout).split()[:12]).lower()


def test_yaml_file_with_comments_and_unicode(tmp_path: Path) -> None:
    path = tmp_path / "maria.yml"
    path.write_text(
        "# Maria: neck pain\nperson: {age: 58, sex: female}\n"
        "supplements:\n  - {nutrient: vitamin_d, amount: 25, unit: µg}  # 1000 IU\n"
        "labs:\n  - {test: homocysteine, value: 18, unit: µmol/L}\n",
        encoding="utf-8",
    )
    proc = run_cli("assess", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["nutrients"]["vitamin_d"]["supplement_per_day"] == pytest.approx(25)


# --- with a (tiny, hand-written) food database --------------------------------------------------

@pytest.fixture
def food_home(mini_sr: Path) -> Path:
    """Import the hand-written SR fixture (tests/conftest.py) into this test's NUTRISPINE_HOME."""
    proc = run_cli("foods", "import", str(mini_sr))
    assert proc.returncode == 0, proc.stderr
    return Path(os.environ["NUTRISPINE_HOME"])


def test_intake_is_the_food_only_mean_per_day(food_home: Path, tmp_path: Path) -> None:
    """Contract: intake = mean per day over the days, food only; supplements are reported apart.
    Expected from the fixture's own numbers (per 100 g; gram weights from WEIGHT.txt):
      day 1: 1 cup 2% milk (244 g: Ca 120, Mg 11, D 1.2 µg, B12 0.53) + 2 large eggs (100 g: Ca 56,
             Mg 12, D 2.0, B12 0.89); day 2: 1 cup cooked spinach (180 g: Ca 136, Mg 87) + 1 oz
             almonds (28.35 g: Ca 269, Mg 270)."""
    data = {
        "person": {"age": 40, "sex": "female"},
        "supplements": [{"nutrient": "vitamin_d", "amount": 1000, "unit": "IU"}],
        "diet": {
            "days": [
                ["1 cup 2% milk", "2 large eggs"],
                [{"food": "spinach, cooked", "amount": 1, "unit": "cup"}, "1 oz almonds"],
            ]
        },
    }
    proc = run_cli("assess", str(write(tmp_path, data)), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    day1 = {
        "calcium": 2.44 * 120 + 56,
        "magnesium": 2.44 * 11 + 12,
        "vitamin_d": 2.44 * 1.2 + 2.0,
        "vitamin_b12": 2.44 * 0.53 + 0.89,
    }
    day2 = {
        "calcium": 1.8 * 136 + 0.2835 * 269,
        "magnesium": 1.8 * 87 + 0.2835 * 270,
        "vitamin_d": 0.0,
        "vitamin_b12": 0.0,
    }
    for n, unit in (("calcium", "mg"), ("magnesium", "mg"), ("vitamin_d", "µg"), ("vitamin_b12", "µg")):
        intake = out["nutrients"][n]["intake"]
        assert intake["days"] == 2
        assert intake["unit"] == unit
        assert intake["per_day"] == pytest.approx((day1[n] + day2[n]) / 2, rel=0.01, abs=0.02), n
    assert out["nutrients"]["vitamin_d"]["supplement_per_day"] == pytest.approx(25.0)
    assert out["nutrients"]["calcium"]["intake"]["rda"] == pytest.approx(1000)
    assert out["nutrients"]["calcium"]["intake"]["ul"] == pytest.approx(2500)


def test_hostile_food_names_are_escaped_with_a_food_database(food_home: Path, tmp_path: Path) -> None:
    proc = run_cli("assess", str(write(tmp_path, HOSTILE)), "--format", "html")
    assert proc.returncode == 0, proc.stderr
    _assert_self_contained(proc.stdout)
    assert XSS not in proc.stdout
    assert "<script>alert" not in proc.stdout.lower()
    text = run_cli("assess", str(write(tmp_path, HOSTILE)), "--format", "text")
    assert text.returncode == 0, text.stderr


def test_twenty_cups_of_milk_is_accepted_with_a_warning(food_home: Path, tmp_path: Path) -> None:
    data = {"person": {"age": 40, "sex": "female"}, "diet": {"days": [["20 cups 2% milk"]]}}
    proc = run_cli("assess", str(write(tmp_path, data)), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert any(w["code"] == "implausible_value" for w in out["warnings"])


def test_food_alone_above_a_total_intake_upper_limit_is_warned(food_home: Path, tmp_path: Path) -> None:
    """20 cups of 2% milk: 4880 g x 120 mg/100 g = 5856 mg calcium a day, above the 2500 mg UL, which
    for calcium covers food and supplements together (IOM 2011; facts.md A4)."""
    data = {"person": {"age": 40, "sex": "female"}, "diet": {"days": [["20 cups 2% milk"]]}}
    out = json.loads(run_cli("assess", str(write(tmp_path, data)), "--format", "json").stdout)
    assert out["nutrients"]["calcium"]["intake"]["per_day"] == pytest.approx(5856, rel=0.01)
    assert any(w["code"] == "above_upper_limit" and w.get("nutrient") == "calcium" for w in out["warnings"])


UL_WITH_FOOD = [
    # (food, supplement, nutrient, above the UL?) - fixture values per 100 g; facts.md A2 and A1/A4.
    # Magnesium's UL (350 mg) counts supplements only: 5 oz almonds (141.75 g x 270 = 382.7 mg) + 300 mg
    # of supplement is NOT above it.
    ("5 oz almonds", {"nutrient": "magnesium", "amount": 300, "unit": "mg"}, "magnesium", False),
    # Vitamin D's UL counts food too: 3 oz salmon (85 g x 14.2 = 12.1 µg) + 4000 IU (100 µg) = 112 µg.
    ("3 oz cooked salmon", {"nutrient": "vitamin_d", "amount": 4000, "unit": "IU"}, "vitamin_d", True),
    # Calcium too: 8 cups 2% milk (1952 g x 120 = 2342 mg) + 500 mg = 2842 mg > 2500 mg.
    ("8 cups 2% milk", {"nutrient": "calcium", "amount": 500, "unit": "mg"}, "calcium", True),
]


@pytest.mark.parametrize(("food", "supplement", "nutrient", "above"), UL_WITH_FOOD)
def test_upper_limit_counts_food_only_where_the_ul_does(
    food: str, supplement: dict[str, Any], nutrient: str, above: bool, food_home: Path, tmp_path: Path
) -> None:
    data = {"person": {"age": 40, "sex": "female"}, "diet": {"days": [[food]]}, "supplements": [supplement]}
    out = json.loads(run_cli("assess", str(write(tmp_path, data)), "--format", "json").stdout)
    assert out["nutrients"][nutrient]["intake"]["per_day"] > 0, "the food was not counted"
    hit = any(w["code"] == "above_upper_limit" and w.get("nutrient") == nutrient for w in out["warnings"])
    assert hit is above, out["warnings"]
