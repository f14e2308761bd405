"""Admin API of notifications: delivery status, templates and their preview, and shipments.

Each route authenticates a service account or API key and checks its scope (`orders:read` to
look, `orders:write` to record a shipment), then asks the notification service over Kafka
(`notifications.requests`) or publishes the `shipments` fact (acks=all, 202 once the broker
has it; 503 when it does not answer). The gateway renders nothing and decides nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.auth import Principal
from libs.auth.scopes import ORDERS_READ, ORDERS_WRITE
from libs.contracts.notification_queries import (
    PreviewQuery,
    PreviewReply,
    StatusQuery,
    StatusReply,
    TemplatesQuery,
    TemplatesReply,
)
from libs.contracts.notifications import Channel
from libs.contracts.shipments import Shipment, ShipmentAccepted, ShipmentIn
from services.gateway.admin_auth import require
from services.gateway.deps import GatewayState, state
from services.gateway.errors import problem

router = APIRouter(prefix="/v1/admin", tags=["admin", "notifications"])
can_read = require(ORDERS_READ)
can_write = require(ORDERS_WRITE)


class PreviewBody(BaseModel):
    kind: str = Field(min_length=1, max_length=64, pattern=r"^[a-z_]+$")
    language: str | None = Field(default=None, max_length=16, description="en, es or fr")
    market: str | None = Field(default=None, max_length=8, description="UK, EU, US...")
    country: str | None = Field(default=None, min_length=2, max_length=2)
    channel: Channel = "email"


def _rpc_topic(gw: GatewayState) -> str:
    return gw.settings.notifications_topic


@router.get("/notifications/templates", response_model=TemplatesReply,
            summary="The message kinds, their languages and parts")
async def templates(gw: GatewayState = Depends(state),
                    _: Principal = Depends(can_read)) -> TemplatesReply:
    return await gw.rpc.request(_rpc_topic(gw), TemplatesQuery(), TemplatesReply)


@router.post("/notifications/preview", response_model=PreviewReply,
             summary="Render a template with sample data, as a recipient would get it")
async def preview(body: PreviewBody, gw: GatewayState = Depends(state),
                  _: Principal = Depends(can_read)) -> PreviewReply:
    query = PreviewQuery(**body.model_dump())
    return await gw.rpc.request(_rpc_topic(gw), query, PreviewReply, key=body.kind)


@router.get("/notifications/{notification_id}", response_model=StatusReply,
            summary="Delivery status of one notification, with every update")
async def status(notification_id: str = Path(min_length=1, max_length=64,
                                             pattern=r"^[A-Za-z0-9_]+$"),
                 gw: GatewayState = Depends(state), _: Principal = Depends(can_read)) -> Any:
    reply = await gw.rpc.request(_rpc_topic(gw), StatusQuery(notification_id=notification_id),
                                 StatusReply, key=notification_id)
    if reply.current is None and not reply.history:
        return problem(404, "not_found", f"no notification {notification_id}")
    return reply


@router.post("/shipments", status_code=202, response_model=ShipmentAccepted,
             summary="Record a shipment; the buyer gets a shipping update in their language")
async def record_shipment(body: ShipmentIn, gw: GatewayState = Depends(state),
                          who: Principal = Depends(can_write)) -> Any:
    shipment = Shipment(
        shipment_id=body.shipment_id or f"shp_{uuid.uuid4().hex[:16]}", order_id=body.order_id,
        carrier=body.carrier, tracking_url=str(body.tracking_url),
        tracking_number=body.tracking_number, actor=who.subject)
    sending = gw.facts().send_and_wait(gw.settings.shipments_topic,
                                     shipment.model_dump_json().encode(),
                                     key=shipment.order_id.encode())
    await asyncio.wait_for(sending, gw.settings.kafka_send_timeout_s)  # down: a fast 503
    accepted = ShipmentAccepted(shipment_id=shipment.shipment_id, order_id=shipment.order_id)
    return JSONResponse(accepted.model_dump(), status_code=202)
