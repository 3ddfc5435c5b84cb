"""Survey-weighted prevalence: NHANES validation against published estimates, the JSON shape,
domains, unweighted files, charts and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from nutrispine.batch import labs
from nutrispine.batch import prevalence as prev
from nutrispine.batch.nhanes import import_nhanes
from nutrispine.cli import app

runner = CliRunner()

# Herrick et al., Am J Clin Nutr 2019;110:150, Table 1 (NHANES 2011-2014; we have 2013-2016,
# so close, not equal): % below 30 nmol/L and % at 30-49 nmol/L.
HERRICK = {"all": (5.0, 18.3), "1-5": (0.5, 6.6), "6-11": (1.4, 12.3), "12-19": (4.8, 22.7),
           "20-39": (7.6, 23.8), "40-59": (5.7, 18.6), "60+": (2.9, 12.3)}


@pytest.fixture(scope="module")
def people(nhanes_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = [nhanes_dir / f for f in ("DEMO_H.XPT", "VID_H.XPT", "DEMO_I.XPT", "VID_I.XPT")]
    table, _ = import_nhanes(files)
    path = tmp_path_factory.mktemp("nhanes") / "people.parquet"
    table.write_parquet(path)
    return path


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["batch", "prevalence", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_vitamin_d_agrees_with_herrick_2019(people: Path) -> None:
    out = _json(str(people), "--nutrient", "vitamin_d", "--min-age", "1")
    assert set(out) >= {"n", "weighted", "status"}
    assert out["weighted"] is True
    assert set(out["status"]) == {"deficient", "borderline", "adequate", "high"}
    for block in out["status"].values():
        assert set(block) == {"percent", "se", "ci95"}
    deficient, borderline = out["status"]["deficient"], out["status"]["borderline"]
    assert deficient["percent"] == pytest.approx(HERRICK["all"][0], abs=0.8)
    assert borderline["percent"] == pytest.approx(HERRICK["all"][1], abs=1.2)
    # inside the published 95% CIs (4.1-6.2 and 16.2-20.6)
    assert 4.1 <= deficient["percent"] <= 6.2
    assert 16.2 <= borderline["percent"] <= 20.6
    assert sum(s["percent"] for s in out["status"].values()) == pytest.approx(100, abs=0.05)
    # SEs of the size the design implies: far above simple random sampling (design effect of
    # NHANES 25(OH)D estimates is several), and within the half-width of the published CI.
    p = deficient["percent"] / 100
    srs = 100 * math.sqrt(p * (1 - p) / out["n"])
    assert 1.5 < (deficient["se"] / srs) ** 2 < 20
    assert 0.3 < deficient["se"] < 0.8
    assert 0.6 < borderline["se"] < 1.6
    low, high = deficient["ci95"]
    assert low < deficient["percent"] < high
    assert high - deficient["percent"] > deficient["percent"] - low  # Korn-Graubard is skewed


def test_age_groups_agree_with_herrick_2019(people: Path) -> None:
    out = _json(str(people), "--nutrient", "vitamin_d", "--min-age", "1", "--by", "age_group")
    groups = {g["age_group"]: g for g in out["groups"]}
    assert list(groups) == ["1-5", "6-11", "12-19", "20-39", "40-59", "60+"]
    for label, (below30, band30_49) in HERRICK.items():
        if label == "all":
            continue
        status = groups[label]["status"]
        assert status["deficient"]["percent"] == pytest.approx(below30, abs=1.0), label
        assert status["borderline"]["percent"] == pytest.approx(band30_49, abs=2.0), label
        assert status["deficient"]["se"] > 0


def test_a_domain_is_not_a_dropped_subset(people: Path) -> None:
    """--sex female gives the same estimate as the female group of --by sex (both domains)."""
    alone = _json(str(people), "--nutrient", "vitamin_d", "--sex", "female", "--min-age", "20")
    grouped = _json(str(people), "--nutrient", "vitamin_d", "--min-age", "20", "--by", "sex")
    female = next(g for g in grouped["groups"] if g["sex"] == "female")
    assert alone["n"] == female["n"]
    assert alone["status"] == female["status"]


def test_unweighted_file_and_text_output(tmp_path: Path) -> None:
    path = tmp_path / "labs.csv"
    values = [20, 40, 40, 60, 60, 60, 60, 70, 80, 130]
    pl.DataFrame({"id": range(10), "age": [40.0] * 10, "sex": ["female"] * 10,
                  "vitamin_d_25oh_value": values, "vitamin_d_25oh_unit": ["nmol/L"] * 10}
                 ).write_csv(path)
    out = _json(str(path), "--nutrient", "vitamin_d")
    assert out["weighted"] is False
    assert out["n"] == 10
    assert out["status"]["borderline"]["percent"] == 20.0
    assert out["status"]["deficient"]["se"] == pytest.approx(100 * math.sqrt(0.1 * 0.9 / 9),
                                                             abs=0.01)
    text = runner.invoke(app, ["batch", "prevalence", str(path), "--nutrient", "vitamin_d"])
    assert text.exit_code == 0
    assert "deficient" in text.stdout
    assert "unweighted" in text.stdout


def test_status_uses_the_reported_unit_cutoffs(tmp_path: Path) -> None:
    # 12 ng/mL is at the published ng/mL cut-off (not deficient), although 12 x 2.496 = 29.95
    # nmol/L is below 30: the knowledge base classifies in the unit reported.
    frame = pl.DataFrame({"vitamin_d_25oh_value": [12.0, 11.9], "vitamin_d_25oh_unit":
                          ["ng/mL", "ng/ml"]})
    table = prev.load_population(frame, "vitamin_d", [])
    assert [labs.CODES[c] for c in table["status"]] == ["borderline", "deficient"]


def test_bad_input_exits_2(people: Path, tmp_path: Path) -> None:
    cases = [
        ["batch", "prevalence", str(people), "--nutrient", "vitamin_e"],
        ["batch", "prevalence", str(people), "--nutrient", "vitamin_d", "--by", "colour"],
        ["batch", "prevalence", str(tmp_path / "none.parquet"), "--nutrient", "vitamin_d"],
        ["batch", "prevalence", str(tmp_path / "x.txt"), "--nutrient", "vitamin_d"],
        ["batch", "prevalence", str(people), "--nutrient", "calcium"],  # no calcium in the file
        ["batch", "prevalence", str(people), "--nutrient", "vitamin_d", "--min-age", "200"],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    assert "vitamin_d" in runner.invoke(app, cases[0]).output  # suggestion


def test_report_writes_charts_and_html(people: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = runner.invoke(app, ["batch", "report", str(people), "--nutrient", "vitamin_d",
                                 "--min-age", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("distribution.png", "prevalence.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "report.html").read_text()
    assert "data:image/png;base64," in page
    assert "Korn-Graubard" in page
