"""Thin Kafka handlers: validate, hand the fact or query to the plain objects that act on it."""

from __future__ import annotations

from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel, TypeAdapter

from libs.contracts.notification_queries import NotificationsQuery
from libs.contracts.notifications import NotificationRequest, ProviderCallback
from libs.contracts.orders import CheckoutEvent, Order
from libs.contracts.privacy import PrivacyCommand
from libs.contracts.shipments import Shipment
from libs.messaging.facts import register_fact_handler
from libs.messaging.worker import register_request_handler
from services.notifications.callbacks import parse, twilio_keyword
from services.notifications.consent import ConsentStore, address_of
from services.notifications.delivery import Notifier
from services.notifications.queries import QueryDesk
from services.notifications.scheduler import Scheduler
from services.notifications.store import NotificationStore
from services.notifications.triggers import Flows


@dataclass(frozen=True)
class Topics:
    orders: str
    requests: str
    callbacks: str
    rpc: str
    privacy: str
    shipments: str
    checkouts: str


@dataclass
class Parts:
    notifier: Notifier
    store: NotificationStore
    consent: ConsentStore
    scheduler: Scheduler
    flows: Flows
    desk: QueryDesk


async def apply_privacy(parts: Parts, command: PrivacyCommand) -> None:
    """Erase: contact data, links, choices and pending jobs go. Consent: the person's channel
    and marketing choices are recorded; a channel opted back into lifts the opt-out of the
    address this service holds for them (an earlier STOP or unsubscribe)."""
    if command.kind == "erase":
        for subject in (command.user_id, *command.visitor_ids):
            await parts.store.erase(subject)
            await parts.consent.erase(subject)
            await parts.scheduler.erase(subject)
        return
    if command.consent is None:
        return
    await parts.consent.record(command.user_id, command.market, command.consent)
    contact = await parts.store.contact(command.user_id)
    for channel, yes in (command.consent.channels or {}).items():
        address = address_of(contact, channel) if contact else None
        if yes and address:
            await parts.consent.opt_in(channel, parts.consent.address_hash(channel, address))


def register(broker: KafkaBroker, parts: Parts, topics: Topics, group_id: str) -> None:
    notifier, store, flows = parts.notifier, parts.store, parts.flows

    async def on_order(order: Order, _msg: KafkaMessage) -> None:
        """Send the order confirmation to the buyer's verified contact (once per channel)."""
        await flows.on_order(order)

    async def on_request(request: NotificationRequest, _msg: KafkaMessage) -> None:
        """Send a notification to a person whose verified contact this service already holds."""
        await notifier.notify(request, await store.contact(request.subject))

    async def on_shipment(shipment: Shipment, _msg: KafkaMessage) -> None:
        """Send the order's buyer a shipping update with the carrier and tracking link."""
        await flows.on_shipment(shipment)

    async def on_checkout(event: CheckoutEvent, _msg: KafkaMessage) -> None:
        """Schedule (or drop) the cart's abandoned-cart reminder."""
        await flows.on_checkout(event)

    async def on_privacy(command: PrivacyCommand, _msg: KafkaMessage) -> None:
        """Erase a person's contact data and history links; record their channel choices."""
        await apply_privacy(parts, command)

    async def on_callback(callback: ProviderCallback, _msg: KafkaMessage) -> None:
        """Apply a verified vendor webhook: delivery statuses, inbound WhatsApp messages (which
        open the 24-hour window for free text), and SMS STOP/START keywords."""
        statuses, inbound = parse(callback)
        for update in statuses:
            await notifier.record(update, callback.received_at)
        for message in inbound:
            await store.open_window(message.wa_id, message.at.timestamp())
        if (word := twilio_keyword(callback)) is not None:
            digest = parts.consent.address_hash(word.channel, word.phone)
            if word.action == "stop":
                await parts.consent.opt_out(word.channel, digest)
            else:
                await parts.consent.opt_in(word.channel, digest)

    async def answer(query: BaseModel) -> BaseModel:
        """Delivery status, templates, a template preview, or an unsubscribe link's step."""
        return await parts.desk.answer(query)

    facts = ((topics.orders, Order, on_order), (topics.requests, NotificationRequest, on_request),
             (topics.callbacks, ProviderCallback, on_callback),
             (topics.shipments, Shipment, on_shipment),
             (topics.checkouts, CheckoutEvent, on_checkout))
    for topic, model, handler in facts:
        register_fact_handler(broker, topic=topic, adapter=TypeAdapter(model), handler=handler,
                              group_id=group_id)
    register_fact_handler(broker, topic=topics.privacy, adapter=TypeAdapter(PrivacyCommand),
                          handler=on_privacy, group_id=f"{group_id}.privacy")
    register_request_handler(broker, topic=topics.rpc, service="notifications",
                             adapter=TypeAdapter(NotificationsQuery), handler=answer,
                             group_id=group_id)
