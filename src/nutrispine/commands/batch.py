"""``nutrispine batch``: population screening, survey-weighted prevalence, NHANES import, charts.

Thin layer: parse options, call ``nutrispine.batch``, render. The engine is imported inside each
command so that ``nutrispine --help`` stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)


class Format(str, Enum):
    text = "text"
    json = "json"


class Engine(str, Enum):
    polars = "polars"
    dask = "dask"


class Sex(str, Enum):
    female = "female"
    male = "male"


def _by(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


@app.command("nhanes")
def nhanes(
    files: Annotated[list[Path], typer.Argument(help="NHANES .XPT files: DEMO plus lab files "
                                                     "(VID, BIOPRO), one or more cycles.")],
    out: Annotated[Path, typer.Option("--out", help="Output .parquet (or .csv) file.")],
) -> None:
    """Import NHANES SAS transport files into the batch schema (merged on SEQN).

    Combining cycles divides the exam weights by the cycles' share of the years covered (NCHS).
    """
    from nutrispine.batch import io
    from nutrispine.batch.nhanes import import_nhanes
    from nutrispine.commands._common import fail
    from nutrispine.errors import InputError

    try:
        table, summary = import_nhanes(files)
        io.sink(table.lazy(), out)
    except InputError as exc:
        fail(exc)
    sys.stderr.write(f"wrote {summary.rows} people ({', '.join(summary.cycles)}; labs: "
                     f"{', '.join(summary.tests) or 'none'}) to {out}\n")


@app.command("prevalence")
def prevalence(
    file: Annotated[Path, typer.Argument(help="Batch file (.parquet or .csv), e.g. from "
                                               "`batch nhanes` or `batch screen`.")],
    nutrient: Annotated[str, typer.Option(help="vitamin_d, magnesium, vitamin_b12 or calcium.")],
    min_age: Annotated[float | None, typer.Option(help="Lowest age included (years).")] = None,
    max_age: Annotated[float | None, typer.Option(help="Highest age included (years).")] = None,
    sex: Annotated[Sex | None, typer.Option(help="Only this sex.")] = None,
    by: Annotated[str | None, typer.Option(help="Group by: age_group, sex, cycle, pregnant "
                                                "(comma-separated).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
) -> None:
    """Weighted share of each lab status, with SE (Taylor linearisation) and 95% CI
    (Korn-Graubard), for a domain of the population."""
    from nutrispine.batch import prevalence as prev
    from nutrispine.commands._common import emit_json, fail
    from nutrispine.errors import InputError

    try:
        groups = _by(by)
        table = prev.load_population(file, nutrient, groups)
        filters = prev.Filters(min_age, max_age, sex.value if sex else None)
        result = prev.estimate(table, nutrient, filters, groups)
    except InputError as exc:
        fail(exc)
    if fmt is Format.json:
        emit_json(result)
    else:
        sys.stdout.write(prev.render_text(result) + "\n")


@app.command("report")
def report(
    file: Annotated[Path, typer.Argument(help="Batch file (.parquet or .csv).")],
    nutrient: Annotated[str, typer.Option(help="vitamin_d, magnesium, vitamin_b12 or calcium.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the PNG charts and report.html.")],
    min_age: Annotated[float | None, typer.Option(help="Lowest age included (years).")] = None,
    max_age: Annotated[float | None, typer.Option(help="Highest age included (years).")] = None,
    sex: Annotated[Sex | None, typer.Option(help="Only this sex.")] = None,
) -> None:
    """Charts for a population report: the lab-value distribution with the cut-offs, prevalence
    by age group and sex with 95% CIs (PNG), and an HTML report holding both."""
    from nutrispine.batch import report as rep
    from nutrispine.commands._common import fail
    from nutrispine.errors import InputError

    try:
        filters_sex = sex.value if sex else None
        paths = rep.write_report(file, nutrient, out, min_age, max_age, filters_sex)
    except InputError as exc:
        fail(exc)
    for path in paths:
        sys.stderr.write(f"wrote {path}\n")


@app.command("screen")
def screen(
    input_file: Annotated[Path, typer.Argument(metavar="INPUT",
                                               help="One row per person (.csv or .parquet).")],
    out: Annotated[Path, typer.Option("--out", help="Output .parquet or .csv file.")],
    engine: Annotated[Engine, typer.Option(help="polars (embedded, streaming) or dask.")] = (
        Engine.polars),
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://host:8786); default: a local cluster.")] = None,
    workers: Annotated[int, typer.Option(help="Workers of the local Dask cluster.")] = 2,
    vitamin_d_cutoffs: Annotated[str, typer.Option(
        help="25(OH)D cut-offs: nam2011 (default) or endocrine2011.")] = "nam2011",
    reasons: Annotated[bool, typer.Option(
        "--reasons", help="Add triage_reasons: the codes of the triage rules that fired.")] = False,
    probability: Annotated[bool, typer.Option(
        "--probability", help="Add <nutrient>_probability: the model's posterior (ranking).")
    ] = False,
) -> None:
    """Screen every row with the single assessment's rules: triage level, likelihood and lab
    status per nutrient, written next to the row's id."""
    from nutrispine.batch import screen as scr
    from nutrispine.commands._common import fail
    from nutrispine.errors import InputError

    try:
        if engine is Engine.dask:
            from nutrispine.batch import distributed

            rows = distributed.screen_file(input_file, out, scheduler=scheduler, workers=workers,
                                           vitamin_d_scheme=vitamin_d_cutoffs, reasons=reasons,
                                           probability=probability)
        else:
            rows = scr.screen_file(input_file, out, vitamin_d_scheme=vitamin_d_cutoffs,
                                   reasons=reasons, probability=probability)
    except InputError as exc:
        fail(exc)
    problems = scr.count_problems(out)
    note = f" ({problems} rows with a problem: see the problem column)" if problems else ""
    sys.stderr.write(f"screened {rows} rows into {out}{note}\n")
