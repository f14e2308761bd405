"""Shared fixture of the admin integration tests (no tests here): a real gateway on a free port
and the admin worker's broker in this process, with auth state and spool in temp dirs.

Import explicitly: `from tests.integration.test_admin_support import admin_stack  # noqa: F401`.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker

from libs.auth import (
    AuthSettings,
    JsonFileApiKeyStore,
    JsonFileServiceAccountStore,
    create_api_key,
    create_service_account,
)
from libs.auth.scopes import ALL_SCOPES, CATALOG_IMPORT, CATALOG_READ, CATALOG_WRITE
from libs.contracts.topics import ALL_TOPICS, TopicSpec
from libs.messaging.broker import make_broker
from libs.messaging.topics import delete_topics, ensure_topics
from libs.settings import ServiceSettings
from services.gateway.deps import GatewayState
from services.mcp_workers.admin import worker as admin_worker
from tests.integration.helpers_platform import GatewayServer, unique

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


@dataclass
class Client:
    client_id: str
    secret: str


@dataclass
class AdminStack:
    kafka: str
    gateway: GatewayServer
    auth: AuthSettings
    spool: Path
    catalog_topic: str
    clients: dict[str, Client] = field(default_factory=dict)
    api_key: str = ""

    @property
    def base_url(self) -> str:
        return self.gateway.base_url

    async def token(self, who: str = "admin", scope: str | None = None) -> str:
        c = self.clients[who]
        data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        async with httpx.AsyncClient(base_url=self.base_url, timeout=20) as http:
            r = await http.post("/oauth/token", data=data, auth=(c.client_id, c.secret))
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    async def client(self, who: str = "admin") -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {await self.token(who)}"}
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30)


def _accounts(auth: AuthSettings) -> tuple[dict[str, Client], str]:
    store = JsonFileServiceAccountStore(auth.accounts_path)
    wanted = {
        "admin": sorted(ALL_SCOPES),
        "reader": [CATALOG_READ],
        "importer": [CATALOG_IMPORT, CATALOG_READ, CATALOG_WRITE],
    }
    clients = {}
    for name, scopes in wanted.items():
        account, secret = create_service_account(store, f"test-{name}", scopes, hash_n=2**10)
        clients[name] = Client(account.client_id, secret)
    _, key = create_api_key(JsonFileApiKeyStore(auth.api_keys_path), "test", [CATALOG_READ])
    return clients, key


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def admin_stack(
    kafka_bootstrap: str, redis_url: str, tmp_path_factory: Any
) -> AsyncIterator[AdminStack]:
    root = tmp_path_factory.mktemp("admin")
    auth = AuthSettings(state_dir=root / "auth", token_ttl_seconds=300, leeway_seconds=0)
    spool = root / "spool"
    old_spool = os.environ.get("MUSEO_SPOOL_DIR")
    os.environ["MUSEO_SPOOL_DIR"] = str(spool)
    clients, api_key = _accounts(auth)
    # Own request and catalog topics: other test runs may share this Kafka and its groups.
    requests_topic, catalog_topic = unique("admin.requests.t"), unique("catalog.products.t")
    await ensure_topics(
        kafka_bootstrap,
        [*ALL_TOPICS, TopicSpec(requests_topic), TopicSpec(catalog_topic, compacted=True)],
    )
    settings = ServiceSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        redis_url=redis_url,
        instance_id=unique("test-admin"),
        service_name="mcp_workers",
    )
    broker: KafkaBroker = make_broker(settings)
    worker = admin_worker.AdminWorker(
        settings, spool, requests_topic=requests_topic, catalog_topic=catalog_topic
    )
    admin_worker.subscribe(broker, worker, group_id=unique("admin-worker-t"))
    on_start, on_stop = worker.start, worker.stop
    await on_start()
    await broker.start()
    gateway = GatewayServer(kafka_bootstrap, redis_url, request_timeout_s=15.0)
    gateway.app.state.auth_settings = auth

    async def use_test_topic(gw: GatewayState) -> None:
        gw.settings.admin_topic = requests_topic

    gateway.app.state.startup_hooks.append(use_test_topic)
    try:
        await gateway.start()
        yield AdminStack(kafka_bootstrap, gateway, auth, spool, catalog_topic, clients, api_key)
    finally:
        await gateway.stop()
        await broker.stop()
        await on_stop()
        await delete_topics(kafka_bootstrap, [requests_topic, catalog_topic])
        if old_spool is None:
            os.environ.pop("MUSEO_SPOOL_DIR", None)
        else:
            os.environ["MUSEO_SPOOL_DIR"] = old_spool


class CatalogTail:
    """Reads the catalog topic from its current end, to see what an operation wrote."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)

    async def __aenter__(self) -> CatalogTail:
        await self.consumer.start()
        await self.consumer._client.force_metadata_update()  # type: ignore[attr-defined]
        parts = self.consumer.partitions_for_topic(self.topic) or set()
        assert parts, "catalog.products has no partitions"
        tps = [TopicPartition(self.topic, p) for p in sorted(parts)]
        self.consumer.assign(tps)
        await self.consumer.seek_to_end(*tps)
        for tp in tps:
            await self.consumer.position(tp)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.consumer.stop()

    async def next_for(self, key: str, timeout: float = 15.0) -> tuple[bool, dict[str, Any] | None]:
        """(found, value) of the next record with `key`; value None means a tombstone."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batches = await self.consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for r in records:
                    if (r.key or b"").decode() == key:
                        return True, None if r.value is None else json.loads(r.value)
        return False, None


async def wait_job(http: httpx.AsyncClient, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = await http.get(f"/v1/admin/imports/{job_id}")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["state"] in ("done", "failed"):
            return body
        await asyncio.sleep(0.2)
    raise TimeoutError(f"import {job_id} did not finish")
