"""The plan, ask and foods-top commands through Typer: output formats and bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from nutrispine.commands import ask as ask_cmd
from nutrispine.commands import foods_top
from nutrispine.commands import plan as plan_cmd

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    plan_cmd.register(app)
    ask_cmd.register(app)
    foods = typer.Typer()
    foods_top.register(foods)
    app.add_typer(foods, name="foods")
    return app


def _profile(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_plan_json_matches_the_contract_shape(tmp_path: Path) -> None:
    p = _profile(tmp_path, {"person": {"age": 58, "sex": "female"},
                            "preferences": {"diet": "vegetarian"}})
    r = runner.invoke(_app(), ["plan", p, "--days", "2", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert len(data["days"]) == 2
    item = data["days"][0]["items"][0]
    assert set(item["food"]) == {"id", "source", "name"} and item["grams"] > 0
    assert set(data["totals_per_day"]) == {"vitamin_d", "magnesium", "vitamin_b12", "calcium",
                                           "energy"}
    assert data["targets"]["vitamin_d"]["rda"] == 15 and data["targets"]["vitamin_d"]["ul"] == 100
    assert isinstance(data["shortfalls"], list)


def test_plan_text_and_bad_profile(tmp_path: Path) -> None:
    p = _profile(tmp_path, {"person": {"age": 40, "sex": "male"}})
    r = runner.invoke(_app(), ["plan", p])
    assert r.exit_code == 0 and "Day 1" in r.stdout and "Targets per day" in r.stdout
    bad = _profile(tmp_path, {"person": {"age": -3, "sex": "male"}})
    r = runner.invoke(_app(), ["plan", bad])
    assert r.exit_code == 2 and "error:" in r.stderr and "Traceback" not in r.output


def test_ask_text_puts_triage_first() -> None:
    r = runner.invoke(_app(), ["ask", "I can't control my bladder and my back hurts"])
    assert r.exit_code == 0
    assert r.stdout.startswith("EMERGENCY")


def test_ask_json_and_empty_question() -> None:
    r = runner.invoke(_app(), ["ask", "Which foods are rich in magnesium?", "--format", "json"])
    assert json.loads(r.stdout)["sources"]
    r = runner.invoke(_app(), ["ask", " "])
    assert r.exit_code == 2


def test_foods_top_fallback_and_errors() -> None:
    r = runner.invoke(_app(), ["foods", "top", "calcium", "--diet", "vegan", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["source"] == "knowledge"
    r = runner.invoke(_app(), ["foods", "top", "potassium"])
    assert r.exit_code == 2 and "potassium" in r.stderr


@pytest.mark.sr28
def test_foods_top_from_imported_sr28(sr28_home: Path) -> None:
    r = runner.invoke(_app(), ["foods", "top", "vitamin_d", "--per", "100g", "--exclude", "fish",
                               "--limit", "5"])
    assert r.exit_code == 0, r.output
    assert "USDA database" in r.stdout and "salmon" not in r.stdout.lower()
