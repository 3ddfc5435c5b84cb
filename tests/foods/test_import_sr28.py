"""The SR ASCII importer on a small hand-written release (the real SR28 layout)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nutrispine.errors import InputError
from nutrispine.foods import open_database
from nutrispine.foods.database import FoodDatabase
from nutrispine.foods.importers import import_any
from nutrispine.foods.importers.sr28 import import_sr, records

from .conftest import MINI_FOODS, write_mini_sr


def test_records_strip_tildes_and_keep_empty_fields(mini_sr: Path) -> None:
    first = next(records(mini_sr / "FOOD_DES.txt"))
    assert first[:3] == ["01079", "0100", MINI_FOODS[0][2]]
    assert first[4] == ""  # no common name


def test_import_counts_foods_and_records_release(mini_db: FoodDatabase) -> None:
    assert mini_db.count() == len(MINI_FOODS)
    (release,) = mini_db.releases()
    assert release["source"] == "usda-sr28"
    assert release["release"] == "SR28"
    assert release["foods"] == len(MINI_FOODS)
    assert release["imported_at"][:4].isdigit()


def test_nutrients_per_100g_with_missing_as_none(mini_db: FoodDatabase) -> None:
    milk = mini_db.nutrients_per_100g("01079")
    assert milk == {"vitamin_d": 1.2, "calcium": 120.0, "magnesium": 11.0,
                    "vitamin_b12": 0.53, "energy_kcal": 50.0}
    spinach = mini_db.nutrients_per_100g("11457")
    assert spinach["vitamin_d"] is None and spinach["vitamin_b12"] is None
    assert spinach["calcium"] == 99.0
    banana = mini_db.nutrients_per_100g("09040")
    assert banana["vitamin_d"] == 0.0  # a measured zero stays zero


def test_vitamin_d_from_iu_only_when_micrograms_missing(mini_db: FoodDatabase) -> None:
    assert mini_db.nutrients_per_100g("01123")["vitamin_d"] == pytest.approx(82 / 40)
    assert mini_db.nutrients_per_100g("01079")["vitamin_d"] == 1.2  # 328 wins over 324


def test_groups_brands_survey_and_portions(mini_db: FoodDatabase) -> None:
    cheerios = mini_db.get("08013", "usda-sr28")
    assert cheerios is not None and cheerios.branded and cheerios.brand == "General Mills Inc."
    banana = mini_db.get("09040")
    assert banana is not None and banana.group == "Fruits and Fruit Juices" and banana.survey
    assert [(p.description, p.grams) for p in mini_db.portions(banana)] == [
        ("cup, mashed", 225.0), ('medium (7" to 7-7/8" long)', 118.0)]
    assert mini_db.get("nope") is None


def test_reimport_replaces_never_duplicates(mini_sr: Path, tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    import_sr(mini_sr, path)
    import_sr(mini_sr, path)
    with FoodDatabase(path) as db:
        assert db.count() == len(MINI_FOODS)
        assert len(db.portions(db.get("09040"))) == 2  # type: ignore[arg-type]
        assert len(db.releases()) == 1
    smaller = write_mini_sr(tmp_path / "smaller", MINI_FOODS[:3])
    import_sr(smaller, path)
    with FoodDatabase(path) as db:
        assert db.count() == 3
        assert db.search("banana") == []


def test_database_is_persistent_file_under_home(mini_sr: Path) -> None:
    from nutrispine.settings import foods_db_path

    assert open_database() is None  # fresh NUTRISPINE_HOME: nothing imported
    import_any(mini_sr)
    assert foods_db_path().is_file()
    db = open_database()
    assert db is not None and db.count() == len(MINI_FOODS)
    db.close()
    with sqlite3.connect(foods_db_path()) as conn:
        assert conn.execute("SELECT count(*) FROM food").fetchone()[0] == len(MINI_FOODS)


def test_failed_import_leaves_previous_data(mini_sr: Path, tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    import_sr(mini_sr, path)
    broken = write_mini_sr(tmp_path / "broken")
    (broken / "WEIGHT.txt").unlink()
    with pytest.raises(InputError, match="not a USDA SR ASCII folder"):
        import_sr(broken, path)
    with FoodDatabase(path) as db:
        assert db.count() == len(MINI_FOODS)


def test_unknown_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        import_any(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="neither a USDA SR ASCII folder"):
        import_any(tmp_path / "empty")


@pytest.mark.sr28
def test_real_sr28_import(sr28_db: FoodDatabase) -> None:
    assert sr28_db.count() == 8789
    milk = sr28_db.nutrients_per_100g("01079")
    assert milk["calcium"] == 120.0 and milk["vitamin_d"] == 1.2
    assert sr28_db.releases()[0]["release"] == "SR28"


def test_database_from_an_older_layout_is_rebuilt(mini_sr: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta VALUES ('schema_version', '0')")
        conn.execute("CREATE TABLE food (id INTEGER)")
        conn.execute("INSERT INTO food VALUES (1)")
    assert open_database(path) is None  # not usable: asks for a new import
    import_sr(mini_sr, path)
    db = open_database(path)
    assert db is not None and db.count() == len(MINI_FOODS)
    db.close()
