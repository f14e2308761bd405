"""`GET /v1/recommendations`: HTTP → `recommend.requests` → recommend service → reply."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from libs.contracts.recommend import (
    RECOMMEND_REQUESTS,
    IntentContext,
    RecommendKind,
    RecommendReply,
    RecommendRequest,
)
from services.gateway.deps import GatewayState, state
from services.gateway.errors import problem

router = APIRouter(tags=["recommendations"])


def _ids(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v][:50]


@router.get("/v1/recommendations", response_model=RecommendReply,
            summary="Recommendations for a user or visitor, per market and consent")
async def recommendations(
    user_id: str | None = Query(None, max_length=128),
    visitor_id: str | None = Query(None, max_length=128, description="pixel clientId"),
    kind: RecommendKind = "recommended_for_you",
    product_id: str | None = Query(None, max_length=64),
    limit: int = Query(10, ge=1, le=50),
    market: str | None = Query(None, max_length=8),
    country: str | None = Query(None, max_length=8),
    region: str | None = Query(None, max_length=8, description="subdivision, e.g. CA"),
    intent: Literal["purchase", "comparison", "browsing", "research"] | None = None,
    session: str | None = Query(None, max_length=2000, description="comma-separated ids"),
    basket: str | None = Query(None, max_length=2000, description="comma-separated ids"),
    personalized: bool = Query(True, description="false = the caller has no consent"),
    gw: GatewayState = Depends(state),
) -> object:
    if kind in ("similar_items", "frequently_bought_together") and not (product_id or basket):
        return problem(400, "bad_request", f"{kind} needs product_id or basket")
    if country and region and "-" not in country:
        country = f"{country}-{region}".upper()
    req = RecommendRequest(
        user_id=user_id, visitor_id=visitor_id, kind=kind, product_id=product_id, limit=limit,
        market=market, country=country, session_product_ids=_ids(session),
        basket_product_ids=_ids(basket), personalized=personalized,
        intent=IntentContext(type=intent) if intent else None,
    )
    topic: str = gw.extras.get("recommend_topic", RECOMMEND_REQUESTS)
    return await gw.rpc.request(topic, req, RecommendReply, key=req.profile_key)
