"""Writes to the compacted `catalog.products` topic, plus the worker's own view of the catalog.

A dedicated aiokafka producer (acks=all, idempotent) rather than `broker.publish`: FastStream
encodes a `None` body as b"", which is not a tombstone, and deletes need real tombstones.
Every write is applied to the local read model as soon as Kafka acknowledged it, so the next
request (or a re-import) sees it even before the `TableFollower` has read it back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping, Sequence

from aiokafka import AIOKafkaProducer

from libs.catalog.read_model import CatalogReadModel
from libs.contracts.catalog import CATALOG_PRODUCTS, Product
from libs.messaging.broker import make_producer


class CatalogView(Mapping[str, Product]):
    """The read model as the importer's `existing` mapping: lookup by id, then by handle."""

    def __init__(self, model: CatalogReadModel) -> None:
        self.model = model

    def __getitem__(self, key: str) -> Product:
        product = self.model.get(key) or self.model.by_handle(key)
        if product is None:
            raise KeyError(key)
        return product

    def __iter__(self) -> Iterator[str]:
        return iter([p.id for p in self.model])

    def __len__(self) -> int:
        return len(self.model)


class CatalogWriter:
    def __init__(
        self, bootstrap: str, model: CatalogReadModel, topic: str = CATALOG_PRODUCTS
    ) -> None:
        self.bootstrap, self.model, self.topic = bootstrap, model, topic
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        self._producer = make_producer(self.bootstrap)
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("CatalogWriter.start() first")
        return self._producer

    async def put(self, product: Product) -> None:
        """Write one product and wait for the acknowledgement."""
        await self.put_many([product])

    async def put_many(self, products: Sequence[Product]) -> None:
        """Write a batch (pipelined), wait for every acknowledgement, then apply locally."""
        futures = [
            await self.producer.send(
                self.topic,
                json.dumps(p.model_dump(mode="json")).encode(),
                key=p.id.encode(),
            )
            for p in products
        ]
        await asyncio.gather(*futures)
        for product in products:
            self.model.apply(product.id, product)

    async def delete(self, product_id: str) -> None:
        """Write a tombstone (value None) and wait for the acknowledgement."""
        await self.producer.send_and_wait(self.topic, None, key=product_id.encode())
        self.model.apply(product_id, None)
