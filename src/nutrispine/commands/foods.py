"""``nutrispine foods``: import, download, search and parse (``top`` lives in foods_top)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Food database: import, download, search, parse.")


def _fail(exc: BaseException) -> None:
    from nutrispine.commands._common import fail

    fail(exc)


def _open_db(required: bool = True):  # type: ignore[no-untyped-def,unused-ignore]
    from nutrispine.foods import open_database

    db = open_database()
    if db is None and required:
        sys.stderr.write("error: no food database imported: run `nutrispine foods import PATH`\n")
        raise typer.Exit(2)
    return db


@app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="SR ASCII folder, or FDC CSV folder or zip")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """Import a USDA release into the local food database (re-import replaces it)."""
    import time

    from nutrispine.errors import InputError
    from nutrispine.foods import import_path
    from nutrispine.foods.importers.progress import make_progress
    from nutrispine.settings import foods_db_path

    start = time.perf_counter()
    try:
        with make_progress(enabled=not quiet and sys.stderr.isatty()) as progress:
            count = import_path(path, foods_db_path(), progress)
    except InputError as exc:
        _fail(exc)
    elapsed = time.perf_counter() - start
    typer.echo(f"imported {count:,} foods from {path} into {foods_db_path()} in {elapsed:.1f} s")


@app.command("download")
def download_cmd(
    release: Annotated[str, typer.Argument(help="foundation, sr-legacy, survey, branded, sr28, "
                                                "or a URL")],
    sha256: Annotated[str | None, typer.Option(help="Expected SHA-256 of the file")] = None,
    dest: Annotated[Path | None, typer.Option(help="Folder for the file")] = None,
    do_import: Annotated[bool, typer.Option("--import/--no-import",
                                            help="Import it afterwards")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Download a USDA release with progress and checksum, then import it."""
    from nutrispine.errors import InputError
    from nutrispine.foods import import_path
    from nutrispine.foods.download import download, resolve
    from nutrispine.foods.importers.progress import make_progress
    from nutrispine.settings import foods_db_path, home

    try:
        url = resolve(release)
        with make_progress(enabled=not quiet and sys.stderr.isatty()) as progress:
            got = download(url, dest or home() / "downloads", sha256=sha256, progress=progress)
        typer.echo(f"downloaded {got.path} ({got.size:,} bytes, sha256 {got.sha256})")
        if do_import:
            path = got.path
            if release == "sr28":
                path = _unzip(got.path)
            with make_progress(enabled=not quiet and sys.stderr.isatty()) as progress:
                count = import_path(path, foods_db_path(), progress)
            typer.echo(f"imported {count:,} foods into {foods_db_path()}")
    except InputError as exc:
        _fail(exc)


def _unzip(path: Path) -> Path:
    import zipfile

    folder = path.with_suffix("")
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    return folder


@app.command("search")
def search_cmd(
    query: Annotated[list[str], typer.Argument(help="Words to search for")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100)] = 10,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Search foods: typo-tolerant, everyday words, generic foods first."""
    from nutrispine.commands._common import emit_json

    if fmt not in ("text", "json"):
        _fail(ValueError(f"--format: unknown format {fmt!r} (text or json)"))
    db = _open_db()
    hits = db.search(" ".join(query), limit)
    if fmt == "json":
        emit_json({"query": " ".join(query), "results": [
            {**f.to_dict(), "brand": f.brand or None, "group": f.group,
             "per_100g": f.per_100g} for f in hits]})
        return
    if not hits:
        typer.echo("no foods found")
    for f in hits:
        brand = f" [{f.brand}]" if f.brand else ""
        typer.echo(f"{f.source}:{f.id}  {f.name}{brand}")


@app.command("parse")
def parse_cmd(
    text: Annotated[list[str], typer.Argument(help="Food-log entries, e.g. '1 cup 2% milk'")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Turn food-log phrases into foods, grams and nutrients."""
    from nutrispine.commands._common import emit_json
    from nutrispine.foods import parse_entries

    if fmt not in ("text", "json"):
        _fail(ValueError(f"--format: unknown format {fmt!r} (text or json)"))
    db = _open_db()
    items = [i.to_dict() for i in parse_entries(list(text), db)]
    if fmt == "json":
        emit_json({"items": items})
    else:
        for item in items:
            _print_item(item)
    if not any(i["food"] for i in items):
        raise typer.Exit(1)


def _print_item(item: dict[str, Any]) -> None:
    if item["food"] is None:
        typer.echo(f"{item['text']}: no match ({item.get('error')})")
        return
    nutrients = ", ".join(
        f"{code} {'?' if v['amount'] is None else v['amount']} {v['unit']}"
        for code, v in item["nutrients"].items())
    typer.echo(f"{item['text']}: {item['grams']} g of {item['food']['name']} "
               f"({item['food']['source']}:{item['food']['id']})")
    typer.echo(f"    {nutrients}")
    for w in item["warnings"]:
        typer.echo(f"    note: {w['text']}")
