"""Importer for USDA FoodData Central CSV releases (folder or zip): Foundation, SR Legacy,
Survey (FNDDS) and Branded foods, alone or in one "full" download.

Files used (FDC "Download Data" CSV documentation): food.csv (fdc_id, data_type, description,
food_category_id), nutrient.csv (id, nutrient_nbr), food_nutrient.csv (fdc_id, nutrient_id,
amount per 100 g), food_portion.csv (fdc_id, seq_num, amount, measure_unit_id,
portion_description, modifier, gram_weight), measure_unit.csv, food_category.csv,
wweia_food_category.csv, branded_food.csv (brand_owner, brand_name, branded_food_category,
serving_size, serving_size_unit, household_serving_fulltext). Every file is streamed row by
row; only the few nutrients we keep are staged, so memory stays small even for Branded.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from nutrispine.errors import InputError, Problem
from nutrispine.foods import schema
from nutrispine.foods.importers._writer import Advance, CountingReader, ImportWriter
from nutrispine.foods.importers.progress import file_task, finishing

SOURCES = {
    "foundation_food": "usda-fdc-foundation",
    "sr_legacy_food": "usda-fdc-sr-legacy",
    "survey_fndds_food": "usda-fdc-survey",
    "branded_food": "usda-fdc-branded",
}
REQUIRED = ("food.csv", "food_nutrient.csv", "nutrient.csv")
_NUMBER_TO_CODE = {number: code for code, (number, _unit) in schema.NUTRIENTS.items()}
_NUMBER_TO_CODE[schema.VITAMIN_D_IU_NUMBER] = "vitamin_d_iu"
_NUMBER_TO_CODE["957"] = "energy_atwater"  # Energy (Atwater General Factors), kcal
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class Release:
    """The CSV files of one release, in a folder or a zip (found by file name, any depth)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.files: dict[str, str | Path] = {}
        if path.is_dir():
            for f in sorted(path.rglob("*.csv")):
                self.files.setdefault(f.name.lower(), f)
        elif zipfile.is_zipfile(path):
            self.zip = zipfile.ZipFile(path)
            for info in self.zip.infolist():
                name = info.filename.rsplit("/", 1)[-1].lower()
                if name.endswith(".csv") and not info.is_dir():
                    self.files.setdefault(name, info.filename)

    def has(self, name: str) -> bool:
        return name in self.files

    def size(self, name: str) -> int:
        member = self.files[name]
        if self.zip is not None:
            return self.zip.getinfo(str(member)).file_size
        return Path(member).stat().st_size

    @contextmanager
    def open(self, name: str, advance: Advance | None) -> Iterator[IO[str]]:
        member = self.files[name]
        with self._raw(member) as raw:
            buffered = io.BufferedReader(CountingReader(raw, advance), 1 << 20)
            yield io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")

    def _raw(self, member: str | Path) -> IO[bytes]:
        if self.zip is not None:
            return self.zip.open(str(member))
        return Path(member).open("rb")

    def rows(self, name: str, progress: object | None = None) -> Iterator[dict[str, str]]:
        if not self.has(name):
            return
        advance = file_task(progress, name, self.size(name)) if progress is not None else None
        with self.open(name, advance) as text:
            yield from csv.DictReader(text)

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def is_fdc(path: Path) -> bool:
    if not (path.is_dir() or (path.is_file() and zipfile.is_zipfile(path))):
        return False
    release = Release(path)
    try:
        return all(release.has(name) for name in REQUIRED)
    finally:
        release.close()


def release_name(path: Path) -> str:
    match = re.search(r"(\d{4}-\d{2}-\d{2})", path.name)
    return f"FDC {match.group(1)}" if match else f"FDC {path.stem}"


def _number(text: str | None) -> str:
    try:
        return str(int(float(text or "")))
    except ValueError:
        return ""


def _float(text: str | None) -> float | None:
    try:
        return float(text or "")
    except ValueError:
        return None


def _small_map(release: Release, name: str, key: str, value: str) -> dict[str, str]:
    return {row.get(key, ""): row.get(value, "") for row in release.rows(name)}


def _foods(release: Release, progress: object | None
           ) -> Iterator[tuple[str, str, str, str, str, str, str, int]]:
    categories = _small_map(release, "food_category.csv", "id", "description")
    wweia = _small_map(release, "wweia_food_category.csv", "wweia_food_category",
                       "wweia_food_category_description")
    for row in release.rows("food.csv", progress):
        source = SOURCES.get(row.get("data_type", ""))
        if source is None:
            continue
        cat = row.get("food_category_id", "")
        group = (wweia.get(cat) if source == "usda-fdc-survey" else categories.get(cat)) or ""
        branded = source == "usda-fdc-branded"
        common = source in ("usda-fdc-foundation", "usda-fdc-survey")
        yield (source, row["fdc_id"], row.get("description", "").strip(), "", "",
               "branded" if branded else "generic", group, int(common))


def _nutrients(release: Release, progress: object | None) -> Iterator[tuple[str, str, float]]:
    ids = {row["id"]: _NUMBER_TO_CODE.get(_number(row.get("nutrient_nbr")))
           for row in release.rows("nutrient.csv")}
    wanted = {k: v for k, v in ids.items() if v}
    for row in release.rows("food_nutrient.csv", progress):
        code = wanted.get(row.get("nutrient_id", ""))
        if code is not None:
            amount = _float(row.get("amount"))
            if amount is not None:
                yield row["fdc_id"], code, amount


_LEADING_AMOUNT = re.compile(r"^(\d+\s+\d+/\d+|\d+/\d+|\d+(?:\.\d+)?)\s+(?=\D)")


def _amount(text: str) -> float:
    total = 0.0
    for part in text.split():
        if "/" in part:
            num, den = part.split("/")
            total += int(num) / int(den) if int(den) else 0.0
        else:
            total += float(part)
    return total or 1.0


def _portions(release: Release, progress: object | None
              ) -> Iterator[tuple[str, int, float, str, float]]:
    units = _small_map(release, "measure_unit.csv", "id", "name")
    for row in release.rows("food_portion.csv", progress):
        grams = _float(row.get("gram_weight"))
        amount = _float(row.get("amount")) or 1.0
        if not grams:
            continue
        unit = units.get(row.get("measure_unit_id", ""), "")
        unit = "" if unit in ("undetermined", "") else unit
        parts: list[str] = []
        for part in (unit, row.get("modifier", ""), row.get("portion_description", "")):
            if part and part.lower() not in (p.lower() for p in parts):
                parts.append(part)
        desc = " ".join(parts).strip()
        if desc.lower().startswith(("quantity not specified",)) or not desc:
            continue
        lead = _LEADING_AMOUNT.match(desc) if not unit else None
        if lead:  # FNDDS writes the amount into the text: "1/2 cup" -> 0.5 x "cup"
            amount, desc = _amount(lead.group(1)), desc[lead.end():]
        yield row["fdc_id"], int(_float(row.get("seq_num")) or 0), amount, desc, grams


def _labels(release: Release, progress: object | None, portions: list[tuple[str, int, float,
                                                                                str, float]]
            ) -> Iterator[tuple[str, str, str]]:
    """Brand and category of branded foods; their label serving becomes a portion."""
    for row in release.rows("branded_food.csv", progress):
        owner = row.get("brand_owner", "") or ""
        brand = row.get("brand_name", "") or ""
        label = brand if not owner or brand.lower() in owner.lower() else f"{brand} ({owner})"
        yield row["fdc_id"], label.strip() or owner, row.get("branded_food_category", "") or ""
        size = _float(row.get("serving_size"))
        unit = (row.get("serving_size_unit") or "").lower()
        text = (row.get("household_serving_fulltext") or "").strip()
        if size and unit in ("g", "grm", "ml", "mlt") and text:
            portions.append((row["fdc_id"], 1, 1.0, f"serving ({text})", size))
            if len(portions) >= 20_000:
                yield ("", "", "")  # flush marker


def _sources_in(release: Release) -> list[str]:
    """Sources this release holds: by its marker files (e.g. branded_food.csv), else by
    scanning food.csv's data_type column. Only these are replaced by the import."""
    found = [source for data_type, source in SOURCES.items() if release.has(f"{data_type}.csv")]
    if found:
        return found
    types = {row.get("data_type", "") for row in release.rows("food.csv")}
    return [source for data_type, source in SOURCES.items() if data_type in types]


def import_fdc(path: Path, db_path: Path, progress: object | None = None) -> int:
    """Import an FDC CSV folder or zip into ``db_path``; returns the number of foods."""
    if not is_fdc(path):
        raise InputError(Problem("path", f"{path} is not a FoodData Central CSV release "
                                 f"(needs {', '.join(REQUIRED)})"))
    release = Release(path)
    name = release_name(path)
    writer = ImportWriter(db_path, dict.fromkeys(_sources_in(release), name), str(path))
    try:
        writer.add_foods(_foods(release, progress))
        writer.add_nutrients(_nutrients(release, progress))
        writer.add_portions(_portions(release, progress))
        pending: list[tuple[str, int, float, str, float]] = []

        def labels() -> Iterator[tuple[str, str, str]]:
            for row in _labels(release, progress, pending):
                if row[0]:
                    yield row
                else:
                    writer.add_portions(pending)
                    pending.clear()

        writer.add_labels(labels())
        writer.add_portions(pending)
    except BaseException:
        writer.rollback()
        release.close()
        raise
    release.close()
    done = finishing(progress)
    count = writer.commit()
    done()
    return count
