"""Importers for USDA releases; ``import_any`` picks the right one for a path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nutrispine.errors import InputError, Problem


def import_any(path: Any, db_path: Any = None, progress: Any = None) -> int:
    """Import an SR ASCII folder, or an FDC CSV folder or zip, into ``db_path``."""
    from nutrispine.foods.importers.fdc import import_fdc, is_fdc
    from nutrispine.foods.importers.sr28 import import_sr, is_sr_folder

    source = Path(path).expanduser()
    if db_path is None:
        from nutrispine.settings import foods_db_path

        db_path = foods_db_path()
    if not source.exists():
        raise InputError(Problem("path", f"{source} does not exist"))
    if is_sr_folder(source):
        return import_sr(source, Path(db_path), progress)
    if is_fdc(source):
        return import_fdc(source, Path(db_path), progress)
    raise InputError(
        Problem(
            "path",
            f"{source} is neither a USDA SR ASCII folder (FOOD_DES.txt, NUT_DATA.txt, "
            "WEIGHT.txt) nor a FoodData Central CSV folder or zip (food.csv, "
            "food_nutrient.csv, nutrient.csv)",
        )
    )
