"""Food data: the USDA database (import, search) and the food-log phrase parser.

Public surface: ``open_database``, ``FoodDatabase``, ``Food``, ``parse_entries``,
``parse_phrase``, ``ParsedItem``, ``import_path``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nutrispine.foods.database import Food, FoodDatabase, Portion, open_database

if TYPE_CHECKING:
    from nutrispine.foods.parser import ParsedItem

__all__ = [
    "Food",
    "FoodDatabase",
    "ParsedItem",
    "Portion",
    "import_path",
    "open_database",
    "parse_entries",
]


def parse_entries(entries: list[Any], db: FoodDatabase | None) -> list[ParsedItem]:
    """Parse diet entries (free text or {food, amount, unit}) into foods and grams."""
    from nutrispine.foods.parser import parse_entries as _parse

    return _parse(entries, db)


def import_path(path: Any, db_path: Any = None, progress: Any = None) -> int:
    """Import a USDA release (SR ASCII folder, FDC CSV folder or zip); returns foods."""
    from nutrispine.foods.importers import import_any

    return import_any(path, db_path, progress)
