"""Kafka client factories: one KafkaBroker per service process, built in its composition root,
and `make_producer` for the plain aiokafka producers (request/reply, durable fact writers), so
delivery settings are chosen in one place."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from libs.settings import KafkaClientSettings, ServiceSettings, kafka_client_kwargs

_SASL = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}


def broker_security(auth: KafkaClientSettings) -> BaseSecurity | None:
    """FastStream's form of the same credentials `kafka_client_kwargs` gives aiokafka."""
    if not auth.kafka_sasl_username:
        return None
    kind = _SASL.get(auth.kafka_sasl_mechanism.upper())
    if kind is None:
        raise ValueError(f"unsupported MUSEO_KAFKA_SASL_MECHANISM {auth.kafka_sasl_mechanism!r}")
    return kind(auth.kafka_sasl_username, auth.kafka_sasl_password.get_secret_value())


def make_broker(settings: ServiceSettings, *, durable: bool = True) -> KafkaBroker:
    """A broker whose producer waits for all in-sync replicas and is idempotent.

    Facts accepted for a user must not be lost, so `acks=all` + idempotence is the default;
    request/reply-only processes may pass `durable=False` for acks=1.
    """
    servers = settings.kafka_bootstrap_servers
    return KafkaBroker(
        # FastStream takes a list of hosts: "a:9092,b:9094" as one string is one bad host
        servers.split(",") if "," in servers else servers,
        client_id=f"{settings.service_name}-{settings.instance_id}",
        acks="all" if durable else 1,
        enable_idempotence=durable,
        linger_ms=1,
        request_timeout_ms=15000,
        graceful_timeout=10.0,
        logger=None,
        security=broker_security(settings),
    )


def make_producer(
    bootstrap: str,
    *,
    durable: bool = True,
    linger_ms: int = 5,
    client_id: str | None = None,
    request_timeout_ms: int = 15000,
) -> AIOKafkaProducer:
    """A producer for facts (`durable`: acks=all + idempotence, the default: what was accepted
    for a user must not be lost) or for requests (acks=1, `linger_ms=0` on latency paths).
    Bulk writers raise `linger_ms` to batch more per request."""
    kwargs: dict[str, object] = {}
    if client_id:
        kwargs["client_id"] = client_id
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all" if durable else 1,
        enable_idempotence=durable,
        linger_ms=linger_ms,
        request_timeout_ms=request_timeout_ms,
        **kwargs,
        **kafka_client_kwargs(),
    )


def use_static_membership(broker: KafkaBroker, member: str | None) -> int:
    """Give each group subscriber of `broker` a stable `group_instance_id` (KIP-345 static
    membership): `<member>.<topics>`, the same after a restart of this process.

    Why: a process killed without leaving its groups stays their member until its session
    expires (10 s), and a new member's join waits for that, once per group and one group after
    another, so a SIGKILLed worker with three groups was 30 s from ready. A restarted static
    member with the same id takes its partitions back at once, no session wait, no rebalance.
    `member` must be unique among the live processes of each group (the launcher gives
    `<service>@<host>:<gateway port>`); None keeps dynamic membership (tests, k8s Deployments,
    whose pods have new names). Subscribers that open several consumers in one group (FastStream's
    max_workers without ACK_FIRST) stay dynamic: one id for several members would fence them.
    Returns how many subscribers became static. Call it after registering, before starting.
    """
    from faststream.kafka.subscriber.usecase import ConcurrentBetweenPartitionsSubscriber

    if not member:
        return 0
    count = 0
    for sub in broker.subscribers:
        group = getattr(sub, "group_id", None)
        if group is None or isinstance(sub, ConcurrentBetweenPartitionsSubscriber):
            continue
        topics = "+".join(getattr(sub, "topics", None) or []) or "pattern"
        args = dict(sub._connection_args)  # type: ignore[attr-defined]  # FastStream 0.6
        args["group_instance_id"] = f"{member}.{topics}"
        sub._connection_args = args  # type: ignore[attr-defined]
        count += 1
    return count
