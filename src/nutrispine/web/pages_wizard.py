"""The questionnaire wizard: one short page per topic, saved as you go, no JavaScript needed.

Each step posts its answers, which are merged into the saved profile and checked with the
engine's own parser; a problem re-shows the step with the message beside the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from nutrispine.errors import InputError, Problem
from nutrispine.web import services, vocab
from nutrispine.web.api_me import validate_entry
from nutrispine.web.auth import csrf_protect, page_user
from nutrispine.web.pages_common import (
    parse_day,
    parse_number,
    redirect,
    render,
    text,
    texts,
)
from nutrispine.web.state import app_state

router = APIRouter(include_in_schema=False)
STEPS = (("about", "About you"), ("pain", "Your pain"), ("symptoms", "Symptoms"),
         ("history", "Health and habits"), ("diet", "Food and supplements"),
         ("labs", "Blood tests"), ("review", "Review"))
STEP_NAMES = [s for s, _ in STEPS]


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "home.html")


@router.get("/wizard")
def wizard_start() -> Response:
    return redirect("/wizard/about")


def _step_context(request: Request, uid: int, step: str) -> dict[str, Any]:
    today = dt.date.today()
    with app_state(request).store.user(uid) as data:
        profile = data.profile()
        days = {d: [e["text"] for e in data.list("foods", since=d) if e["day"] == d.isoformat()]
                for d in (today - dt.timedelta(days=1), today - dt.timedelta(days=2))}
        context = {"profile": profile, "supplements": data.list("supplements"),
                   "labs": data.list("labs"), "diet_days": days,
                   "stored": services.profile_from_store(data)}
    index = STEP_NAMES.index(step)
    return {**context, "step": step, "steps": STEPS, "index": index,
            "next": STEP_NAMES[index + 1] if index + 1 < len(STEPS) else None,
            "prev": STEP_NAMES[index - 1] if index else None, "errors": [], "today": today}


@router.get("/wizard/{step}")
def wizard_step(request: Request, step: str, uid: int = Depends(page_user)) -> Response:
    if step not in STEP_NAMES:
        raise HTTPException(404, "no such step")
    return render(request, "wizard.html", _step_context(request, uid, step))


def _answers(step: str, form: FormData, profile: dict[str, Any]) -> dict[str, Any]:
    """The profile with this step's answers merged in (the form's view of the contract)."""
    profile = dict(profile)
    if step == "about":
        person: dict[str, Any] = {"age": parse_number(form.get("age")),
                                  "sex": text(form, "sex") or None}
        for flag in ("pregnant", "lactating"):
            person[flag] = form.get(flag) == "on"
        for key in ("weight_kg", "height_cm"):
            if (value := parse_number(form.get(key))) is not None:
                person[key] = value
        profile["person"] = person
    elif step == "pain":
        pain: dict[str, Any] = {"regions": texts(form, "regions")}
        for key in ("duration_weeks", "severity"):
            if (value := parse_number(form.get(key))) is not None:
                pain[key] = value
        profile["pain"] = pain
    elif step == "symptoms":
        profile["symptoms"] = texts(form, "symptoms")
    elif step == "history":
        profile["risk_factors"] = texts(form, "risk_factors")
        meds = texts(form, "medications")
        meds += [m.strip() for m in text(form, "other_medications").split(",") if m.strip()]
        profile["medications"] = meds
        prefs: dict[str, Any] = {"exclude": texts(form, "exclude")}
        for key in ("diet", "activity"):
            if choice := text(form, key):
                prefs[key] = choice
        dislikes = [w.strip() for w in text(form, "dislikes").split(",") if w.strip()]
        if dislikes:
            prefs["dislikes"] = dislikes
        profile["preferences"] = prefs
    return profile


def _problems(exc: InputError) -> list[Problem]:
    return exc.problems


@router.post("/wizard/{step}", dependencies=[Depends(csrf_protect)])
async def wizard_save(request: Request, step: str, uid: int = Depends(page_user)) -> Response:
    if step not in STEP_NAMES:
        raise HTTPException(404, "no such step")
    form = await request.form()
    store = app_state(request).store
    try:
        if step in ("about", "pain", "symptoms", "history"):
            with store.user(uid) as data:
                profile = _answers(step, form, data.profile())
            if step == "about" and profile["person"]["age"] is None:
                raise InputError(Problem("person.age", "enter your age in years"))
            if step == "about" and profile["person"]["sex"] is None:
                raise InputError(Problem("person.sex", "choose female or male"))
            services.check_profile({"person": {"age": 40, "sex": "female"}, **profile})
            with store.user(uid) as data:
                data.save_profile(profile)
        elif step == "diet":
            _save_diet(request, uid, form)
        elif step == "labs":
            _save_labs(request, uid, form)
    except InputError as exc:
        context = _step_context(request, uid, step)
        context["errors"] = _problems(exc)
        context["form"] = form
        return render(request, "wizard.html", context, status=422)
    index = STEP_NAMES.index(step)
    target = STEP_NAMES[index + 1] if index + 1 < len(STEPS) else "review"
    return redirect(f"/wizard/{target}")


def _save_diet(request: Request, uid: int, form: FormData) -> None:
    """Replace the diary of the two days shown and the supplement list with the form's."""
    today = dt.date.today()
    supplements: list[dict[str, Any]] = []
    for i in range(3):
        nutrient, amount, unit = (text(form, f"sup_nutrient_{i}"),
                                  parse_number(form.get(f"sup_amount_{i}")),
                                  text(form, f"sup_unit_{i}"))
        if not nutrient and amount is None:
            continue
        if nutrient not in vocab.NUTRIENTS or amount is None or amount <= 0:
            raise InputError(Problem(f"supplements.{i}", "choose a nutrient and a daily amount "
                                     "above zero"))
        supplements.append(validate_entry("supplements", {"nutrient": nutrient, "amount": amount,
                                                          "unit": unit or "µg"}))
    entries: dict[dt.date, list[dict[str, Any]]] = {}
    for offset in (1, 2):
        day = today - dt.timedelta(days=offset)
        lines = [ln.strip()[:500] for ln in text(form, f"day{offset}", 20000).splitlines()]
        entries[day] = [validate_entry("foods", {"day": day, "text": ln}) for ln in lines if ln]
    with app_state(request).store.user(uid) as data:
        for old in data.list("supplements"):
            data.delete("supplements", old["id"])
        for sup in supplements:
            data.add("supplements", **sup)
        for day, rows in entries.items():
            for old in data.list("foods", since=day):
                if old["day"] == day.isoformat():
                    data.delete("foods", old["id"])
            for row in rows:
                data.add("foods", **row)


def _save_labs(request: Request, uid: int, form: FormData) -> None:
    rows = []
    for i in range(3):
        test, value = text(form, f"lab_test_{i}"), parse_number(form.get(f"lab_value_{i}"))
        if not test and value is None:
            continue
        day = parse_day(form.get(f"lab_day_{i}"), dt.date.today())
        if test not in vocab.LAB_TESTS or value is None or value < 0 or day is None:
            raise InputError(Problem(f"labs.{i}", "choose a test, a value and a valid date"))
        fields = {"test": test, "value": value, "unit": text(form, f"lab_unit_{i}"), "day": day}
        try:
            rows.append(validate_entry("labs", fields))
        except InputError as exc:
            raise InputError([Problem(f"labs.{i}.{p.field}", p.message, p.suggestions)
                              for p in exc.problems]) from exc
    with app_state(request).store.user(uid) as data:
        for row in rows:
            data.add("labs", **row)
