"""Importer for the USDA National Nutrient Database for Standard Reference, ASCII release.

Format (sr28_doc.pdf, "Relational files"): one record a line (CRLF), fields separated by ``^``,
text fields quoted with ``~``, ISO-8859-1 text. We read FOOD_DES (foods), FD_GROUP (group
names), NUT_DATA (nutrient values per 100 g of edible portion) and WEIGHT (household measures).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from nutrispine.errors import InputError, Problem
from nutrispine.foods import schema
from nutrispine.foods.importers._writer import Advance, CountingReader, ImportWriter

SOURCE = "usda-sr28"
REQUIRED = ("FOOD_DES.txt", "NUT_DATA.txt", "WEIGHT.txt")
_NUMBER_TO_CODE = {number: code for code, (number, _unit) in schema.NUTRIENTS.items()}
_NUMBER_TO_CODE[schema.VITAMIN_D_IU_NUMBER] = "vitamin_d_iu"


def is_sr_folder(path: Path) -> bool:
    return path.is_dir() and all(_find(path, name) is not None for name in REQUIRED)


def _find(folder: Path, name: str) -> Path | None:
    for candidate in (name, name.lower(), name.upper()):
        if (folder / candidate).is_file():
            return folder / candidate
    return None


def records(path: Path, advance: Advance | None = None) -> Iterator[list[str]]:
    """Fields of each record, with the ``~`` quotes removed."""
    with path.open("rb") as raw:
        text = io.TextIOWrapper(
            io.BufferedReader(CountingReader(raw, advance)), encoding="latin-1", newline="\r\n"
        )
        for line in text:
            line = line.rstrip("\r\n")
            if line:
                yield [field.strip("~") for field in line.split("^")]


def release_name(folder: Path) -> str:
    match = re.search(r"sr\s*-?(\d+)", folder.name, re.IGNORECASE)
    return f"SR{match.group(1)}" if match else "SR28"


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _foods(
    folder: Path, advance: Advance | None
) -> Iterator[tuple[str, str, str, str, str, str, str, int]]:
    groups: dict[str, str] = {}
    group_file = _find(folder, "FD_GROUP.txt")
    if group_file is not None:
        groups = {rec[0]: rec[1] for rec in records(group_file) if len(rec) >= 2}
    food_file = _find(folder, "FOOD_DES.txt")
    assert food_file is not None
    for rec in records(food_file, advance):
        if len(rec) < 7:
            continue
        ndb, group, long_desc, _short, common, manufacturer, survey = rec[:7]
        kind = "branded" if manufacturer else "generic"
        yield (SOURCE, ndb, long_desc, common, manufacturer, kind, groups.get(group, ""),
               int(survey == "Y"))


def _nutrients(path: Path, advance: Advance | None) -> Iterator[tuple[str, str, float]]:
    for rec in records(path, advance):
        code = _NUMBER_TO_CODE.get(rec[1]) if len(rec) > 2 else None
        if code is not None:
            value = _float(rec[2])
            if value is not None:
                yield rec[0], code, value


def _portions(path: Path, advance: Advance | None) -> Iterator[tuple[str, int, float, str, float]]:
    for rec in records(path, advance):
        if len(rec) < 5:
            continue
        seq, amount, grams = _float(rec[1]), _float(rec[2]), _float(rec[4])
        if seq is None or amount is None or grams is None:
            continue
        yield rec[0], int(seq), amount, rec[3], grams


def import_sr(folder: Path, db_path: Path, progress: object | None = None) -> int:
    """Import an SR ASCII folder into ``db_path``; returns the number of foods."""
    if not is_sr_folder(folder):
        raise InputError(Problem("path", f"{folder} is not a USDA SR ASCII folder "
                                 f"(needs {', '.join(REQUIRED)})"))
    from nutrispine.foods.importers.progress import file_task, finishing

    writer = ImportWriter(db_path, {SOURCE: release_name(folder)}, str(folder))
    try:
        food_file = _find(folder, "FOOD_DES.txt")
        nut_file = _find(folder, "NUT_DATA.txt")
        weight_file = _find(folder, "WEIGHT.txt")
        assert food_file and nut_file and weight_file
        writer.add_foods(_foods(folder, file_task(progress, food_file)))
        writer.add_nutrients(_nutrients(nut_file, file_task(progress, nut_file)))
        writer.add_portions(_portions(weight_file, file_task(progress, weight_file)))
    except BaseException:
        writer.rollback()
        raise
    done = finishing(progress)
    count = writer.commit()
    done()
    return count
