"""Which identities an event may claim, given who sent it (see `routes/events.py`)."""

from __future__ import annotations

from libs.auth.scopes import EVENTS_WRITE
from libs.contracts.events import UserEvent
from libs.contracts.principal import Principal
from libs.events.validation import Rejection

INTERNAL_TYPES = frozenset({"conversation_turn", "order_completed"})
CUSTOMER = "customer:"


def customer_key(customer_id: str) -> str:
    """The profile key of a shop customer id: the same as their principal's subject."""
    return customer_id if customer_id.startswith(CUSTOMER) else f"{CUSTOMER}{customer_id}"


def apply_trust(who: Principal, events: list[UserEvent]
                ) -> tuple[list[UserEvent], int, list[Rejection]]:
    """(events to publish, customer ids dropped as unproven, events refused as another's)."""
    out: list[UserEvent] = []
    dropped = 0
    refused: list[Rejection] = []
    trusted_server = not who.is_shopper and who.has_scope(EVENTS_WRITE)
    for index, event in enumerate(events):
        claimed = event.user_id
        if who.kind == "customer":
            if claimed and customer_key(claimed) != who.subject:
                refused.append(Rejection(index=index, id=event.event_id,
                                         reason="customer id is not the signed-in customer"))
                continue
            event = event.model_copy(update={"user_id": who.subject})
        elif claimed and trusted_server:
            event = event.model_copy(update={"user_id": customer_key(claimed)})
        elif claimed:
            dropped += 1
            event = event.model_copy(update={"user_id": None})
        out.append(event)
    return out, dropped, refused
