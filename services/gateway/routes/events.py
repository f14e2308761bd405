"""`POST /v1/events`: Shopify Web Pixels standard events, one or a batch, exactly as a custom
pixel sends them (`analytics.subscribe("all_standard_events", e => fetch(..., e))`).

Each event is validated on its own: bad ones are rejected with their index, id and reason; the
good ones are published to `events.raw` (key = client id) by an idempotent `acks=all` producer.
The answer is 202 only after Kafka acknowledged every accepted event; 422 when none was valid.

Who may say what (`event_trust`): a pixel event is trusted for its clientId only. A customer id
in an event is kept only when the caller proves it: a customer token / session for that same
customer, or a server-side credential with `events:write`; from anyone else it is dropped (the
event still counts for its clientId) and reported in `customer_ids_ignored`. The internal types
(`conversation_turn`, `order_completed`) are made by the services themselves and refused here.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from libs.contracts.base import H_CONTENT_TYPE, H_MESSAGE_ID
from libs.contracts.events import UserEvent
from libs.events import validate_batch
from libs.events.validation import Rejection, _events
from libs.messaging.errors import BrokerUnavailable
from services.gateway.deps import CurrentPrincipal, GatewayState, state
from services.gateway.errors import problem
from services.gateway.event_trust import INTERNAL_TYPES, apply_trust
from services.gateway.jsonbody import BadJson, loads_strict

router = APIRouter(tags=["events"])
async def publish_events(gw: GatewayState, events: list[UserEvent]) -> None:
    """Send every event and wait until Kafka acknowledged all of them (acks=all), within the
    send timeout: with the broker down the caller gets `BrokerUnavailable` (a 503) at once,
    not after the producer's own 15 s (events carry ids, so a retried batch folds once)."""
    producer, topic = gw.facts(), gw.settings.events_topic
    deadline = gw.settings.kafka_send_timeout_s
    try:
        async with asyncio.timeout(deadline):
            futures = [
                await producer.send(
                    topic,
                    event.model_dump_json().encode(),
                    key=event.visitor_id.encode(),
                    headers=[(H_MESSAGE_ID, event.event_id.encode()),
                             (H_CONTENT_TYPE, b"application/json")],
                )
                for event in events
            ]
            await asyncio.gather(*futures)
    except TimeoutError:
        raise BrokerUnavailable(topic, deadline) from None


@router.post("/v1/events", status_code=202, summary="Ingest Web Pixels events (one or a batch)")
async def ingest(
    request: Request,
    who: CurrentPrincipal,
    market: str | None = Query(None, max_length=8, description="market code, e.g. UK, EU, US"),
    country: str | None = Query(None, max_length=8, description="ISO country (US-CA for CA)"),
    gw: GatewayState = Depends(state),
) -> Any:
    try:
        payload = loads_strict(await request.body())
    except BadJson as exc:
        return problem(400, "bad_request", str(exc))
    if not isinstance(payload, dict | list):
        return problem(400, "bad_request", "body must be an event, a list or {\"events\": [...]}")
    raw = _events(payload)
    kept = [i for i, e in enumerate(raw) if not (isinstance(e, dict)
                                                 and e.get("name") in INTERNAL_TYPES)]
    refused = [Rejection(index=i, id=str(raw[i].get("id")) if raw[i].get("id") else None,
                         reason=f"{raw[i]['name']} is an internal event type, not accepted here")
               for i in range(len(raw)) if i not in set(kept)]
    result = validate_batch([raw[i] for i in kept], market=market, country=country)
    for r in (*result.rejected, *result.skipped):
        r.index = kept[r.index] if r.index < len(kept) else r.index
    accepted, untrusted, mismatched = apply_trust(who, result.accepted)
    index_of = {str(raw[i].get("id")): i for i in kept if isinstance(raw[i], dict)}
    for r in mismatched:
        r.index = index_of.get(str(r.id), r.index)
    result.accepted = accepted
    result.rejected = sorted([*result.rejected, *refused, *mismatched], key=lambda r: r.index)
    body = {
        "accepted": len(result.accepted),
        "accepted_ids": [e.event_id for e in result.accepted],
        "rejected": [r.model_dump() for r in result.rejected],
        "skipped": [r.model_dump() for r in result.skipped],
        "customer_ids_ignored": untrusted,
    }
    if not result.accepted and result.rejected:
        return JSONResponse(
            {"error": {"code": "invalid_events", "message": "no valid event"}, **body}, 422)
    if result.accepted:
        await publish_events(gw, result.accepted)
    return body
