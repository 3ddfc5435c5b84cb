"""The FoodData Central CSV importer on small hand-written releases (folder and zip)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nutrispine.foods.database import FoodDatabase
from nutrispine.foods.importers import import_any
from nutrispine.foods.importers.fdc import import_fdc, is_fdc
from nutrispine.foods.importers.sr28 import import_sr

from .conftest import write_mini_fdc, zip_folder


@pytest.fixture
def fdc_folder(tmp_path: Path) -> Path:
    return write_mini_fdc(tmp_path / "FoodData_Central_csv_2024-04-18")


def _sources(db: FoodDatabase) -> dict[str, int]:
    return {r["source"]: r["foods"] for r in db.releases()}


def test_folder_import_keeps_the_four_data_types(fdc_folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    assert import_fdc(fdc_folder, path) == 5  # the sample_food row is not a food to eat
    with FoodDatabase(path) as db:
        assert _sources(db) == {"usda-fdc-foundation": 1, "usda-fdc-sr-legacy": 1,
                                "usda-fdc-survey": 1, "usda-fdc-branded": 2}
        assert {r["release"] for r in db.releases()} == {"FDC 2024-04-18"}
        milk = db.get("2346404", "usda-fdc-foundation")
        assert milk is not None and milk.group == "Dairy and Egg Products"
        assert milk.per_100g == {"vitamin_d": 1.1, "calcium": 123.0, "magnesium": 11.5,
                                 "vitamin_b12": 0.52, "energy_kcal": 62.0}  # Atwater energy
        yogurt = db.nutrients_per_100g("2705387")
        assert yogurt["vitamin_d"] == pytest.approx(1.0)  # 40 IU
        assert yogurt["magnesium"] is None
        assert [(p.description, p.grams) for p in db.portions(milk)] == [("cup", 244.0)]
        survey = db.get("2705387")
        assert survey is not None and survey.group == "Yogurt, Greek"
        assert [(p.amount, p.description, p.grams) for p in db.portions(survey)] == [
            (1.0, "container (6 oz)", 170.0), (0.5, "cup", 122.5)]


def test_branded_foods_carry_brand_category_and_label_serving(fdc_folder: Path,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    import_fdc(fdc_folder, path)
    with FoodDatabase(path) as db:
        milk = db.get("1897574", "usda-fdc-branded")
        assert milk is not None and milk.branded
        assert milk.brand == "HAPPY COW" and milk.group == "Milk"
        assert [(p.description, p.grams) for p in db.portions(milk)] == [("serving (1 cup)", 240.0)]
        almonds = db.get("1897575")
        assert almonds is not None and almonds.brand == "Nutty Inc."
        # generic foods come before branded ones
        assert db.search("almonds", 5)[0].id == "2346405"
        assert db.search("happy cow milk", 1)[0].id == "1897574"  # brand words are searchable


def test_zip_import_equals_folder_import(fdc_folder: Path, tmp_path: Path) -> None:
    archive = zip_folder(fdc_folder, tmp_path / "FoodData_Central_csv_2024-04-18.zip")
    assert is_fdc(archive)
    path = tmp_path / "db.sqlite"
    assert import_any(archive, path) == 5
    with FoodDatabase(path) as db:
        assert db.nutrients_per_100g("2346405")["magnesium"] == 270.0


def test_reimport_is_idempotent_and_per_source(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    full = write_mini_fdc(tmp_path / "full")
    import_fdc(full, path)
    import_fdc(full, path)
    with FoodDatabase(path) as db:
        assert db.count() == 5
    # a Branded-only release replaces the branded foods and leaves the others alone
    branded_only = write_mini_fdc(tmp_path / "branded", foundation=False)
    import_fdc(branded_only, path)
    with FoodDatabase(path) as db:
        assert db.count() == 5
        assert len(_sources(db)) == 4


def test_fdc_and_sr28_live_side_by_side(fdc_folder: Path, mini_sr: Path, tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    import_sr(mini_sr, path)
    import_fdc(fdc_folder, path)
    with FoodDatabase(path) as db:
        assert {"usda-sr28", "usda-fdc-foundation"} <= set(_sources(db))
        assert db.get("01079", "usda-sr28") is not None


def test_streaming_import_of_many_branded_rows(tmp_path: Path) -> None:
    """Many rows stream through in batches (bounded memory is measured in bench/)."""
    from .conftest import write_csv

    folder = write_mini_fdc(tmp_path / "many", foundation=False)
    n = 30_000
    write_csv(folder / "food.csv", ["fdc_id", "data_type", "description", "food_category_id",
                                    "publication_date"],
              [[i, "branded_food", f"PRODUCT {i} OAT BAR", "", "2021"] for i in range(1, n + 1)])
    write_csv(folder / "food_nutrient.csv", ["id", "fdc_id", "nutrient_id", "amount"],
              [[i, i, 1087, i % 50] for i in range(1, n + 1)])
    path = tmp_path / "db.sqlite"
    assert import_fdc(folder, path) == n
    with FoodDatabase(path) as db:
        assert db.nutrients_per_100g("29999")["calcium"] == 29999 % 50
