"""Wires the admin slice into the mcp_workers process: `register(broker, settings)`.

Subscribes the admin handler to `admin.requests` and returns `[on_start, on_stop]` for the
composition root to run around `broker.start()` / `broker.stop()`:

    hooks = admin_worker.register(broker, settings)   # before broker.start()
    on_start, on_stop = hooks

on_start loads the catalog read model from `catalog.products` (TableFollower), connects Redis
and the catalog producer; on_stop cancels running imports and closes them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from faststream.kafka import KafkaBroker
from pydantic import TypeAdapter
from redis.asyncio import Redis

from libs.catalog.read_model import CatalogReadModel
from libs.contracts.admin import ADMIN_REQUESTS, AdminRequest
from libs.contracts.catalog import CATALOG_PRODUCTS, Product
from libs.messaging.table import TableFollower
from libs.messaging.worker import register_request_handler
from libs.settings import ServiceSettings
from services.mcp_workers.admin.catalog_writer import CatalogWriter
from services.mcp_workers.admin.handlers import AdminService
from services.mcp_workers.admin.jobs import ImportRunner
from services.mcp_workers.admin.settings import SpoolSettings

log = logging.getLogger(__name__)
GROUP_ID = "admin-worker"


class AdminWorker:
    """Everything the admin slice owns in the worker process, started and stopped together."""

    def __init__(
        self,
        settings: ServiceSettings,
        spool: Path | None = None,
        *,
        requests_topic: str = ADMIN_REQUESTS,
        catalog_topic: str = CATALOG_PRODUCTS,
    ) -> None:
        self.settings, self.requests_topic = settings, requests_topic
        self.model = CatalogReadModel()
        self.redis = Redis.from_url(settings.redis_url)
        self.writer = CatalogWriter(settings.kafka_bootstrap_servers, self.model, catalog_topic)
        self.jobs = ImportRunner(self.writer, self.redis, spool or SpoolSettings().spool_dir)
        self.service = AdminService(self.model, self.writer, self.jobs)
        self.follower: TableFollower[Product] = TableFollower(
            settings.kafka_bootstrap_servers,
            catalog_topic,
            TypeAdapter(Product),
            self._on_change,
        )

    def _on_change(self, key: str, product: Product | None) -> None:
        try:
            self.model.apply(key, product)
        except ValueError as exc:  # a record whose key is not its product id
            log.warning("skipped catalog record: %s", exc)

    async def start(self) -> None:
        await self.writer.start()
        await self.follower.start()
        log.info("admin worker: %d products loaded", len(self.model))

    async def stop(self) -> None:
        await self.jobs.stop()
        await self.follower.stop()
        await self.writer.stop()
        await self.redis.aclose()


def subscribe(broker: KafkaBroker, worker: AdminWorker, group_id: str = GROUP_ID) -> None:
    """Subscribe the worker's handler to its request topic on `broker`."""
    register_request_handler(
        broker,
        topic=worker.requests_topic,
        service="admin",
        adapter=TypeAdapter(AdminRequest),
        handler=worker.service.handle,
        group_id=group_id,
        description="Admin operations: product writes, NL product commands, import jobs.",
    )


def register(
    broker: KafkaBroker, settings: ServiceSettings
) -> list[Callable[[], Awaitable[None]]] | None:
    """Subscribe the admin handler on `broker`; return [on_start, on_stop]."""
    worker = AdminWorker(settings)
    subscribe(broker, worker)
    return [worker.start, worker.stop]
