"""``nutrispine batch screen`` with the embedded engine: the example file, CSV spellings,
streaming over row groups, row problems and input errors."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from nutrispine.assess import assess
from nutrispine.batch.screen import output_columns, screen_file, screen_frame
from nutrispine.batch.synthetic import population, write_parquet
from nutrispine.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "batch" / "people.csv"
runner = CliRunner()


def test_example_file_screens_like_assess(tmp_path: Path) -> None:
    out = tmp_path / "screened.parquet"
    result = runner.invoke(app, ["batch", "screen", str(EXAMPLE), "--out", str(out),
                                 "--reasons", "--probability"])
    assert result.exit_code == 0, result.output
    assert "1 rows with a problem" in result.output
    table = pl.read_parquet(out)
    assert table.columns == output_columns(reasons=True, probability=True)
    rows = {r["id"]: r for r in table.iter_rows(named=True)}
    assert list(rows) == [f"P{i:03d}" for i in range(1, 11)]
    # P001 is the contract's example person (labs, medicines, supplement): same as assess
    p001 = assess({
        "person": {"age": 58, "sex": "female"},
        "pain": {"regions": ["neck", "lower_back"], "duration_weeks": 12, "severity": 6},
        "symptoms": ["fatigue", "muscle_cramps", "tingling"],
        "risk_factors": ["limited_sun_exposure", "vegan", "postmenopausal"],
        "medications": ["metformin", "omeprazole"],
        "supplements": [{"nutrient": "vitamin_d", "amount": 25, "unit": "µg"}],
        "labs": [{"test": "vitamin_d_25oh", "value": 18, "unit": "ng/mL"},
                 {"test": "vitamin_b12", "value": 180, "unit": "pg/mL"}],
    }).to_dict()
    assert rows["P001"]["triage_level"] == p001["triage"]["level"]
    for n, block in p001["nutrients"].items():
        assert rows["P001"][f"{n}_likelihood"] == block["likelihood"]
        assert rows["P001"][f"{n}_lab_status"] == block["lab"]["status"]
    assert rows["P003"]["triage_level"] == "emergency"  # saddle anaesthesia
    assert rows["P003"]["triage_reasons"].startswith("saddle_anesthesia")
    assert rows["P007"]["triage_level"] == "urgent"  # fever
    assert rows["P010"]["triage_level"] is None
    assert "age" in rows["P010"]["problem"]
    assert "vitamin_d_25oh_unit" in rows["P010"]["problem"]


def test_csv_spellings_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "age,sex,symptom_fever,risk_vegan,vitamin_d_25oh_value,vitamin_d_25oh_unit\n"
        "40,F,Yes,1,11,NG/ML\n"
        "40, male ,no,0,30,nmol / L\n"
        "40,female,maybe,,,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert screen_file(path, out) == 3
    table = pl.read_csv(out)
    assert table["id"].to_list() == [0, 1, 2]  # row numbers when there is no id column
    assert table["triage_level"].to_list()[:2] == ["urgent", "self_care"]
    assert table["vitamin_d_lab_status"].to_list()[:2] == ["deficient", "borderline"]
    assert table["problem"].to_list()[2] == "symptom_fever: must be true or false"


@pytest.mark.parametrize("with_ids", [True, False])
def test_streamed_file_equals_in_memory(tmp_path: Path, with_ids: bool) -> None:
    source = tmp_path / "people.parquet"
    write_parquet(source, 30_000, chunk=7_000, seed=3)  # several row groups
    if not with_ids:  # row-number ids must continue across the streaming engine's morsels
        pl.read_parquet(source).drop("id").write_parquet(source, row_group_size=7_000)
    out = tmp_path / "out.parquet"
    assert screen_file(source, out) == 30_000
    expected = screen_frame(pl.read_parquet(source))
    assert pl.read_parquet(out).equals(expected)
    csv_out = tmp_path / "out.csv"  # CSV input goes through the streaming engine
    pl.read_parquet(source).write_csv(tmp_path / "people.csv")
    assert screen_file(tmp_path / "people.csv", csv_out) == 30_000
    assert pl.read_csv(csv_out)["vitamin_d_lab_status"].equals(
        expected["vitamin_d_lab_status"].cast(pl.String))


def test_endocrine_cutoffs_option(tmp_path: Path) -> None:
    frame = population(50, seed=5).with_columns(
        pl.lit(60.0).alias("vitamin_d_25oh_value"), pl.lit("nmol/L").alias("vitamin_d_25oh_unit"))
    path = tmp_path / "in.parquet"
    frame.write_parquet(path)
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["batch", "screen", str(path), "--out", str(out),
                                 "--vitamin-d-cutoffs", "endocrine2011"])
    assert result.exit_code == 0, result.output
    statuses = pl.read_parquet(out)["vitamin_d_lab_status"].drop_nulls().unique().to_list()
    assert statuses == ["borderline"]  # 60 nmol/L: adequate by NAM 2011, borderline by ES 2011


@pytest.mark.parametrize(("header", "message"), [
    ("sex,symptom_fever\nfemale,yes\n", "age: required column is missing"),
    ("age,sex,symptom_fevr\n40,female,yes\n", "symptom_fevr: unknown column"),
    ("age,sex,vitamin_d_value\n40,female,20\n", "vitamin_d_value: unknown column"),
])
def test_structural_errors_exit_2_without_output(tmp_path: Path, header: str, message: str
                                                 ) -> None:
    path = tmp_path / "in.csv"
    path.write_text(header, encoding="utf-8")
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["batch", "screen", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path]  # no partial file left behind


def test_bad_paths_exit_2(tmp_path: Path) -> None:
    for args in (["batch", "screen", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o.csv")],
                 ["batch", "screen", str(EXAMPLE), "--out", str(tmp_path / "o.txt")],
                 ["batch", "screen", str(EXAMPLE), "--out", str(tmp_path / "o.csv"),
                  "--vitamin-d-cutoffs", "holick"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert "error:" in result.output


def test_any_morsel_boundary_gives_the_same_rows() -> None:
    """The streaming engine hands the rules morsels that start anywhere (bitmaps then start in
    the middle of a byte) and may be made of several chunks, or empty."""
    frame = population(60, seed=8)
    whole = screen_frame(frame, reasons=True, probability=True)
    chunked = pl.concat([frame.slice(3, 20), frame.slice(23, 37)], rechunk=False)
    assert chunked.n_chunks() == 2
    assert screen_frame(chunked, reasons=True, probability=True).equals(whole.slice(3))
    assert screen_frame(frame.slice(5, 41), reasons=True, probability=True).equals(
        whole.slice(5, 41))
    assert screen_frame(frame.head(0)).height == 0
