"""Broker factory: one KafkaBroker per service process, built in its composition root."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from libs.settings import ServiceSettings


def make_broker(settings: ServiceSettings, *, durable: bool = True) -> KafkaBroker:
    """A broker whose producer waits for all in-sync replicas and is idempotent.

    Facts accepted for a user must not be lost, so `acks=all` + idempotence is the default;
    request/reply-only processes may pass `durable=False` for acks=1.
    """
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"{settings.service_name}-{settings.instance_id}",
        acks="all" if durable else 1,
        enable_idempotence=durable,
        linger_ms=1,
        request_timeout_ms=15000,
        graceful_timeout=10.0,
        logger=None,
    )
