"""``nutrispine assess PROFILE``: the main job."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"


class Cutoffs(str, Enum):
    nam2011 = "nam2011"
    endocrine2011 = "endocrine2011"


def assess_command(
    profile: Annotated[str, typer.Argument(help="Profile file (JSON or YAML), or - for standard input.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
    vitamin_d_cutoffs: Annotated[
        Cutoffs, typer.Option(help="25(OH)D cut-offs: National Academies 2011 (default) or Endocrine Society 2011.")
    ] = Cutoffs.nam2011,
) -> None:
    """Assess a person: red-flag triage first, then each nutrient's likelihood with its evidence."""
    from nutrispine.commands._common import fail
    from nutrispine.errors import InputError
    from nutrispine.profile import load_profile

    try:
        person = load_profile(profile)
        from nutrispine.assess import assess

        result = assess(person, vitamin_d_cutoffs=vitamin_d_cutoffs.value)
    except InputError as exc:
        fail(exc)
    if format is Format.json:
        import json

        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif format is Format.html:
        from nutrispine.render.html import render_html

        text = render_html(result)
    else:
        from nutrispine.render.text import render_text

        if output is None:
            render_text(result)
            return
        text = render_text(result, to_string=True)
    _write(text, output)


def _write(text: str, output: Path | None) -> None:
    """Write atomically: a half-written result file is never left behind."""
    import sys

    if output is None:
        sys.stdout.write(text)
        return
    import os
    import tempfile

    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, output)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess_command)
