"""``nutrispine foods top NUTRIENT``: the best food sources of a nutrient, per serving, per
100 g or per 100 kcal, filtered by diet, exclusions and dislikes."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer


class Format(str, Enum):
    text = "text"
    json = "json"


class Per(str, Enum):
    serving = "serving"
    g100 = "100g"
    kcal100 = "100kcal"


def register(foods_app: typer.Typer) -> None:
    @foods_app.command("top")
    def top(
        nutrient: Annotated[str, typer.Argument(help="vitamin_d, magnesium, vitamin_b12 or calcium.")],
        per: Annotated[Per, typer.Option("--per", help="Rank per serving, 100g or 100kcal.")] = Per.serving,
        diet: Annotated[list[str] | None, typer.Option(
            "--diet", help="vegan, vegetarian, pescatarian, lactose-free, fish-free, nut-free, "
                           "gluten-free, dairy-free ... (repeatable)")] = None,
        exclude: Annotated[list[str] | None, typer.Option(
            "--exclude", help="dairy, eggs, fish, shellfish, nuts, peanuts, soy, gluten, meat "
                              "(repeatable)")] = None,
        dislike: Annotated[list[str] | None, typer.Option(
            "--dislike", help="A food word to leave out, e.g. liver (repeatable).")] = None,
        limit: Annotated[int, typer.Option("--limit", help="How many foods.")] = 10,
        fmt: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
    ) -> None:
        """List the top food sources of a nutrient (USDA data, or our cited list without it)."""
        import sys

        from nutrispine.commands._common import emit_json, fail
        from nutrispine.errors import InputError

        try:
            from nutrispine.recommend.top import top_foods

            result = top_foods(nutrient, per=per.value, diets=diet or [], exclude=exclude or [],
                               dislikes=dislike or [], limit=limit)
        except InputError as exc:
            fail(exc)
        if fmt is Format.json:
            emit_json(result)
        else:
            from nutrispine.recommend.text import top_text

            sys.stdout.write(top_text(result))
