"""One self-contained HTML page (inline CSS, no scripts) that reads well and prints well."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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


def render_html(assessment: Assessment) -> str:
    """The assessment as a standalone HTML document; every string is escaped by Jinja2."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    r = assessment.to_dict()
    return env.get_template("assessment.html.j2").render(
        r=r,
        names=NAMES,
        level_titles=LEVEL_TITLES,
        words=LIKELIHOOD_WORDS,
        first_steps=first_steps(r),
        lab_line=lab_line,
        intake_line=intake_line,
        supplement_line=supplement_line,
    )
