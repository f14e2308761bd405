"""Composition root of the user-events service: `python -m services.user_events`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from faststream.kafka import KafkaBroker
from pydantic import TypeAdapter
from redis.asyncio import Redis

from libs.catalog.read_model import CatalogReadModel
from libs.contracts.catalog import CATALOG_PRODUCTS, Product
from libs.contracts.events import EVENTS_RAW
from libs.contracts.privacy import PRIVACY_REQUESTS, ExportRequest
from libs.contracts.topics import USER_EVENTS_REQUESTS
from libs.messaging.broker import make_broker
from libs.messaging.service import run_worker
from libs.messaging.table import TableFollower
from libs.messaging.worker import register_request_handler
from libs.profiles.redis_store import RedisProfileStore
from libs.settings import ServiceSettings
from services.user_events.domain import ProfileConfig
from services.user_events.handlers import register_event_consumer, register_privacy_consumer
from services.user_events.ingest import Ingestor
from services.user_events.privacy import PrivacyService
from services.user_events.tombstones import Tombstones, tombstone_secret


class UserEventsSettings(ServiceSettings):
    service_name: str = "user_events"
    events_topic: str = EVENTS_RAW
    events_group_id: str = "user_events"
    privacy_topic: str = PRIVACY_REQUESTS
    privacy_group_id: str = "user_events.privacy"
    requests_topic: str = USER_EVENTS_REQUESTS
    catalog_topic: str = CATALOG_PRODUCTS
    follow_catalog: bool = True  # enrich events with category/vendor/price from the catalog
    max_batch: int = 500
    # Inactive profiles expire after these (seconds since the last event was folded).
    ttl_anonymous_s: int = 90 * 86400
    ttl_customer_s: int = 400 * 86400


@dataclass
class UserEventsApp:
    broker: KafkaBroker
    redis: Redis
    catalog: CatalogReadModel
    follower: TableFollower[Product] | None

    async def start(self) -> None:
        if self.follower is not None:
            await self.follower.start()

    async def stop(self) -> None:
        if self.follower is not None:
            await self.follower.stop()
        await self.redis.aclose()


def build(settings: UserEventsSettings) -> UserEventsApp:
    """Wire the broker, Redis adapters and handlers; connects nothing."""
    redis = Redis.from_url(settings.redis_url)
    catalog = CatalogReadModel()
    follower = (TableFollower(settings.kafka_bootstrap_servers, settings.catalog_topic,
                              TypeAdapter(Product), catalog.apply)
                if settings.follow_catalog else None)
    config = ProfileConfig(ttl_anonymous=timedelta(seconds=settings.ttl_anonymous_s),
                           ttl_customer=timedelta(seconds=settings.ttl_customer_s))
    tombstones = Tombstones(redis, tombstone_secret())
    ingestor = Ingestor(RedisProfileStore(redis), config, lookup=catalog.get,
                        tombstones=tombstones)
    privacy = PrivacyService(redis, settings.service_name, settings.ttl_customer_s,
                             tombstones=tombstones)
    broker = make_broker(settings)
    register_event_consumer(broker, ingestor, topic=settings.events_topic,
                            group_id=settings.events_group_id, max_records=settings.max_batch)
    register_privacy_consumer(broker, privacy, topic=settings.privacy_topic,
                              group_id=settings.privacy_group_id)
    register_request_handler(
        broker, topic=settings.requests_topic, service="user_events",
        adapter=TypeAdapter(ExportRequest), handler=privacy.export, group_id="user_events",
        description="Export everything held about a user (profiles, consent, conversations, "
                    "baskets).",
    )
    return UserEventsApp(broker, redis, catalog, follower)


def main() -> None:
    settings = UserEventsSettings()
    app = build(settings)
    asyncio.run(run_worker(settings, app.broker, on_start=app.start, on_stop=app.stop))


if __name__ == "__main__":
    main()
