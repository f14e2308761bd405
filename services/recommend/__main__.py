"""Composition root of the recommend service: `python -m services.recommend`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from faststream.kafka import KafkaBroker
from pydantic import TypeAdapter
from redis.asyncio import Redis

from libs.catalog.demo import DEFAULT_CSV
from libs.contracts.catalog import CATALOG_PRODUCTS, Product
from libs.contracts.markets import MARKETS_REQUESTS
from libs.contracts.recommend import RECOMMEND_REQUESTS
from libs.messaging.broker import make_broker
from libs.messaging.rpc import RpcClient
from libs.messaging.service import run_worker
from libs.messaging.table import TableFollower
from libs.profiles.redis_store import RedisProfileStore
from libs.settings import ServiceSettings
from services.recommend.domain import InteractionLog
from services.recommend.handlers import register_batch_handler
from services.recommend.laws import LawsSource
from services.recommend.model_cache import ModelCache
from services.recommend.privacy import DEFAULT_SESSION_MAX_AGE_S
from services.recommend.runtime import RecommendRuntime
from services.recommend.training import load_interactions


class RecommendSettings(ServiceSettings):
    service_name: str = "recommend"
    requests_topic: str = RECOMMEND_REQUESTS
    group_id: str = "recommend"
    catalog_topic: str = CATALOG_PRODUCTS
    interactions_csv: str = str(DEFAULT_CSV)  # "" = no start-up training data
    cache_dir: str = ""  # "" = <data_dir>/recommend
    max_batch: int = 64
    # A stored session older than this is history, not "the current session" (privacy.py).
    session_max_age_s: float = DEFAULT_SESSION_MAX_AGE_S
    # Where each market's privacy law comes from (the markets service; laws.py).
    markets_topic: str = MARKETS_REQUESTS
    markets_timeout_s: float = 3.0


@dataclass
class RecommendApp:
    broker: KafkaBroker
    redis: Redis
    runtime: RecommendRuntime
    follower: TableFollower[Product]
    rpc: RpcClient
    laws: LawsSource

    async def start(self) -> None:
        await self.rpc.start()
        await self.laws.start()
        await self.follower.start()
        await self.runtime.start()

    async def stop(self) -> None:
        await self.runtime.stop()
        await self.follower.stop()
        await self.laws.stop()
        await self.rpc.stop()
        await self.redis.aclose()


def build(settings: RecommendSettings) -> RecommendApp:
    """Wire broker, Redis and handlers; reads the (cached) demo interactions, connects nothing."""
    redis = Redis.from_url(settings.redis_url)
    cache_dir = Path(settings.cache_dir) if settings.cache_dir else settings.data_dir / "recommend"
    interactions = (load_interactions(Path(settings.interactions_csv), cache_dir)
                    if settings.interactions_csv else InteractionLog())
    rpc = RpcClient(settings.kafka_bootstrap_servers, f"recommend-{settings.instance_id}",
                    settings.markets_timeout_s)
    laws = LawsSource(rpc, settings.markets_topic, settings.markets_timeout_s)
    runtime = RecommendRuntime(RedisProfileStore(redis), interactions,
                               session_max_age_s=settings.session_max_age_s,
                               laws=lambda: laws.current,
                               model_cache=ModelCache(cache_dir / "models"))
    follower = TableFollower(settings.kafka_bootstrap_servers, settings.catalog_topic,
                             TypeAdapter(Product), runtime.on_catalog_change)
    broker = make_broker(settings, durable=False)
    register_batch_handler(broker, runtime, topic=settings.requests_topic,
                           group_id=settings.group_id, max_records=settings.max_batch)
    return RecommendApp(broker, redis, runtime, follower, rpc, laws)


def main() -> None:
    settings = RecommendSettings()
    app = build(settings)
    asyncio.run(run_worker(settings, app.broker, on_start=app.start, on_stop=app.stop))


if __name__ == "__main__":
    main()
