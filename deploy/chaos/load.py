"""Bounded scripted load through the gateway: Web Pixels events, chat turns, recommendations.

Every request has a deadline (the gateway's own 10 s request timeout plus a margin): an answer
(any HTTP status below 500) counts as answered, a 5xx or a refused connection as errored (fast,
as the design wants from a dependency that is down), and no answer by the deadline as timed
out - the hang that must never happen. Events count as accepted only when the gateway answered
202 with `accepted`, i.e. after Kafka acknowledged them; those must all reach the profiles.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

ANSWERED, ERRORED, TIMED_OUT = "answered", "errored", "timed_out"
CHAT_LINES = ("show me mugs", "what's in my basket?", "can you recommend something for me?",
              "busco tazas", "hello")


def classify(response: httpx.Response | None, error: BaseException | None) -> str:
    if isinstance(error, httpx.TimeoutException):
        return TIMED_OUT
    if error is not None or response is None or response.status_code >= 500:
        return ERRORED
    return ANSWERED


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    slowest_s: float = 0.0

    def record(self, outcome: str, seconds: float) -> None:
        self.outcomes[outcome] += 1
        self.slowest_s = max(self.slowest_s, seconds)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


def pixel_event(visitor: str, product_id: str) -> dict[str, Any]:
    return {"id": f"chaos-{uuid.uuid4()}", "name": "product_viewed", "clientId": visitor,
            "timestamp": datetime.now(UTC).isoformat(),
            "data": {"productVariant": {"product": {"id": f"gid://shopify/Product/{product_id}"},
                                        "price": {"amount": 2.5, "currencyCode": "GBP"}}}}


class Load:
    """Workers loop until `stop` is set or `max_requests` each; pauses keep the rate modest."""

    def __init__(self, base_url: str, phase: str, deadline_s: float = 15.0,
                 batch: int = 10, visitors: int = 20, max_requests: int = 2000) -> None:
        self.base_url = base_url
        self.phase = phase
        self.deadline_s = deadline_s
        self.batch = batch
        self.visitors = [f"chaos-{phase}-{uuid.uuid4().hex[:6]}-{i}" for i in range(visitors)]
        self.max_requests = max_requests
        self.tally = Tally()
        self.accepted: Counter[str] = Counter()
        # events of a batch answered 5xx or not at all: refused, yet possibly stored (the
        # gateway's send timeout can fire after Kafka took them); a client would retry them
        # with the same ids, which fold once. Counted so they are not taken for duplicates.
        self.refused: Counter[str] = Counter()

    async def run(self, stop: asyncio.Event, transport: httpx.AsyncBaseTransport | None = None
                  ) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=self.deadline_s,
                                     transport=transport) as client:
            await asyncio.gather(
                self._loop(client, stop, self._events, 0.05),
                self._loop(client, stop, self._events, 0.05),
                self._loop(client, stop, self._chat, 0.2),
                self._loop(client, stop, self._recs, 0.2),
            )

    async def _loop(self, client: httpx.AsyncClient, stop: asyncio.Event,
                    one: Any, pause: float) -> None:
        for i in range(self.max_requests):
            if stop.is_set():
                return
            started = time.monotonic()
            response = error = None
            try:
                response = await one(client, i)
            except httpx.HTTPError as exc:
                error = exc
            self.tally.record(classify(response, error), time.monotonic() - started)
            if error is not None and not isinstance(error, httpx.TimeoutException):
                pause_s = 0.2  # a refused connection answers at once: do not spin
            else:
                pause_s = pause
            await asyncio.sleep(pause_s)

    async def _events(self, client: httpx.AsyncClient, i: int) -> httpx.Response:
        visitor = self.visitors[i % len(self.visitors)]
        body = [pixel_event(visitor, str(21000 + (i + j) % 200)) for j in range(self.batch)]
        try:
            resp = await client.post("/v1/events", json=body, params={"market": "GB"})
        except httpx.HTTPError:
            self.refused[visitor] += len(body)
            raise
        if resp.status_code == 202:
            self.accepted[visitor] += int(resp.json()["accepted"])
        elif resp.status_code >= 500:
            self.refused[visitor] += len(body)
        return resp

    async def _chat(self, client: httpx.AsyncClient, i: int) -> httpx.Response:
        text = CHAT_LINES[i % len(CHAT_LINES)]
        return await client.post("/v1/chat", json={"text": text, "country": "GB"})

    async def _recs(self, client: httpx.AsyncClient, i: int) -> httpx.Response:
        visitor = self.visitors[i % len(self.visitors)]
        return await client.get("/v1/recommendations",
                                params={"visitor_id": visitor, "market": "GB"})
