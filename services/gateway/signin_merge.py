"""What an anonymous shopper carries into their customer account when they sign in.

Each step is an ordinary request made *as* one principal: the anonymous cart is read acting for
the anonymous session (so only its owner can carry it), re-created acting for the customer, and
cancelled acting for the anonymous session again. No step names an owner in a body.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel

from libs.contracts.chat import ConversationInfo, ConversationQuery, HandoverRequest
from libs.contracts.principal import Principal
from libs.messaging.errors import RemoteError, RequestTimeout
from libs.messaging.principal import seal
from services.gateway.deps import GatewayState

log = logging.getLogger(__name__)


async def own_conversation(gw: GatewayState, conversation_id: str | None, owner: Principal
                           ) -> tuple[str | None, str | None]:
    """(id, cart id) of `owner`'s conversation; (None, None) if it is not theirs. Asked of the
    chat service, which owns conversations, acting as `owner`."""
    if not conversation_id:
        return None, None
    info = await _chat(gw, ConversationQuery(conversation_id=conversation_id), owner)
    return info.conversation_id, info.cart_id


async def carry_conversation(gw: GatewayState, conversation_id: str | None, owner: Principal,
                             customer: Principal, cart_id: str | None) -> str | None:
    """Give `owner`'s conversation (and the carried cart) to the customer: asked of the chat
    service acting as `owner`, the customer sealed like any principal."""
    if not conversation_id:
        return None
    request = HandoverRequest(conversation_id=conversation_id, to_principal=seal(customer),
                              cart_id=cart_id)
    return (await _chat(gw, request, owner)).conversation_id


async def _chat(gw: GatewayState, request: BaseModel, owner: Principal) -> ConversationInfo:
    try:
        return await gw.rpc.request(gw.settings.chat_topic, request, ConversationInfo, principal=owner,
                                    key=getattr(request, "conversation_id", None))
    except (RemoteError, RequestTimeout) as exc:
        log.warning("conversation not carried over at sign-in: %s", type(exc).__name__)
        return ConversationInfo()


async def carry_cart(gw: GatewayState, cart_id: str | None, anonymous: Principal,
                     customer: Principal) -> dict[str, Any] | None:
    """The customer's new cart holding the anonymous cart's lines; None if there was none."""
    from services.gateway.routes.storefront import StorefrontError, call_tool

    if not cart_id:
        return None
    try:
        cart = (await call_tool(gw, "get_cart", {"cart_id": cart_id}, anonymous)).get("cart")
        if not cart or cart.get("status") != "open" or not cart.get("lines"):
            return None
        lines = [{"sku": ln["sku"], "quantity": ln["quantity"]} for ln in cart["lines"]]
        created = await call_tool(gw, "create_cart", {"lines": lines}, customer)
        await call_tool(gw, "cancel_cart", {"cart_id": cart_id}, anonymous)
    except (StorefrontError, RemoteError, RequestTimeout) as exc:
        log.warning("basket not carried over at sign-in: %s", type(exc).__name__)
        return None
    new_cart: dict[str, Any] | None = created.get("cart")
    return new_cart
