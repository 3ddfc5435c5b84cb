"""``nutrispine plan PROFILE``: an optimised meal plan (HiGHS) that reaches the four nutrients'
targets within their upper limits, near the person's energy needs. Thin: load, call, render."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer


class Format(str, Enum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan(
        profile: Annotated[str, typer.Argument(help="Profile file (JSON or YAML), or - for stdin.")],
        days: Annotated[int, typer.Option("--days", help="Number of days to plan (1-14).")] = 1,
        fmt: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
    ) -> None:
        """Plan days of ordinary portions that meet vitamin D, magnesium, B12 and calcium needs.

        Respects the diet pattern, exclusions and dislikes; when food alone cannot reach a
        target, names the shortfall and what to discuss with a doctor.
        """
        import sys

        from nutrispine.commands._common import emit_json, fail
        from nutrispine.errors import InputError

        try:
            from nutrispine.profile import load_profile
            from nutrispine.recommend.plan import make_plan

            result = make_plan(load_profile(profile), days=days)
        except InputError as exc:
            fail(exc)
        if fmt is Format.json:
            emit_json(result.data)  # same text as nutrispine.recommend.plan_json (the API)
        else:
            from nutrispine.recommend.text import plan_text

            sys.stdout.write(plan_text(result.data))
