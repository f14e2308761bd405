"""What an anonymous shopper carries into their customer account when they sign in.

Each step is an ordinary request made *as* one principal: the anonymous cart is read acting for
the anonymous session (so only its owner can carry it), re-created acting for the customer, and
cancelled acting for the anonymous session again. No step names an owner in a body.
"""

from __future__ import annotations

import logging
from typing import Any

from libs.contracts.principal import Principal
from libs.conversation.store import ConversationStore
from libs.messaging.errors import RemoteError, RequestTimeout
from services.gateway.deps import GatewayState

log = logging.getLogger(__name__)


def _store(gw: GatewayState) -> ConversationStore:
    chat = gw.extras.get("chat")
    store = getattr(chat, "store", None)
    return store if isinstance(store, ConversationStore) else ConversationStore(gw.redis)


async def own_conversation(gw: GatewayState, conversation_id: str | None, owner: Principal
                           ) -> tuple[str | None, str | None]:
    """(id, cart id) of `owner`'s conversation; (None, None) if it is not theirs."""
    if not conversation_id:
        return None, None
    conv = await _store(gw).load(conversation_id)
    if conv is None or conv.owner != owner.subject:
        return None, None
    return conv.id, conv.cart_id


async def carry_conversation(gw: GatewayState, conversation_id: str | None, owner: Principal,
                             customer: Principal, cart_id: str | None) -> str | None:
    """Give `owner`'s conversation (and the carried cart) to the customer."""
    if not conversation_id:
        return None
    store = _store(gw)
    conv = await store.load(conversation_id)
    if conv is None or conv.owner != owner.subject:
        return None
    conv.owner, conv.user_id, conv.cart_id = customer.subject, customer.subject, cart_id
    await store.save(conv)
    return conv.id


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
