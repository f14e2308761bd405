"""Thin Kafka handlers: turn facts into notification requests and hand them to the Notifier."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter

from libs.contracts.notifications import (
    NotificationRequest,
    ProviderCallback,
    StatusQuery,
    StatusReply,
)
from libs.contracts.orders import Order
from libs.contracts.privacy import PrivacyCommand
from libs.messaging.facts import register_fact_handler
from libs.messaging.worker import register_request_handler
from services.notifications.callbacks import parse
from services.notifications.delivery import Notifier
from services.notifications.store import NotificationStore


def order_request(order: Order) -> NotificationRequest:
    """The order confirmation for an `orders` fact; its trigger is the order id, so a
    redelivered record maps to the same idempotency keys."""
    return NotificationRequest(
        request_id=f"order:{order.order_id}", kind="order_confirmation",
        trigger=f"order:{order.order_id}", subject=order.owner, market=order.market,
        transactional=True,
        data=order.model_dump(mode="json", include={
            "order_id", "lines", "subtotal", "shipping", "tax", "total", "currency", "created_at",
        }),
    )


def register(broker: KafkaBroker, notifier: Notifier, store: NotificationStore, *,
             orders_topic: str, requests_topic: str, callbacks_topic: str, rpc_topic: str, privacy_topic: str,
             group_id: str) -> None:
    async def on_order(order: Order, _msg: KafkaMessage) -> None:
        """Send the order confirmation to the buyer's verified contact (once per channel)."""
        await notifier.notify(order_request(order), order.contact)

    async def on_request(request: NotificationRequest, _msg: KafkaMessage) -> None:
        """Send a notification to a person whose verified contact this service already holds."""
        await notifier.notify(request, await store.contact(request.subject))

    async def on_privacy(command: PrivacyCommand, _msg: KafkaMessage) -> None:
        """Erase a person's contact data and unlink their notification history."""
        if command.kind == "erase":
            for subject in (command.user_id, *command.visitor_ids):
                await store.erase(subject)

    async def on_callback(callback: ProviderCallback, _msg: KafkaMessage) -> None:
        """Apply a verified vendor webhook: delivery statuses, and inbound WhatsApp messages
        (which open the 24-hour window for free text)."""
        statuses, inbound = parse(callback)
        for update in statuses:
            await notifier.record(update, callback.received_at)
        for message in inbound:
            await store.open_window(message.wa_id, message.at.timestamp())

    async def get_status(query: StatusQuery) -> StatusReply:
        """Current delivery status of one notification and every update received."""
        return StatusReply(notification_id=query.notification_id,
                           current=await store.current(query.notification_id),
                           history=await store.history(query.notification_id))

    register_fact_handler(broker, topic=orders_topic, adapter=TypeAdapter(Order),
                          handler=on_order, group_id=group_id)
    register_fact_handler(broker, topic=requests_topic, adapter=TypeAdapter(NotificationRequest),
                          handler=on_request, group_id=group_id)
    register_fact_handler(broker, topic=callbacks_topic, adapter=TypeAdapter(ProviderCallback),
                          handler=on_callback, group_id=group_id)
    register_fact_handler(broker, topic=privacy_topic, adapter=TypeAdapter(PrivacyCommand),
                          handler=on_privacy, group_id=f"{group_id}.privacy")
    register_request_handler(broker, topic=rpc_topic, service="notifications",
                             adapter=TypeAdapter(StatusQuery), handler=get_status,
                             group_id=group_id)
