"""Search ranking: typos, everyday words, generic before branded, common forms first."""

from __future__ import annotations

import pytest

from nutrispine.foods.database import FoodDatabase


def _ids(db: FoodDatabase, query: str, n: int = 3) -> list[str]:
    return [f.id for f in db.search(query, n)]


@pytest.mark.parametrize(("query", "first"), [
    ("banana", "09040"),          # raw before dehydrated and baby food
    ("bananas", "09040"),
    ("bannana", "09040"),         # typo
    ("2% milk", "01079"),
    ("milk", "01077"),            # the everyday milk, not dry milk
    ("soy milk", "16139"),        # two words the database writes as one
    ("hard-boiled egg", "01129"),
    ("egg", "01123"),
    ("cooked spinach", "11458"),
    ("spinach", "11457"),
    ("almnds", "12061"),
])
def test_first_hit_on_mini_database(mini_db: FoodDatabase, query: str, first: str) -> None:
    assert _ids(mini_db, query)[0] == first


def test_rare_forms_rank_below_the_common_one(mini_db: FoodDatabase) -> None:
    ids = _ids(mini_db, "banana", 5)
    assert ids.index("09040") < ids.index("09041")
    assert "03145" not in ids[:2]  # baby food last


def test_nothing_found_and_limits(mini_db: FoodDatabase) -> None:
    assert mini_db.search("qwertyuiop") == []
    assert mini_db.search("") == []
    assert mini_db.search("milk", 0) == []
    assert len(mini_db.search("milk", 2)) == 2


@pytest.mark.sr28
@pytest.mark.parametrize(("query", "first"), [
    ("2% milk", "01079"), ("skim milk", "01085"), ("yoghurt", "01117"), ("soy milk", "16139"),
    ("garbanzo", "16057"), ("hard-boiled egg", "01129"), ("almonds", "12061"),
    ("cooked atlantic salmon", "15237"), ("bannana", "09040"), ("chedar cheese", "01009"),
    ("greek yogurt", "01256"), ("whole milk", "01077"), ("sweet potato", "11508"),
    ("cheerios", "08013"),
])
def test_sr28_first_hits(sr28_db: FoodDatabase, query: str, first: str) -> None:
    assert _ids(sr28_db, query, 1) == [first]


@pytest.mark.sr28
def test_sr28_generic_before_branded(sr28_db: FoodDatabase) -> None:
    hits = sr28_db.search("oat cereal", 10)
    branded = [i for i, f in enumerate(hits) if f.branded]
    generic = [i for i, f in enumerate(hits) if not f.branded]
    assert generic and (not branded or min(generic) < min(branded))
