"""Markets endpoints: HTTP -> Kafka -> markets service -> Kafka -> HTTP."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query

from libs.contracts.markets import (
    LocalizePriceReply,
    LocalizePriceRequest,
    ResolveMarketReply,
    ResolveMarketRequest,
)
from services.gateway.deps import GatewayState, state

router = APIRouter(prefix="/v1/markets", tags=["markets"])


@router.get(
    "/resolve", response_model=ResolveMarketReply, summary="Resolve the market of a request"
)
async def resolve(
    country: str | None = Query(None, max_length=64, description="ISO country code or name"),
    phone: str | None = Query(None, max_length=40, description="E.164 or WhatsApp id"),
    accept_language: str | None = Header(None, max_length=500),
    gw: GatewayState = Depends(state),
) -> ResolveMarketReply:
    req = ResolveMarketRequest(country=country, phone=phone, accept_language=accept_language)
    return await gw.rpc.request(gw.settings.markets_topic, req, ResolveMarketReply,
                                key=phone or country)


@router.post(
    "/localize", response_model=LocalizePriceReply, summary="Localise shop prices for a market"
)
async def localize(
    body: LocalizePriceRequest,
    accept_language: str | None = Header(None, max_length=500),
    gw: GatewayState = Depends(state),
) -> LocalizePriceReply:
    if body.accept_language is None and accept_language:
        body = body.model_copy(update={"accept_language": accept_language})
    return await gw.rpc.request(
        gw.settings.markets_topic, body, LocalizePriceReply, key=body.phone or body.country
    )
