"""Fixtures for the food tests: tiny hand-written USDA releases, and real SR28 imported once."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from nutrispine.foods.database import FoodDatabase
from nutrispine.foods.importers.sr28 import import_sr

# SR ASCII records (sr28_doc.pdf): ~text~ fields, ^ separators, CRLF lines, ISO-8859-1.
MINI_GROUPS = [("0100", "Dairy and Egg Products"), ("0300", "Baby Foods"),
               ("0800", "Breakfast Cereals"), ("0900", "Fruits and Fruit Juices"),
               ("1100", "Vegetables and Vegetable Products"), ("1200", "Nut and Seed Products")]
# (NDB, group, long description, common name, manufacturer, survey)
MINI_FOODS = [
    ("01079", "0100", "Milk, reduced fat, fluid, 2% milkfat, with added vitamin A and vitamin D",
     "", "", "Y"),
    ("01077", "0100", "Milk, whole, 3.25% milkfat, with added vitamin D", "", "", "Y"),
    ("01091", "0100", "Milk, dry, nonfat, instant, with added vitamin A and vitamin D", "", "",
     ""),
    ("01123", "0100", "Egg, whole, raw, fresh", "", "", "Y"),
    ("01129", "0100", "Egg, whole, cooked, hard-boiled", "", "", "Y"),
    ("03145", "0300", "Babyfood, fruit, bananas with tapioca, strained", "", "", ""),
    ("08013", "0800", "Cereals ready-to-eat, GENERAL MILLS, CHEERIOS", "", "General Mills Inc.",
     "Y"),
    ("09040", "0900", "Bananas, raw", "", "", "Y"),
    ("09041", "0900", "Bananas, dehydrated, or banana powder", "", "", ""),
    ("11457", "1100", "Spinach, raw", "", "", "Y"),
    ("11458", "1100", "Spinach, cooked, boiled, drained, without salt", "", "", "Y"),
    ("12061", "1200", "Nuts, almonds", "", "", "Y"),
    ("16139", "1100", "Soymilk, original and vanilla, with added calcium, vitamins A and D",
     "soy milk", "", "Y"),
]
# (NDB, nutrient number, value per 100 g): 328 vitamin D µg, 324 vitamin D IU, 301 Ca,
# 304 Mg, 418 B12, 208 kcal; 203 (protein) is there to be ignored.
MINI_NUTRIENTS = [
    ("01079", "328", 1.2), ("01079", "324", 48), ("01079", "301", 120), ("01079", "304", 11),
    ("01079", "418", 0.53), ("01079", "208", 50), ("01079", "203", 3.3),
    ("01077", "328", 1.3), ("01077", "301", 113), ("01077", "304", 10), ("01077", "418", 0.45),
    ("01091", "301", 1231), ("01091", "304", 117),
    ("01123", "324", 82), ("01123", "301", 56), ("01123", "304", 12), ("01123", "418", 0.89),
    ("01129", "328", 2.2), ("01129", "301", 50), ("01129", "304", 10), ("01129", "418", 1.11),
    ("09040", "328", 0.0), ("09040", "301", 5), ("09040", "304", 27), ("09040", "418", 0),
    ("11457", "301", 99), ("11457", "304", 79), ("11458", "301", 136), ("11458", "304", 87),
    ("12061", "301", 269), ("12061", "304", 270), ("12061", "418", 0), ("12061", "328", 0),
    ("16139", "328", 1.1), ("16139", "301", 123), ("16139", "304", 15), ("16139", "418", 0.85),
]
# (NDB, seq, amount, description, grams)
MINI_WEIGHTS = [
    ("01079", 1, 1, "cup", 244), ("01079", 2, 1, "fl oz", 30.5),
    ("01077", 1, 1, "cup", 244),
    ("01123", 1, 1, "large", 50), ("01123", 2, 1, "extra large", 56), ("01123", 6, 1, "medium", 44),
    ("01129", 1, 1, "large", 50),
    ("09040", 1, 1, "cup, mashed", 225), ("09040", 5, 1, 'medium (7" to 7-7/8" long)', 118),
    ("11457", 1, 1, "cup", 30), ("11458", 1, 1, "cup", 180),
    ("12061", 1, 1, "cup, whole", 143), ("12061", 5, 1, "oz (23 whole kernels)", 28.35),
    ("16139", 1, 1, "cup", 243),
]


def _line(fields: list[object]) -> str:
    out = []
    for f in fields:
        out.append(f"~{f}~" if isinstance(f, str) else ("" if f is None else f"{f:g}"))
    return "^".join(out)


def write_mini_sr(folder: Path, foods: list[tuple[str, ...]] | None = None) -> Path:
    """Write a small SR ASCII release (the real file layout) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, rows: list[str]) -> None:
        (folder / name).write_bytes(("\r\n".join(rows) + "\r\n").encode("latin-1"))

    write("FD_GROUP.txt", [_line([c, n]) for c, n in MINI_GROUPS])
    write("FOOD_DES.txt", [
        "^".join([f"~{ndb}~", f"~{grp}~", f"~{desc}~", f"~{desc.upper()[:60]}~",
                  f"~{common}~" if common else "", f"~{manu}~" if manu else "",
                  f"~{survey}~" if survey else "", "", "0", "", "6.25", "", "", ""])
        for ndb, grp, desc, common, manu, survey in (foods or MINI_FOODS)
    ])
    write("NUT_DATA.txt", [
        "^".join([f"~{ndb}~", f"~{num}~", f"{val:g}", "1", "", "~1~", "", "", "", "", "", "",
                  "", "", "", "", "01/2010", ""])
        for ndb, num, val in MINI_NUTRIENTS
    ])
    write("WEIGHT.txt", ["^".join([f"~{ndb}~", str(seq), f"{amt:g}", f"~{desc}~", f"{g:g}",
                                   "", ""])
                         for ndb, seq, amt, desc, g in MINI_WEIGHTS])
    write("NUTR_DEF.txt", [_line(["328", "\u00b5g", "VITD", "Vitamin D (D2 + D3)", "1", "8700"])])
    return folder


@pytest.fixture
def mini_sr(tmp_path: Path) -> Path:
    return write_mini_sr(tmp_path / "sr_mini")


@pytest.fixture
def mini_db(mini_sr: Path, tmp_path: Path) -> Iterator[FoodDatabase]:
    path = tmp_path / "mini.sqlite"
    import_sr(mini_sr, path)
    db = FoodDatabase(path)
    yield db
    db.close()


# FoodData Central CSV (the real column names of the FDC "Download Data" CSV files).
def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(header)
        w.writerows(rows)


def write_mini_fdc(folder: Path, *, branded: bool = True, foundation: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    foods: list[list[object]] = []
    nutrients: list[list[object]] = []
    portions: list[list[object]] = []
    if foundation:
        foods += [[2346404, "foundation_food", "Milk, whole, 3.25% milkfat, added vitamin D",
                   1, "2024-04-18"],
                  [2346405, "sr_legacy_food", "Nuts, almonds", 12, "2019-04-01"],
                  [2705387, "survey_fndds_food", "Yogurt, Greek, plain, nonfat", 1004,
                   "2022-10-28"],
                  [9999001, "sample_food", "Milk sample 17, lab batch", 1, "2020-01-01"]]
        nutrients += [[1, 2346404, 1114, 1.1], [2, 2346404, 1087, 123], [3, 2346404, 1090, 11.5],
                      [4, 2346404, 1178, 0.52], [5, 2346404, 2047, 62], [6, 2346405, 1087, 269],
                      [7, 2346405, 1090, 270], [8, 2346405, 1008, 579], [9, 2705387, 1087, 110],
                      [10, 2705387, 1110, 40], [11, 2346404, 1003, 3.3],
                      [12, 9999001, 1087, 999]]
        portions += [[1, 2346404, 1, 1, 1000, "", "cup", 244.0],
                     [2, 2346405, 1, 1, 9999, "", "oz (23 whole kernels)", 28.35],
                     [3, 2705387, 1, 1, 9999, "1 container (6 oz)", "", 170.0],
                     [4, 2705387, 2, "", 9999, "1/2 cup", "", 122.5]]
    if branded:
        foods += [[1897574, "branded_food", "WHOLE MILK", "", "2021-07-29"],
                  [1897575, "branded_food", "ALMONDS, ROASTED", "", "2021-07-29"]]
        nutrients += [[20, 1897574, 1087, 125], [21, 1897574, 1114, 1.2], [22, 1897575, 1090, 268]]
    write_csv(folder / "food.csv", ["fdc_id", "data_type", "description", "food_category_id",
                                    "publication_date"], foods)
    write_csv(folder / "nutrient.csv", ["id", "name", "unit_name", "nutrient_nbr", "rank"], [
        [1003, "Protein", "G", "203.0", 600], [1008, "Energy", "KCAL", "208.0", 300],
        [1087, "Calcium, Ca", "MG", "301.0", 5300], [1090, "Magnesium, Mg", "MG", "304.0", 5400],
        [1110, "Vitamin D (D2 + D3), International Units", "IU", "324.0", 8650],
        [1114, "Vitamin D (D2 + D3)", "UG", "328.0", 8700],
        [1178, "Vitamin B-12", "UG", "418.0", 7300],
        [2047, "Energy (Atwater General Factors)", "KCAL", "957.0", 280]])
    write_csv(folder / "food_nutrient.csv", ["id", "fdc_id", "nutrient_id", "amount"], nutrients)
    write_csv(folder / "food_portion.csv", ["id", "fdc_id", "seq_num", "amount", "measure_unit_id",
                                            "portion_description", "modifier", "gram_weight"],
              portions)
    write_csv(folder / "measure_unit.csv", ["id", "name"],
              [[1000, "cup"], [9999, "undetermined"]])
    write_csv(folder / "food_category.csv", ["id", "code", "description"],
              [[1, "0100", "Dairy and Egg Products"], [12, "1200", "Nut and Seed Products"]])
    write_csv(folder / "wweia_food_category.csv", ["wweia_food_category",
                                                   "wweia_food_category_description"],
              [[1004, "Yogurt, Greek"]])
    if foundation:
        write_csv(folder / "foundation_food.csv", ["fdc_id", "NDB_number", "footnote"],
                  [[2346404, "1077", ""]])
        write_csv(folder / "sr_legacy_food.csv", ["fdc_id", "NDB_number"], [[2346405, "12061"]])
        write_csv(folder / "survey_fndds_food.csv", ["fdc_id", "food_code"],
                  [[2705387, "11430000"]])
    if branded:
        write_csv(folder / "branded_food.csv", [
            "fdc_id", "brand_owner", "brand_name", "subbrand_name", "gtin_upc", "ingredients",
            "serving_size", "serving_size_unit", "household_serving_fulltext",
            "branded_food_category"], [
            [1897574, "Happy Cow Dairy", "HAPPY COW", "", "0001", "MILK, VITAMIN D3", 240, "ml",
             "1 cup", "Milk"],
            [1897575, "Nutty Inc.", "", "", "0002", "ALMONDS, SALT", 28, "g", "1 oz",
             "Nuts & Seeds"]])
    return folder


def zip_folder(folder: Path, target: Path, prefix: str = "FoodData_Central_csv_2024-04-18/"
               ) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, prefix + f.name)
    return target


