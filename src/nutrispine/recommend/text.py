"""Plain-text rendering of plans, top-food lists and answers (the CLI's ``--format text``)."""

from __future__ import annotations

import textwrap
from typing import Any

NAMES = {"vitamin_d": "Vitamin D", "magnesium": "Magnesium", "vitamin_b12": "Vitamin B12",
         "calcium": "Calcium", "energy": "Energy"}


def _wrap(text: str, indent: str = "  ", rest: str | None = None) -> str:
    return textwrap.fill(text, width=96, initial_indent=indent,
                         subsequent_indent=rest if rest is not None else indent)


def plan_text(plan: dict[str, Any]) -> str:
    lines: list[str] = []
    for n, day in enumerate(plan["days"], 1):
        lines.append(f"Day {n}")
        for item in day["items"]:
            lines.append(f"  {item['portion']:<34} {item['grams']:>7.1f} g  {item['food']['name']}")
        tot = day["totals"]
        lines.append("  totals: " + ", ".join(
            f"{NAMES[k]} {v['amount']:g} {v['unit']}" for k, v in tot.items()))
        lines.append("")
    lines.append("Targets per day")
    for code, t in plan["targets"].items():
        if code == "energy":
            lines.append(f"  Energy about {t['amount']} kcal ({t['activity']})")
            continue
        goal = t.get("rda", t.get("ai"))
        ul = f", upper limit {t['ul']:g} ({t['ul_applies_to']})" if t.get("ul") else ""
        lines.append(f"  {NAMES[code]}: {goal:g} {t['unit']}{ul}")
    if plan["shortfalls"]:
        lines.append("")
        lines.append("Shortfalls food alone cannot close")
        for s in plan["shortfalls"]:
            note = " (covered by your supplements)" if s.get("covered_by_supplements") else ""
            lines.append(f"- {NAMES[s['nutrient']]}: {s['amount']:g} {s['unit']} short from food{note}")
            lines.append(_wrap(s["advice"]))
    else:
        lines.append("")
        lines.append("Every day reaches all four targets from food, within the upper limits.")
    for w in plan.get("warnings", []):
        lines.append("")
        lines.append(_wrap("Warning: " + w["text"], ""))
    return "\n".join(lines) + "\n"


def top_text(result: dict[str, Any]) -> str:
    per = {"serving": "per serving", "100g": "per 100 g", "100kcal": "per 100 kcal"}[result["per"]]
    unit = result["unit"]
    origin = ("the USDA database" if result["source"] == "database"
              else "our cited food list (no database imported)")
    lines = [f"Top sources of {NAMES[result['nutrient']].lower()} ({per}; from {origin})"]
    if result["filters"]["avoid"]:
        lines.append(f"Leaving out: {', '.join(result['filters']['avoid'])}")
    if not result["foods"]:
        lines.append("No food matches these filters.")
    for f in result["foods"]:
        value = f["per_serving"] if result["per"] == "serving" else (
            f["per_100g"] if result["per"] == "100g" else f["per_100kcal"])
        lines.append(f"{f['rank']:>3}. {value:>9.2f} {unit}  {f['food']['name']}  "
                     f"[{f['portion']} = {f['grams']:g} g]")
    return "\n".join(lines) + "\n"


def answer_text(result: dict[str, Any]) -> str:
    lines: list[str] = []
    triage = result.get("triage")
    if triage:
        lines.append(f"{triage['level'].upper()}: {triage['advice']}")
        for r in triage["reasons"]:
            lines.append(_wrap(r["text"], "  - ", "    "))
        lines.append("")
    if result.get("answer"):
        lines.append(_wrap(result["answer"], ""))
        if result.get("sources"):
            lines.append("Sources: " + "; ".join(result["sources"]))
    return "\n".join(lines).rstrip() + "\n"
