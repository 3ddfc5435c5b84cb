"""``nutrispine knowledge [TOPIC]``: print the cited knowledge base."""

from __future__ import annotations

from typing import Annotated

import typer


def knowledge_command(
    topic: Annotated[
        str | None, typer.Argument(help="A topic (see the list without one), or a nutrient code such as vitamin_d.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Show what nutrispine knows, with the source of every number."""
    from rich.console import Console
    from rich.table import Table

    from nutrispine.commands._common import emit_json, fail
    from nutrispine.errors import InputError, Problem, closest
    from nutrispine.knowledge import load_knowledge
    from nutrispine.render.knowledge import TOPICS, topic_rows

    kb = load_knowledge()
    console = Console()
    if topic is None:
        table = Table(title=f"nutrispine knowledge (version {kb.version})")
        table.add_column("topic")
        table.add_column("what it holds")
        for name, text in TOPICS.items():
            table.add_row(name, text)
        for code, n in kb.nutrients.items():
            table.add_row(code, f"everything about {n.name}")
        console.print(table)
        return
    wanted = topic.strip().lower().replace("_", "-")
    nutrient = topic.strip().lower().replace("-", "_")
    if nutrient in kb.nutrients:
        topics = [t for t in TOPICS if t not in ("sources", "model", "faq")]
        sections = {}
        for t in topics:
            cols, rows = topic_rows(kb, t)
            keep = [r for r in rows if any(nutrient in c or kb.nutrients[nutrient].name in c for c in r)]
            sections[t] = (cols, keep)
    elif wanted in TOPICS:
        sections = {wanted: topic_rows(kb, wanted)}
    else:
        fail(InputError(Problem("TOPIC", f"unknown topic {topic!r}", closest(wanted, [*TOPICS, *kb.nutrients]))))
    if json_out:
        emit_json(
            {name: [dict(zip(cols, row, strict=True)) for row in rows] for name, (cols, rows) in sections.items()}
        )
        return
    for name, (cols, rows) in sections.items():
        if not rows:
            continue
        table = Table(title=name, show_lines=True, expand=True)
        for col in cols:
            table.add_column(col)
        for row in rows:
            table.add_row(*row)
        console.print(table)


def register(app: typer.Typer) -> None:
    app.command("knowledge")(knowledge_command)
