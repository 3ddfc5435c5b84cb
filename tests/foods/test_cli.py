"""`nutrispine foods import|search|parse` end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nutrispine.cli import app

runner = CliRunner()


def test_parse_without_database_fails_cleanly() -> None:
    result = runner.invoke(app, ["foods", "parse", "1 cup milk"])
    assert result.exit_code == 2
    assert "nutrispine foods import" in result.output
    assert "Traceback" not in result.output


def test_import_search_parse(mini_sr: Path) -> None:
    imported = runner.invoke(app, ["foods", "import", str(mini_sr), "-q"])
    assert imported.exit_code == 0, imported.output
    assert "imported 13 foods" in imported.output
    again = runner.invoke(app, ["foods", "import", str(mini_sr), "-q"])
    assert again.exit_code == 0

    found = runner.invoke(app, ["foods", "search", "bannana", "-n", "2"])
    assert found.exit_code == 0 and found.output.splitlines()[0].startswith("usda-sr28:09040")
    as_json = json.loads(runner.invoke(app, ["foods", "search", "milk", "--format", "json"]).output)
    assert as_json["results"][0]["id"] == "01077"

    parsed = runner.invoke(app, ["foods", "parse", "1 cup 2% milk", "1 cup xylophone",
                                 "--format", "json"])
    assert parsed.exit_code == 0, parsed.output
    items = json.loads(parsed.output)["items"]
    assert items[0]["food"]["id"] == "01079" and items[0]["grams"] == 244.0
    assert items[1]["food"] is None and items[1]["error"]

    text = runner.invoke(app, ["foods", "parse", "a handful of almonds"])
    assert text.exit_code == 0 and "28.4 g of Nuts, almonds" in text.output

    nothing = runner.invoke(app, ["foods", "parse", "1 cup xylophone"])
    assert nothing.exit_code == 1


def test_bad_import_path_and_format(tmp_path: Path) -> None:
    result = runner.invoke(app, ["foods", "import", str(tmp_path / "nope"), "-q"])
    assert result.exit_code == 2 and "does not exist" in result.output
    fmt = runner.invoke(app, ["foods", "search", "milk", "--format", "xml"])
    assert fmt.exit_code == 2
