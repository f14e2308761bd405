"""Create the topics a process needs (idempotent) and check that they exist."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from libs.contracts.topics import TopicSpec
from libs.settings import kafka_client_kwargs, kafka_replication_factor


async def ensure_topics(bootstrap: str, specs: Iterable[TopicSpec], *,
                        auth: dict[str, Any] | None = None,
                        replication_factor: int | None = None) -> list[str]:
    """Create missing topics; return the names created. `auth` and `replication_factor` default
    to this process's settings (the launcher passes its admin user's and the cluster's).

    With ACLs a service sees only the topics it may describe; a create it is not allowed is
    refused by the broker (an error code in the reply, not raised), so the topics the launcher
    made stay as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000,
                                **(kafka_client_kwargs() if auth is None else auth))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        replicas = replication_factor or kafka_replication_factor()
        new = [
            NewTopic(s.name, num_partitions=s.partitions, replication_factor=replicas,
                     topic_configs=s.configs())
            for s in specs
            if s.name not in existing
        ]
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process won the race
                await admin.create_topics(new)
        return [t.name for t in new]
    finally:
        await admin.close()


async def missing_topics(bootstrap: str, names: Iterable[str]) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000,
                                **kafka_client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        return sorted(set(names) - existing)
    finally:
        await admin.close()


async def delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000,
                                **kafka_client_kwargs())
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()
