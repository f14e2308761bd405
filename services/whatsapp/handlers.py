"""Thin transport of `whatsapp.inbound`: read the sealed principal, hand the message over.

A fact consumer (commit after handling): a record that does not validate, or whose principal
is missing or not its sender's, goes to `whatsapp.inbound.dlq` with the error; a handler that
keeps failing (chat or Meta down) is retried, then dead-lettered, so nothing is lost and one
poison record never blocks a customer's partition.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter

from libs.contracts.principal import H_PRINCIPAL
from libs.contracts.whatsapp import InboundMessage
from libs.messaging.facts import register_fact_handler
from libs.messaging.principal import unseal
from services.whatsapp.channel import WhatsAppChannel


def register(broker: KafkaBroker, channel: WhatsAppChannel, *, topic: str, group_id: str) -> None:
    async def on_message(message: InboundMessage, msg: KafkaMessage) -> None:
        """A customer's WhatsApp message (verified by the gateway) becomes a chat turn."""
        await channel.handle(message, unseal(dict(msg.headers).get(H_PRINCIPAL)))

    register_fact_handler(broker, topic=topic, adapter=TypeAdapter(InboundMessage),
                          handler=on_message, group_id=group_id,
                          description=on_message.__doc__)
