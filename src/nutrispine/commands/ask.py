"""``nutrispine ask "QUESTION"``: an answer from our cited knowledge (BM25 retrieval), with
red-flag triage advice first, and "I don't know" outside our scope."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer


class Format(str, Enum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask(
        question: Annotated[list[str], typer.Argument(help="Your question, in plain words.")],
        fmt: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
    ) -> None:
        """Ask about vitamin D, magnesium, B12 or calcium and back or neck pain."""
        import sys

        from nutrispine.commands._common import emit_json, fail
        from nutrispine.errors import InputError, Problem

        text = " ".join(question).strip()
        if not text:
            fail(InputError(Problem("question", "is empty: ask something, e.g. "
                                                "\"Which foods are rich in magnesium?\"")))
        from nutrispine.recommend.ask import ask as answer

        result = answer(text)
        if fmt is Format.json:
            emit_json(result)
        else:
            from nutrispine.recommend.text import answer_text

            sys.stdout.write(answer_text(result))
