"""The signed-in user's own data as JSON: profile, diaries, labs, supplements, assessments,
export and account deletion, plus sign-up and sign-in for programs.

Every route takes its user from ``api_user`` and reaches data only through ``Store.user``,
whose session is scoped to that user; another user's id is simply not found (404).
"""


import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from nutrispine.errors import InputError, Problem
from nutrispine.store import UsernameTaken
from nutrispine.web import exports, services
from nutrispine.web.auth import api_user, csrf_protect
from nutrispine.web.schemas import (
    AUTH_ERRORS,
    PROFILE_SCHEMA,
    AssessmentOut,
    Credentials,
    FoodIn,
    FoodOut,
    ItemId,
    LabIn,
    LabOut,
    LoginOut,
    MeOut,
    PainIn,
    PainOut,
    SupplementIn,
    SupplementOut,
)
from nutrispine.web.sessions import login, logout, register
from nutrispine.web.state import app_state

router = APIRouter(prefix="/api/v1", responses=AUTH_ERRORS, dependencies=[Depends(csrf_protect)])
me = APIRouter(prefix="/api/v1/me", tags=["my data"], responses=AUTH_ERRORS,
               dependencies=[Depends(csrf_protect)])


@router.post("/auth/register", tags=["accounts"], status_code=201, response_model=MeOut)
def api_register(body: Credentials, request: Request) -> MeOut:
    try:
        register(request, body.username, body.password)
    except UsernameTaken as exc:
        raise InputError(Problem("username", "that username is taken")) from exc
    return MeOut(username=body.username, multi_user=True)


@router.post("/auth/login", tags=["accounts"], response_model=LoginOut)
def api_login(body: Credentials, request: Request, response: Response) -> LoginOut:
    token, seconds = login(request, response, body.username, body.password)
    return LoginOut(username=body.username, token=token, expires_in_seconds=seconds)


@router.post("/auth/logout", tags=["accounts"], status_code=204)
def api_logout(request: Request, response: Response) -> Response:
    logout(request, response)
    response.status_code = 204
    return response


@me.get("", response_model=MeOut)
def who(request: Request, uid: int = Depends(api_user)) -> MeOut:
    with app_state(request).store.user(uid) as data:
        return MeOut(username=data.username(), multi_user=app_state(request).config.multi_user)


@me.get("/profile", openapi_extra={"responses": {"200": {"description": "Saved answers",
        "content": {"application/json": {"schema": {"type": "object"}}}}}})
def get_profile(request: Request, uid: int = Depends(api_user)) -> dict[str, Any]:
    with app_state(request).store.user(uid) as data:
        return data.profile()


@me.put("/profile", openapi_extra={"requestBody": {"required": True, "content": {
    "application/json": {"schema": PROFILE_SCHEMA}}}})
def put_profile(request: Request, profile: dict[str, Any], uid: int = Depends(api_user)
                ) -> dict[str, Any]:
    kept = {k: profile[k] for k in services.PROFILE_SECTIONS if k in profile}
    services.check_profile(kept)
    with app_state(request).store.user(uid) as data:
        data.save_profile(kept)
    return kept


def _not_found() -> HTTPException:
    return HTTPException(404, "no such entry among yours")


def _collection(kind: str, model_in: type[Any], model_out: type[Any]) -> None:
    """List, add, read and delete routes for one of the user's collections."""

    @me.get(f"/{kind}", response_model=list[model_out],  # type: ignore[valid-type]
            name=f"list_{kind}")
    def list_items(request: Request, since: dt.date | None = None,
                   uid: int = Depends(api_user)) -> list[dict[str, Any]]:
        with app_state(request).store.user(uid) as data:
            return data.list(kind, since=since)

    @me.post(f"/{kind}", response_model=model_out, status_code=201, name=f"add_{kind}")
    def add_item(request: Request, body: model_in,  # type: ignore[valid-type]
                 uid: int = Depends(api_user)) -> dict[str, Any]:
        fields = validate_entry(kind, body.model_dump())  # type: ignore[attr-defined]
        with app_state(request).store.user(uid) as data:
            return data.add(kind, **fields)

    @me.get(f"/{kind}/{{item_id}}", response_model=model_out, name=f"get_{kind}")
    def get_item(request: Request, item_id: ItemId, uid: int = Depends(api_user)) -> dict[str, Any]:
        with app_state(request).store.user(uid) as data:
            item = data.get(kind, item_id)
        if item is None:
            raise _not_found()
        return item

    @me.delete(f"/{kind}/{{item_id}}", status_code=204, name=f"delete_{kind}")
    def delete_item(request: Request, item_id: ItemId, uid: int = Depends(api_user)) -> Response:
        with app_state(request).store.user(uid) as data:
            if not data.delete(kind, item_id):
                raise _not_found()
        return Response(status_code=204)


def validate_entry(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Check units with the engine's parser and add food nutrients; raises ``InputError``."""
    if kind == "labs":
        _check_part("labs", {"test": fields["test"], "value": fields["value"],
                             "unit": fields["unit"]})
    elif kind == "supplements":
        _check_part("supplements", dict(fields))
    elif kind == "foods":
        fields = {**fields, **services.food_entry_fields(fields["text"])}
    if kind == "pain":
        fields["notes"] = fields.get("notes") or ""
    return fields


def _check_part(section: str, item: dict[str, Any]) -> None:
    probe = {"person": {"age": 40, "sex": "female"}, section: [item]}
    try:
        services.check_profile(probe)
    except InputError as exc:
        prefix = f"{section}.0."
        raise InputError([Problem(p.field.removeprefix(prefix).removeprefix(f"{section}[0]."),
                                  p.message, p.suggestions) for p in exc.problems]) from exc


_collection("foods", FoodIn, FoodOut)
_collection("labs", LabIn, LabOut)
_collection("supplements", SupplementIn, SupplementOut)
_collection("pain", PainIn, PainOut)


@me.get("/assessments", response_model=list[AssessmentOut])
def list_assessments(request: Request, uid: int = Depends(api_user)) -> list[dict[str, Any]]:
    with app_state(request).store.user(uid) as data:
        return data.list("assessments", newest_first=True)


@me.post("/assessments", response_model=AssessmentOut, status_code=201,
         summary="Assess from my saved answers, diary, labs and supplements")
def new_assessment(request: Request, uid: int = Depends(api_user)) -> dict[str, Any]:
    return run_assessment(request, uid)


def run_assessment(request: Request, uid: int) -> dict[str, Any]:
    """Assess the stored profile and keep the result in the history."""
    with app_state(request).store.user(uid) as data:
        profile = services.profile_from_store(data)
    if "person" not in profile:
        raise InputError(Problem("person", "answer the questionnaire first (age and sex)"))
    result = services.assess_dict(profile)
    with app_state(request).store.user(uid) as data:
        return data.add("assessments", profile=profile, result=result,
                        triage_level=str(result["triage"]["level"]))


@me.get("/assessments/{item_id}", response_model=AssessmentOut)
def get_assessment(request: Request, item_id: ItemId, uid: int = Depends(api_user)
                   ) -> dict[str, Any]:
    with app_state(request).store.user(uid) as data:
        item = data.get("assessments", item_id)
    if item is None:
        raise _not_found()
    return item


@me.delete("/assessments/{item_id}", status_code=204)
def delete_assessment(request: Request, item_id: ItemId, uid: int = Depends(api_user)
                      ) -> Response:
    with app_state(request).store.user(uid) as data:
        if not data.delete("assessments", item_id):
            raise _not_found()
    return Response(status_code=204)


@me.get("/export", summary="Everything I have stored, as JSON")
def export_json(request: Request, uid: int = Depends(api_user)) -> dict[str, Any]:
    with app_state(request).store.user(uid) as data:
        return data.export()


@me.get("/export.zip", summary="Everything I have stored, as CSV files in a zip",
        response_class=Response,
        responses={200: {"content": {"application/zip": {"schema": {
            "type": "string", "format": "binary"}}}, "description": "CSV files"}})
def export_csv(request: Request, uid: int = Depends(api_user)) -> Response:
    with app_state(request).store.user(uid) as data:
        blob = exports.csv_zip(data.export())
    return Response(blob, media_type="application/zip", headers={
        "content-disposition": 'attachment; filename="nutrispine-export.zip"'})


@me.delete("", status_code=204, summary="Delete my account and all my data")
def delete_me(request: Request, response: Response, uid: int = Depends(api_user)) -> Response:
    state = app_state(request)
    with state.store.user(uid) as data:
        data.delete_account()
    if not state.config.multi_user:
        state.forget_local_user()
    logout(request, response)
    response.status_code = 204
    return response
