"""Results (triage first, then each nutrient), trends over time and the printable report."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from nutrispine.errors import InputError
from nutrispine.web import charts, services, vocab
from nutrispine.web.api_me import run_assessment
from nutrispine.web.auth import csrf_protect, page_user
from nutrispine.web.pages_common import redirect, render
from nutrispine.web.schemas import ItemId
from nutrispine.web.state import app_state

router = APIRouter(include_in_schema=False)


def nutrient_charts(result: dict[str, Any]) -> dict[str, Markup]:
    """An intake-against-EAR/RDA/UL bar for each nutrient that has an intake."""
    out: dict[str, Markup] = {}
    for code, info in (result.get("nutrients") or {}).items():
        intake = info.get("intake") if isinstance(info, dict) else None
        if isinstance(intake, dict):
            out[code] = charts.intake_bar(
                vocab.NUTRIENT_NAMES.get(code, code), intake.get("per_day"),
                str(intake.get("unit", "")), ear=intake.get("ear"), rda=intake.get("rda"),
                ul=intake.get("ul"))
    return out


@router.get("/results")
def results_latest(request: Request, uid: int = Depends(page_user)) -> Response:
    with app_state(request).store.user(uid) as data:
        latest = data.list("assessments", newest_first=True, limit=1)
        has_person = "person" in data.profile()
    if not latest:
        return render(request, "results.html", {"assessment": None, "has_person": has_person})
    return redirect(f"/results/{latest[0]['id']}")


@router.post("/results", dependencies=[Depends(csrf_protect)])
def results_new(request: Request, uid: int = Depends(page_user)) -> Response:
    try:
        row = run_assessment(request, uid)
    except InputError as exc:
        return render(request, "results.html", {"assessment": None, "has_person": False,
                                                "errors": exc.problems}, status=422)
    return redirect(f"/results/{row['id']}")


@router.get("/results/{item_id}")
def results_one(request: Request, item_id: ItemId, uid: int = Depends(page_user)) -> Response:
    with app_state(request).store.user(uid) as data:
        row = data.get("assessments", item_id)
        history = data.list("assessments", newest_first=True, limit=20)
    if row is None:
        raise HTTPException(404, "no such assessment among yours")
    return render(request, "results.html", {
        "assessment": row, "result": row["result"], "charts": nutrient_charts(row["result"]),
        "history": history, "has_person": True})


def requirements(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    person = profile.get("person") or {}
    if "age" not in person or "sex" not in person:
        return {}
    out = {}
    for code in vocab.NUTRIENTS:
        try:
            out[code] = services.requirement(code, float(person["age"]), str(person["sex"]),
                                             bool(person.get("pregnant")),
                                             bool(person.get("lactating")))
        except (InputError, LookupError, ValueError, TypeError):
            continue
    return out


def trend_data(request: Request, uid: int, days: int) -> dict[str, Any]:
    """Pain, intake (% of RDA) and lab values per day over the last ``days`` days."""
    since = dt.date.today() - dt.timedelta(days=days)
    with app_state(request).store.user(uid) as data:
        pain = data.list("pain", since=since)
        foods = data.list("foods", since=since)
        labs = data.list("labs", since=since)
        reqs = requirements(data.profile())
    by_region: dict[str, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(list))
    for p in pain:
        by_region[p["region"]][dt.date.fromisoformat(p["day"])].append(p["score"])
    pain_series = [(vocab.label(r), [(d, sum(v) / len(v)) for d, v in sorted(days_.items())])
                   for r, days_ in sorted(by_region.items())]
    totals: dict[str, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    for f in foods:
        for code in vocab.NUTRIENTS:
            if f.get(code) is not None:
                totals[code][dt.date.fromisoformat(f["day"])] += float(f[code])
    intake_series = []
    for code in vocab.NUTRIENTS:
        rda = (reqs.get(code) or {}).get("rda") or (reqs.get(code) or {}).get("ai")
        points = sorted(totals[code].items())
        if rda and points:
            intake_series.append((vocab.NUTRIENT_NAMES[code],
                                  [(d, 100.0 * v / rda) for d, v in points]))
    lab_groups: dict[tuple[str, str], list[tuple[dt.date, float]]] = defaultdict(list)
    for lab in labs:
        lab_groups[(lab["test"], lab["unit"])].append((dt.date.fromisoformat(lab["day"]),
                                                       lab["value"]))
    return {"pain": pain_series, "intake": intake_series, "labs": dict(lab_groups),
            "totals": {c: dict(v) for c, v in totals.items()}, "reqs": reqs}


@router.get("/trends")
def trends(request: Request, days: int = Query(90, ge=7, le=3650),
           uid: int = Depends(page_user)) -> Response:
    t = trend_data(request, uid, days)
    dates = [d for _, pts in t["pain"] + t["intake"] for d, _ in pts]
    dates += [d for pts in t["labs"].values() for d, _ in pts]
    span = (min(dates), max(dates)) if dates else None
    lab_charts = []
    for (test, unit), pts in sorted(t["labs"].items()):
        name = vocab.LAB_TESTS.get(test, (vocab.label(test),))[0]
        lab_charts.append((name, unit, charts.line_chart(
            f"{name} ({unit})", [(name, pts)], y_label=unit, x_range=span)))
    return render(request, "trends.html", {
        "days": days, "t": t,
        "pain_chart": charts.line_chart("Pain score by region (0-10)", t["pain"],
                                        y_label="score", y_max=10, x_range=span),
        "intake_chart": charts.line_chart("Intake from food, % of RDA", t["intake"],
                                          y_label="% RDA", x_range=span),
        "lab_charts": lab_charts})


@router.get("/report")
def report(request: Request, uid: int = Depends(page_user)) -> Response:
    return render(request, "report.html", _report_context(request, uid))


@router.get("/report.pdf")
def report_pdf(request: Request, uid: int = Depends(page_user)) -> Response:
    from nutrispine.web import pdf

    html = render(request, "report.html", {**_report_context(request, uid), "pdf": True})
    try:
        blob = pdf.html_to_pdf(bytes(html.body).decode())
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        raise HTTPException(404, str(exc)) from exc
    return Response(blob, media_type="application/pdf", headers={
        "content-disposition": 'attachment; filename="nutrispine-report.pdf"',
        "cache-control": "no-store"})


def _report_context(request: Request, uid: int) -> dict[str, Any]:
    with app_state(request).store.user(uid) as data:
        latest = data.list("assessments", newest_first=True, limit=1)
        export = data.export()
    t = trend_data(request, uid, 30)
    pain_avg = {name: sum(v for _, v in pts) / len(pts) for name, pts in t["pain"] if pts}
    result = latest[0]["result"] if latest else None
    return {"export": export, "assessment": latest[0] if latest else None, "result": result,
            "charts": nutrient_charts(result) if result else {}, "pain_avg": pain_avg,
            "today": dt.date.today(),
            "recent_pain": [p for p in export["pain"]
                            if p["day"] >= (dt.date.today() - dt.timedelta(days=30)).isoformat()]}
