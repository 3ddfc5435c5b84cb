"""Text output for a person in pain: the triage and what to do first, then each nutrient in
plain words, then details and sources. Rich does the layout."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from nutrispine.render.common import (
    LEVEL_TITLES,
    LIKELIHOOD_WORDS,
    NAMES,
    first_steps,
    intake_line,
    lab_line,
    supplement_line,
)

if TYPE_CHECKING:
    from nutrispine.assess import Assessment

STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold black on yellow",
    "routine": "bold black on cyan",
    "self_care": "bold black on green",
}
LIKELIHOOD_STYLE = {"high": "bold red", "moderate": "bold yellow", "low": "green"}


def render_text(assessment: Assessment, *, to_string: bool = False, width: int | None = None) -> str:
    """Print the assessment (or return it as plain text with ``to_string``)."""
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    r = assessment.to_dict()
    console = Console(
        record=to_string,
        width=width or (100 if to_string else None),
        file=None if not to_string else _Null(),
        highlight=False,
        markup=False,  # texts come from data: "[UNVERIFIED]" must print as written, not as a style tag
        emoji=False,
    )
    tri = r["triage"]
    banner = Text(LEVEL_TITLES[tri["level"]], style=STYLE[tri["level"]])
    body: list[Any] = [banner, Text(tri["advice"])]
    for reason in tri["reasons"][:6]:
        body.append(Text(f"• {reason['text']}"))
    console.print(Panel(Group(*body), title="Triage", border_style=STYLE[tri["level"]].split()[-1]))
    console.print(Text("What to do first", style="bold underline"))
    for i, step in enumerate(first_steps(r), 1):
        console.print(f" {i}. {step}")
    console.print()
    for code, n in r["nutrients"].items():
        name = NAMES[code]
        head = Text.assemble(
            (f"{name}: ", "bold"),
            (f"a shortfall is {LIKELIHOOD_WORDS[n['likelihood']]} ", ""),
            (f"({n['likelihood']})", LIKELIHOOD_STYLE[n["likelihood"]]),
        )
        console.print(head)
        console.print(f"  {n['pain_link']}")
        console.print(f"  {lab_line(n['lab'])}")
        if (line := intake_line(n.get("intake"), n["requirement"]["unit"], n["supplement_per_day"])) is not None:
            console.print(f"  {line}")
        for step in n["next_steps"]:
            console.print(f"  → {step}")
        if (line := supplement_line(r.get("supplement_guidance", {}).get(code))) is not None:
            console.print(f"  → {line}")
        if n["foods"]:
            console.print("  Foods that fit you:")
            for food in n["foods"][:3]:
                console.print(f"    · {food}")
        console.print()
    if r.get("lifestyle"):
        console.print(Text("Everyday steps that help", style="bold underline"))
        for step in r["lifestyle"]:
            console.print(f" • {step['title']}: {step['text']}")
        console.print()
    if r.get("intake_note"):
        console.print(Text(f"Diet: {r['intake_note']}", style="italic"))
    if r["warnings"]:
        console.print(Text("Warnings", style="bold underline"))
        for w in r["warnings"]:
            console.print(f" ! {w['text']}")
        console.print()
    table = Table(title="Details: the evidence behind each likelihood", show_lines=False, expand=True)
    table.add_column("Nutrient", no_wrap=True)
    table.add_column("Evidence")
    table.add_column("Effect", no_wrap=True)
    table.add_column("Source")
    for code, n in r["nutrients"].items():
        for ev in n["evidence"]:
            table.add_row(NAMES[code], ev["text"], f"{ev['effect']} ×{ev['likelihood_ratio']:g}", ev["source"])
    if table.row_count:
        console.print(table)
    console.print(Text(r["disclaimer"], style="dim"))
    return console.export_text() if to_string else ""


class _Null(io.StringIO):
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        return None
