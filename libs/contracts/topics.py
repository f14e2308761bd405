"""Every topic the system uses, with how it must be created."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = 3
    compacted: bool = False
    config: dict[str, str] = field(default_factory=dict)

    def configs(self) -> dict[str, str]:
        base = {"cleanup.policy": "compact"} if self.compacted else {}
        return {**base, **self.config}


MARKETS_REQUESTS = "markets.requests"
INTENT_REQUESTS = "intent.requests"
STOREFRONT_REQUESTS = "storefront.requests"
ADMIN_REQUESTS = "admin.requests"
RECOMMEND_REQUESTS = "recommend.requests"
USER_EVENTS_REQUESTS = "user_events.requests"
CHAT_REQUESTS = "chat.requests"
CATALOG_PRODUCTS = "catalog.products"
EVENTS_RAW = "events.raw"
ORDERS = "orders"
PRIVACY_REQUESTS = "privacy.requests"
NOTIFY_REQUESTS = "notify.requests"
NOTIFICATIONS_REQUESTS = "notifications.requests"  # request/reply: delivery status
NOTIFICATIONS_STATUS = "notifications.status"
NOTIFICATIONS_CALLBACKS = "notifications.callbacks"  # verified vendor webhooks
WHATSAPP_INBOUND = "whatsapp.inbound"  # verified inbound WhatsApp messages (the chat channel)
SHIPMENTS = "shipments"  # an order (or part of it) left with a carrier
CHECKOUTS = "checkouts"  # a verified shopper got a payment link, or cancelled the cart
GATEWAY_REPLIES_PREFIX = "gateway.replies."


def dlq(topic: str) -> str:
    return f"{topic}.dlq"


REQUEST_TOPICS = (
    MARKETS_REQUESTS,
    INTENT_REQUESTS,
    STOREFRONT_REQUESTS,
    ADMIN_REQUESTS,
    RECOMMEND_REQUESTS,
    USER_EVENTS_REQUESTS,
    NOTIFICATIONS_REQUESTS,
    CHAT_REQUESTS,
)
# Records that name a person (an id, an address, a phone, what they wrote) cannot be erased one
# by one inside a Kafka log, so those topics keep a bounded week; what lasts is in Redis, where
# erasure reaches it (profiles removed, orders anonymised, contacts dropped).
PERSONAL_RETENTION = {"retention.ms": str(7 * 24 * 3600 * 1000)}
FACT_TOPICS = (
    TopicSpec(CATALOG_PRODUCTS, partitions=3, compacted=True),
    TopicSpec(EVENTS_RAW, partitions=3, config=PERSONAL_RETENTION),
    TopicSpec(ORDERS, partitions=3, config=PERSONAL_RETENTION),  # owner and contact inside
    TopicSpec(PRIVACY_REQUESTS, partitions=1),
    TopicSpec(NOTIFY_REQUESTS, partitions=3),
    TopicSpec(NOTIFICATIONS_STATUS, partitions=3),
    TopicSpec(NOTIFICATIONS_CALLBACKS, partitions=3, config=PERSONAL_RETENTION),  # phones
    TopicSpec(WHATSAPP_INBOUND, partitions=3, config=PERSONAL_RETENTION),  # messages, phones
    TopicSpec(SHIPMENTS, partitions=3),
    # Checkout starts name the buyer's contact; they matter for hours (abandoned-cart reminders).
    TopicSpec(CHECKOUTS, partitions=3, config=PERSONAL_RETENTION),
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    *(TopicSpec(t, partitions=3) for t in REQUEST_TOPICS),
    *FACT_TOPICS,
    *(TopicSpec(dlq(t.name), partitions=1, config=dict(t.config)) for t in FACT_TOPICS),
    *(TopicSpec(dlq(t), partitions=1) for t in REQUEST_TOPICS),
)


def reply_topic(instance_id: str) -> str:
    return f"{GATEWAY_REPLIES_PREFIX}{instance_id}"
