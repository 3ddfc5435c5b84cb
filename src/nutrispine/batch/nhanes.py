"""Import NHANES public-use SAS transport files into the batch schema.

Why: NHANES is the reference population for US nutrient status, and its published prevalences
are the yardstick for our survey estimates. The files are read with pandas' XPORT reader, merged
on SEQN (the respondent number), and renamed to the batch columns (see docs/batch.md), keeping
the design variables (exam weight, PSU, stratum) that the standard errors need.

Variable names and codes are from the NHANES codebooks of each file (DEMO_H, VID_H, P_DEMO,
P_BIOPRO, ...): RIAGENDR 1 = male, 2 = female; RIDEXPRG 1 = pregnant, 2 = not pregnant,
3 = could not be determined; SDDSRVYR is the release cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from nutrispine.errors import InputError, Problem

# SDDSRVYR release code -> (cycle label, years covered). Combining cycles multiplies each exam
# weight by its cycle's share of the years covered: 1/k for k two-year cycles, and 3.2/(total)
# for the 2017-March 2020 pre-pandemic file (NCHS, "NHANES 2017-March 2020 Prepandemic Data
# Files: Analytic Notes", and the NHANES tutorial module on weighting).
CYCLES: dict[int, tuple[str, float]] = {
    1: ("1999-2000", 2.0), 2: ("2001-2002", 2.0), 3: ("2003-2004", 2.0),
    4: ("2005-2006", 2.0), 5: ("2007-2008", 2.0), 6: ("2009-2010", 2.0),
    7: ("2011-2012", 2.0), 8: ("2013-2014", 2.0), 9: ("2015-2016", 2.0),
    10: ("2017-2018", 2.0), 66: ("2017-2020", 3.2),
}
EXAM_WEIGHTS = ("WTMEC2YR", "WTMECPRP")

# NHANES lab variable -> (batch test code, unit as printed in the codebook).
LAB_VARIABLES: dict[str, tuple[str, str]] = {
    "LBXVIDMS": ("vitamin_d_25oh", "nmol/L"),
    "LBXSCA": ("calcium", "mg/dL"),
    "LBXSAL": ("albumin", "g/dL"),
}

_TINY = 1e-70  # XPORT stores exact zeros as about 5.4e-79


@dataclass
class ImportSummary:
    """What was read, for the command's message."""

    rows: int
    cycles: list[str]
    tests: list[str]


def read_xpt(path: Path) -> pd.DataFrame:
    """One XPORT file as a DataFrame with the 5.4e-79 'zeros' set to 0."""
    try:
        frame = pd.read_sas(path, format="xport")
    except FileNotFoundError:
        raise InputError(Problem(str(path), "file not found")) from None
    except (ValueError, OSError) as exc:
        raise InputError(Problem(str(path), f"not a SAS transport (XPT) file: {exc}")) from None
    if not isinstance(frame, pd.DataFrame):  # pragma: no cover - read_sas with an iterator
        raise InputError(Problem(str(path), "could not be read as one table"))
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            values = frame[column].to_numpy()
            frame[column] = np.where(np.abs(values) < _TINY, 0.0, values)
    if "SEQN" not in frame.columns:
        raise InputError(Problem(str(path), "has no SEQN column; is it an NHANES data file?"))
    frame["SEQN"] = frame["SEQN"].astype("int64")
    return frame


def _demographics(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    weight = next((w for w in EXAM_WEIGHTS if w in frame.columns), None)
    need = ["SDDSRVYR", "RIDAGEYR", "RIAGENDR", "SDMVPSU", "SDMVSTRA"]
    missing = [c for c in need if c not in frame.columns] + ([] if weight else ["WTMEC2YR"])
    if missing:
        raise InputError(Problem(str(path), f"demographics file lacks {', '.join(missing)}"))
    codes = frame["SDDSRVYR"].astype(int).unique().tolist()
    unknown = [c for c in codes if c not in CYCLES]
    if unknown:
        raise InputError(Problem(str(path), f"unknown NHANES release code SDDSRVYR={unknown[0]}",
                                 [str(c) for c in CYCLES]))
    preg = frame["RIDEXPRG"] if "RIDEXPRG" in frame.columns else pd.Series(np.nan, frame.index)
    return pd.DataFrame({
        "id": frame["SEQN"],
        "release": frame["SDDSRVYR"].astype(int),
        "age": frame["RIDAGEYR"].astype(float),
        "sex": frame["RIAGENDR"].map({1.0: "male", 2.0: "female"}),
        "pregnant": preg.map({1.0: True, 2.0: False}).astype("boolean"),
        "weight": frame[weight].astype(float),
        "psu": frame["SDMVPSU"].astype("int64"),
        "stratum": frame["SDMVSTRA"].astype("int64"),
    })


def _labs(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"id": frame["SEQN"]})
    for variable, (test, _unit) in LAB_VARIABLES.items():
        if variable in frame.columns:
            out[f"{test}_value"] = frame[variable].astype(float)
    return out


def import_nhanes(paths: Sequence[Path]) -> tuple[pl.DataFrame, ImportSummary]:
    """Merge demographics and lab files (any cycles) into one batch-schema table.

    Every demographics row is kept (rows without an exam have weight 0 and stay in the design,
    so that subgroup estimates are domain estimates). Lab values are joined on SEQN.
    """
    demos: list[pd.DataFrame] = []
    labs: list[pd.DataFrame] = []
    for path in paths:
        frame = read_xpt(Path(path))
        if "RIAGENDR" in frame.columns:
            demos.append(_demographics(frame, Path(path)))
        elif any(v in frame.columns for v in LAB_VARIABLES):
            labs.append(_labs(frame))
        else:
            wanted = ", ".join(LAB_VARIABLES)
            raise InputError(Problem(str(path), f"neither demographics nor a lab file with {wanted}"))
    if not demos:
        raise InputError(Problem("FILE", "no demographics file (DEMO_*.XPT or P_DEMO.XPT) given"))
    people = pd.concat(demos, ignore_index=True)
    duplicated = people["id"].duplicated()
    if duplicated.any():
        seqn = int(people.loc[duplicated, "id"].iloc[0])
        raise InputError(Problem("FILE", f"SEQN {seqn} appears twice: the same cycle given twice, "
                                         "or overlapping cycles (2017-2018 is inside P_DEMO)"))
    releases = sorted(people["release"].unique().tolist())
    total_years = sum(CYCLES[r][1] for r in releases)
    share = people["release"].map({r: CYCLES[r][1] / total_years for r in releases})
    people["weight"] = people["weight"] * share
    people.insert(1, "cycle", people.pop("release").map({r: CYCLES[r][0] for r in releases}))
    tests: list[str] = []
    for test, unit in LAB_VARIABLES.values():
        column = f"{test}_value"
        parts = [lab[["id", column]] for lab in labs if column in lab.columns]
        if not parts:
            continue
        values = pd.concat(parts, ignore_index=True).drop_duplicates("id", keep="first")
        people = people.merge(values, on="id", how="left")
        people[f"{test}_unit"] = people[column].notna().map({True: unit, False: None})
        tests.append(test)
    table = pl.from_pandas(people)
    design = table.select("weight", "psu", "stratum")
    table = table.drop("weight", "psu", "stratum").hstack(design)
    summary = ImportSummary(rows=table.height, cycles=[CYCLES[r][0] for r in releases], tests=tests)
    return table, summary
