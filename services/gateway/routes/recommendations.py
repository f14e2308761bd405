"""`GET /v1/recommendations`: HTTP → `recommend.requests` → recommend service → reply.

Answers for the caller only: a shopper's own profile (customer, or anonymous session). Naming
another user or visitor (`user_id`, `visitor_id`) needs a service credential with `recs:read`
(the shop's backend). Consent is judged by the recommend service from the stored profile's
market, so `market=US` in the query cannot switch off a EU/UK shopper's GDPR rules.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from libs.auth.principal import require_scope
from libs.auth.scopes import RECS_READ
from libs.contracts.principal import Principal
from libs.contracts.recommend import (
    IntentContext,
    RecommendKind,
    RecommendReply,
    RecommendRequest,
)
from services.gateway.deps import CurrentPrincipal, GatewayState, NotYours, state, user_id_of
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
    *,
    who: CurrentPrincipal,
    gw: GatewayState = Depends(state),
) -> object:
    if kind in ("similar_items", "frequently_bought_together") and not (product_id or basket):
        return problem(400, "bad_request", f"{kind} needs product_id or basket")
    if country and region and "-" not in country:
        country = f"{country}-{region}".upper()
    user_id, visitor_id = _whose(who, user_id, visitor_id)
    req = RecommendRequest(
        user_id=user_id, visitor_id=visitor_id, kind=kind, product_id=product_id, limit=limit,
        market=market, country=country, session_product_ids=_ids(session),
        basket_product_ids=_ids(basket), personalized=personalized,
        intent=IntentContext(type=intent) if intent else None,
    )
    topic = gw.settings.recommend_topic
    return await gw.rpc.request(topic, req, RecommendReply, key=req.profile_key, principal=who)


def _whose(who: Principal, user_id: str | None, visitor_id: str | None
           ) -> tuple[str | None, str | None]:
    """(user_id, visitor_id) the request may read: a shopper's own, or any with `recs:read`."""
    if not who.is_shopper:
        if user_id or visitor_id:
            require_scope(who, RECS_READ)
        return user_id, visitor_id
    own_user = user_id_of(who)
    names = {who.subject, who.subject.split(":", 1)[-1]}
    if (user_id and user_id not in names) or (visitor_id and visitor_id not in names):
        raise NotYours("recommendations are for your own session; another user needs recs:read")
    return own_user, None if own_user else who.subject
