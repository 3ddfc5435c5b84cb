"""Pages for what people record: food diary, labs, pain diary; and account pages
(sign up, sign in, export, delete)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from nutrispine.errors import InputError, Problem
from nutrispine.store import UsernameTaken
from nutrispine.web import services, vocab
from nutrispine.web.api_me import validate_entry
from nutrispine.web.auth import csrf_protect, page_user, user_id_or_none
from nutrispine.web.pages_common import parse_day, parse_number, redirect, render, text
from nutrispine.web.schemas import ItemId
from nutrispine.web.sessions import login, logout, register
from nutrispine.web.state import app_state

router = APIRouter(include_in_schema=False)
KIND_PAGES = {"foods": "/diary", "labs": "/labs", "pain": "/pain", "supplements": "/diary",
              "assessments": "/results"}


def _day_totals(entries: list[dict[str, Any]]) -> dict[str, float | None]:
    totals: dict[str, float | None] = {}
    for code in vocab.NUTRIENTS:
        values = [e[code] for e in entries if e.get(code) is not None]
        totals[code] = sum(values) if values else None
    return totals


@router.get("/diary")
def diary(request: Request, day: str | None = Query(None, max_length=20),
          uid: int = Depends(page_user)) -> Response:
    return _diary(request, uid, parse_day(day, dt.date.today()) or dt.date.today())


def _diary(request: Request, uid: int, day: dt.date, errors: list[Problem] | None = None,
           status: int = 200) -> Response:
    from nutrispine.web.charts import intake_bar
    from nutrispine.web.pages_results import requirements

    with app_state(request).store.user(uid) as data:
        entries = [e for e in data.list("foods", since=day) if e["day"] == day.isoformat()]
        supplements = data.list("supplements")
        reqs = requirements(data.profile())
    totals = _day_totals(entries)
    bars = {code: intake_bar(vocab.NUTRIENT_NAMES[code], totals[code],
                             vocab.NUTRIENT_UNITS[code], ear=reqs[code].get("ear"),
                             rda=reqs[code].get("rda") or reqs[code].get("ai"),
                             ul=reqs[code].get("ul") if reqs[code].get("ul_applies_to") == "total"
                             else None)
            for code in vocab.NUTRIENTS if code in reqs and totals[code] is not None}
    return render(request, "diary.html", {
        "day": day, "entries": entries, "totals": totals, "errors": errors or [], "bars": bars,
        "supplements": supplements, "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1)}, status=status)


@router.post("/diary", dependencies=[Depends(csrf_protect)])
async def diary_add(request: Request, uid: int = Depends(page_user)) -> Response:
    form = await request.form()
    day = parse_day(form.get("day"), dt.date.today())
    entry = text(form, "text")
    if day is None or not entry:
        return _diary(request, uid, day or dt.date.today(),
                      [Problem("text", "write what you ate, e.g. '1 cup 2% milk'")], 422)
    row = validate_entry("foods", {"day": day, "text": entry})
    with app_state(request).store.user(uid) as data:
        data.add("foods", **row)
    return redirect(f"/diary?day={day.isoformat()}")


@router.get("/labs")
def labs(request: Request, uid: int = Depends(page_user)) -> Response:
    return _labs(request, uid)


def _labs(request: Request, uid: int, errors: list[Problem] | None = None,
          status: int = 200) -> Response:
    with app_state(request).store.user(uid) as data:
        rows = data.list("labs", newest_first=True)
    return render(request, "labs.html", {"labs": rows, "errors": errors or [],
                                         "today": dt.date.today()}, status=status)


@router.post("/labs", dependencies=[Depends(csrf_protect)])
async def labs_add(request: Request, uid: int = Depends(page_user)) -> Response:
    form = await request.form()
    test, value = text(form, "test"), parse_number(form.get("value"))
    day = parse_day(form.get("day"), dt.date.today())
    if test not in vocab.LAB_TESTS or value is None or value < 0 or day is None:
        return _labs(request, uid, [Problem("value", "choose a test, enter a value of zero or "
                                            "more and a valid date")], 422)
    try:
        row = validate_entry("labs", {"test": test, "value": value, "unit": text(form, "unit"),
                                      "day": day})
    except InputError as exc:
        return _labs(request, uid, exc.problems, 422)
    with app_state(request).store.user(uid) as data:
        data.add("labs", **row)
    return redirect("/labs")


@router.get("/pain")
def pain(request: Request, uid: int = Depends(page_user)) -> Response:
    return _pain(request, uid)


def _pain(request: Request, uid: int, errors: list[Problem] | None = None,
          status: int = 200) -> Response:
    with app_state(request).store.user(uid) as data:
        rows = data.list("pain", newest_first=True, limit=200)
    return render(request, "pain.html", {"entries": rows, "errors": errors or [],
                                         "today": dt.date.today()}, status=status)


@router.post("/pain", dependencies=[Depends(csrf_protect)])
async def pain_add(request: Request, uid: int = Depends(page_user)) -> Response:
    form = await request.form()
    day = parse_day(form.get("day"), dt.date.today())
    score = parse_number(form.get("score"))
    region = text(form, "region")
    if day is None or score is None or not 0 <= score <= 10 or score != int(score):
        return _pain(request, uid, [Problem("score", "a whole number from 0 to 10")], 422)
    if region not in vocab.REGIONS:
        return _pain(request, uid, [Problem("region", "choose where it hurts")], 422)
    with app_state(request).store.user(uid) as data:
        data.add("pain", day=day, region=region, score=int(score),
                 notes=text(form, "notes", 2000))
    return redirect("/pain")


@router.post("/{kind}/{item_id}/delete", dependencies=[Depends(csrf_protect)])
def delete_entry(request: Request, kind: str, item_id: ItemId,
                 uid: int = Depends(page_user)) -> Response:
    if kind not in KIND_PAGES:
        raise HTTPException(404, "nothing to delete there")
    with app_state(request).store.user(uid) as data:
        if not data.delete(kind, item_id):
            raise HTTPException(404, "no such entry among yours")
    return redirect(KIND_PAGES[kind])


@router.get("/account")
def account(request: Request, uid: int = Depends(page_user)) -> Response:
    with app_state(request).store.user(uid) as data:
        export = data.export()
    counts = {k: len(v) for k, v in export.items() if isinstance(v, list)}
    return render(request, "account.html", {"username": export["username"], "counts": counts})


@router.post("/account/delete", dependencies=[Depends(csrf_protect)])
async def account_delete(request: Request, uid: int = Depends(page_user)) -> Response:
    form = await request.form()
    if text(form, "confirm").lower() != "delete":
        return render(request, "account.html", {"username": "", "counts": {}, "errors": [
            Problem("confirm", "type delete to confirm")]}, status=422)
    state = app_state(request)
    with state.store.user(uid) as data:
        data.delete_account()
    state.forget_local_user()
    response = redirect("/?deleted=1")
    logout(request, response)
    return response


@router.get("/login")
def login_page(request: Request) -> Response:
    if not app_state(request).config.multi_user or user_id_or_none(request) is not None:
        return redirect("/")
    return render(request, "login.html", {"mode": "login"})


@router.post("/login", dependencies=[Depends(csrf_protect)])
async def login_submit(request: Request) -> Response:
    form = await request.form()
    response = redirect("/wizard")
    try:
        login(request, response, text(form, "username", 64), text(form, "password", 1000))
    except HTTPException as exc:
        return render(request, "login.html", {"mode": "login", "errors": [
            Problem("password", str(exc.detail))]}, status=exc.status_code)
    except InputError:
        return redirect("/")
    return response


@router.get("/register")
def register_page(request: Request) -> Response:
    if not app_state(request).config.multi_user:
        return redirect("/")
    return render(request, "login.html", {"mode": "register"})


@router.post("/register", dependencies=[Depends(csrf_protect)])
async def register_submit(request: Request) -> Response:
    from pydantic import ValidationError

    from nutrispine.web.schemas import Credentials

    form = await request.form()
    username, password = text(form, "username", 64), text(form, "password", 1000)
    try:
        Credentials(username=username, password=password)
        register(request, username, password)
    except ValidationError as exc:
        problems = [Problem(str(e["loc"][-1]), e["msg"]) for e in exc.errors()]
        return render(request, "login.html", {"mode": "register", "errors": problems}, 422)
    except UsernameTaken:
        return render(request, "login.html", {"mode": "register", "errors": [
            Problem("username", "that username is taken")]}, 422)
    except InputError:
        return redirect("/")
    response = redirect("/wizard")
    login(request, response, username, password)
    return response


@router.post("/logout", dependencies=[Depends(csrf_protect)])
def logout_submit(request: Request) -> Response:
    response = redirect("/")
    logout(request, response)
    return response


__all__ = ["router", "services"]
