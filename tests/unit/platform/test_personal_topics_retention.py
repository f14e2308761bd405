"""Topics whose records name a person keep them a bounded time: a Kafka log cannot forget one
person, so erasure (which reaches Redis) is complete only once the log has rolled over."""

from __future__ import annotations

from libs.contracts.topics import (
    ALL_TOPICS,
    CHECKOUTS,
    EVENTS_RAW,
    NOTIFICATIONS_CALLBACKS,
    ORDERS,
    WHATSAPP_INBOUND,
    dlq,
)

WEEK_MS = 7 * 24 * 3600 * 1000
PERSONAL = (EVENTS_RAW, ORDERS, CHECKOUTS, NOTIFICATIONS_CALLBACKS, WHATSAPP_INBOUND)


def test_every_topic_that_names_a_person_and_its_dlq_keeps_at_most_a_week() -> None:
    specs = {t.name: t for t in ALL_TOPICS}
    for name in (*PERSONAL, *(dlq(n) for n in PERSONAL)):
        retention = specs[name].configs().get("retention.ms")
        assert retention is not None and int(retention) <= WEEK_MS, name
        assert specs[name].configs().get("cleanup.policy", "delete") == "delete", name
