"""NHANES import: merge on SEQN, tiny-zero rounding, cycle weights, bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from typer.testing import CliRunner

from nutrispine.batch.nhanes import import_nhanes, read_xpt
from nutrispine.errors import InputError


def test_two_cycles_merge_and_halve_the_weights(nhanes_dir: Path) -> None:
    files = [nhanes_dir / f for f in ("DEMO_H.XPT", "VID_H.XPT", "DEMO_I.XPT", "VID_I.XPT")]
    table, summary = import_nhanes(files)
    demo = pd.read_sas(nhanes_dir / "DEMO_H.XPT", format="xport")
    vid = pd.read_sas(nhanes_dir / "VID_H.XPT", format="xport")
    assert summary.cycles == ["2013-2014", "2015-2016"]
    assert table.height == len(demo) + len(pd.read_sas(nhanes_dir / "DEMO_I.XPT", format="xport"))
    assert table["id"].is_unique().all()
    seqn = int(vid.dropna(subset=["LBXVIDMS"]).iloc[10]["SEQN"])
    row = table.filter(pl.col("id") == seqn).row(0, named=True)
    source = demo.set_index("SEQN").loc[seqn]
    assert row["weight"] == pytest.approx(source["WTMEC2YR"] / 2)
    assert row["age"] == source["RIDAGEYR"]
    assert row["sex"] == {1.0: "male", 2.0: "female"}[source["RIAGENDR"]]
    assert (row["psu"], row["stratum"]) == (source["SDMVPSU"], source["SDMVSTRA"])
    assert row["vitamin_d_25oh_value"] == pytest.approx(vid.set_index("SEQN").loc[seqn, "LBXVIDMS"])
    assert row["vitamin_d_25oh_unit"] == "nmol/L"
    # people without a lab value keep their row (domain estimation) with no unit
    missing = table.filter(pl.col("vitamin_d_25oh_value").is_null())
    assert missing.height > 0
    assert missing["vitamin_d_25oh_unit"].null_count() == missing.height


def test_prepandemic_cycle_uses_its_own_weight_and_biochemistry(nhanes_dir: Path) -> None:
    table, summary = import_nhanes([nhanes_dir / "P_DEMO.XPT", nhanes_dir / "P_BIOPRO.XPT"])
    assert summary.cycles == ["2017-2020"]
    assert set(summary.tests) == {"calcium", "albumin"}
    demo = pd.read_sas(nhanes_dir / "P_DEMO.XPT", format="xport")
    assert table["weight"].sum() == pytest.approx(demo["WTMECPRP"].sum())
    units = table.select(pl.col("calcium_unit").drop_nulls().unique()).to_series().to_list()
    assert units == ["mg/dL"]
    assert table["albumin_unit"].drop_nulls().unique().to_list() == ["g/dL"]
    # pregnancy coded 1 yes / 2 no / 3 unknown -> True / False / null
    assert set(table["pregnant"].unique().to_list()) <= {True, False, None}
    assert table.filter(pl.col("pregnant"))["sex"].unique().to_list() == ["female"]


def test_sas_tiny_zeros_are_rounded(nhanes_dir: Path) -> None:
    raw = pd.read_sas(nhanes_dir / "VID_H.XPT", format="xport")["LBDVIDLC"].to_numpy()
    assert np.any((raw > 0) & (raw < 1e-70)), "expected the XPORT 5.4e-79 zeros in the raw file"
    clean = read_xpt(nhanes_dir / "VID_H.XPT")["LBDVIDLC"].to_numpy()
    assert not np.any((clean > 0) & (clean < 1e-70))
    assert np.any(clean == 0)


def test_bad_files_are_input_errors(tmp_path: Path, nhanes_dir: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        import_nhanes([tmp_path / "nope.XPT"])
    junk = tmp_path / "junk.XPT"
    junk.write_text("not a transport file")
    with pytest.raises(InputError, match="XPT"):
        import_nhanes([junk])
    with pytest.raises(InputError, match="no demographics"):
        import_nhanes([nhanes_dir / "VID_H.XPT"])
    with pytest.raises(InputError, match="twice"):
        import_nhanes([nhanes_dir / "DEMO_H.XPT", nhanes_dir / "DEMO_H.XPT"])


def test_cli_writes_parquet_and_reports_errors(tmp_path: Path, nhanes_dir: Path) -> None:
    from nutrispine.cli import app

    out = tmp_path / "people.parquet"
    runner = CliRunner()
    result = runner.invoke(app, ["batch", "nhanes", str(nhanes_dir / "DEMO_H.XPT"),
                                 str(nhanes_dir / "VID_H.XPT"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out)
    assert {"id", "age", "sex", "weight", "psu", "stratum", "vitamin_d_25oh_value"} <= set(
        table.columns)
    bad = runner.invoke(app, ["batch", "nhanes", str(tmp_path / "missing.XPT"),
                              "--out", str(tmp_path / "x.parquet")])
    assert bad.exit_code == 2
    assert "error:" in bad.output
    assert "Traceback" not in bad.output
