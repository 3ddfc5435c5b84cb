"""The stateless JSON API: assess, plan, foods and knowledge (no account needed).

``POST /api/v1/assess`` answers with exactly the bytes ``nutrispine assess --format json``
prints, because both call ``services.assess_json``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from nutrispine.web import services
from nutrispine.web.schemas import (
    ASSESSMENT_SCHEMA,
    ERRORS,
    PLAN_SCHEMA,
    PROFILE_SCHEMA,
    FoodSearchOut,
    Nutrient,
    ParseIn,
)
from nutrispine.web.state import app_state

router = APIRouter(prefix="/api/v1", responses=ERRORS)
JSON = "application/json"


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True,
                            "content": {JSON: {"schema": schema}}}}


@router.get("/health", tags=["meta"], summary="Liveness (the benchmark's trivial endpoint)")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post(
    "/assess", tags=["engine"], summary="Assess a profile (same JSON as the CLI)",
    openapi_extra=_json_body(PROFILE_SCHEMA),
    responses={200: {"content": {JSON: {"schema": ASSESSMENT_SCHEMA}},
                     "description": "The assessment"}},
)
async def assess(
    request: Request,
    profile: dict[str, Any] = Body(...),
    vitamin_d_cutoffs: Literal["nam2011", "endocrine2011"] = Query(
        "nam2011", description="25(OH)D cut-offs: National Academies 2011 or Endocrine "
        "Society 2011 (as the CLI's --vitamin-d-cutoffs)"),
) -> Response:
    cache = app_state(request).assess_cache
    key = cache.key(await request.body(), "assess", vitamin_d_cutoffs,
                    dt.date.today().isoformat())
    text = cache.get(key)
    if text is None:  # the engine is CPU work: keep it off the event loop
        text = await run_in_threadpool(services.assess_json, profile, vitamin_d_cutoffs)
        cache.put(key, text)
    return Response(text, media_type=JSON)


@router.post(
    "/plan", tags=["engine"], summary="A meal plan for a profile (same JSON as the CLI)",
    openapi_extra=_json_body(PROFILE_SCHEMA),
    responses={200: {"content": {JSON: {"schema": PLAN_SCHEMA}}, "description": "The plan"}},
)
def plan(profile: dict[str, Any] = Body(...),
         days: int = Query(1, ge=1, le=14, description="How many days to plan")) -> Response:
    return Response(services.plan_json(profile, days), media_type=JSON)


@router.get("/foods/search", tags=["foods"], response_model=FoodSearchOut,
            summary="Foods matching a name (for search as you type)")
def food_search(q: str = Query(min_length=1, max_length=200),
                limit: int = Query(10, ge=1, le=50)) -> FoodSearchOut:
    return FoodSearchOut.model_validate({"query": q, "results": services.search_foods(q, limit)})


@router.post("/foods/parse", tags=["foods"], summary="Parse diary entries into grams and nutrients",
             responses={200: {"content": {JSON: {"schema": {
                 "type": "object", "required": ["items"],
                 "properties": {"items": {"type": "array"}}}}}, "description": "Parsed items"}})
def food_parse(body: ParseIn) -> Response:
    import json

    data = services.parse_foods(body.entries)
    return Response(json.dumps(data, indent=2, ensure_ascii=False) + "\n", media_type=JSON)


@router.get("/knowledge", tags=["knowledge"], summary="The nutrients, why they matter, foods")
def knowledge() -> dict[str, Any]:
    return services.knowledge_summary()


@router.get("/knowledge/{nutrient}/requirement", tags=["knowledge"],
            summary="EAR, RDA, AI and UL for one life stage, with the source")
def knowledge_requirement(
    nutrient: Nutrient,
    age: float = Query(ge=1, le=120),
    sex: str = Query(pattern="^(female|male)$"),
    pregnant: bool = False,
    lactating: bool = False,
) -> dict[str, Any]:
    return services.requirement(nutrient, age, sex, pregnant, lactating)
