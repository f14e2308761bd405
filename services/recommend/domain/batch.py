"""Batch recommendation for a Kafka batch subscriber: one profile round trip per batch.

Requests are grouped by profile key, profiles are fetched with a single `get_many` (decoded once
per user), then the whole batch is scored by `Recommender.recommend_many`: one sparse matmul per
similarity matrix for every request's history/anchors, then each request's rules, personalisation
and diversity. Replies come back in request order, equal to answering one by one.
`benchmark_batching` measures the CPU per request either way.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from libs.contracts.recommend import RecommendReply, RecommendRequest
from libs.profiles.model import Profile
from services.recommend.domain.recommender import Recommender


class ProfileLoader(Protocol):
    async def get_many(self, ids: Sequence[str]) -> dict[str, Profile]: ...


def group_by_user(requests: Sequence[RecommendRequest]) -> dict[str | None, list[int]]:
    """Profile key → indexes of the requests for it (None = anonymous, no profile to load)."""
    groups: dict[str | None, list[int]] = defaultdict(list)
    for i, key in enumerate(_keys(requests)):
        groups[key].append(i)
    return dict(groups)


async def recommend_batch(
    requests: Sequence[RecommendRequest],
    profile_loader: ProfileLoader,
    recommender: Recommender,
) -> list[RecommendReply]:
    groups = group_by_user(requests)
    keys = [k for k in groups if k is not None]
    profiles = await profile_loader.get_many(keys) if keys else {}
    return recommender.recommend_many(
        [(req, profiles.get(key) if key is not None else None)
         for req, key in zip(requests, _keys(requests), strict=True)])


def _keys(requests: Sequence[RecommendRequest]) -> list[str | None]:
    return [req.profile_key if req.personalized else None for req in requests]


async def _one_by_one(requests: Sequence[RecommendRequest], loader: ProfileLoader,
                      recommender: Recommender) -> list[RecommendReply]:
    out = []
    for req in requests:
        key = req.profile_key
        profiles = await loader.get_many([key]) if key and req.personalized else {}
        out.append(recommender.recommend(req, profiles.get(key) if key else None))
    return out


def benchmark_batching(
    requests: Sequence[RecommendRequest],
    loader: ProfileLoader,
    recommender: Recommender,
    batch_size: int = 64,
) -> dict[str, float]:
    """CPU seconds (time.process_time) per request, batched vs one by one."""

    async def batched() -> None:
        for s in range(0, len(requests), batch_size):
            await recommend_batch(requests[s:s + batch_size], loader, recommender)

    t0 = time.process_time()
    asyncio.run(batched())
    t1 = time.process_time()
    asyncio.run(_one_by_one(requests, loader, recommender))
    t2 = time.process_time()
    n = max(len(requests), 1)
    return {
        "batched_cpu_ms_per_request": (t1 - t0) * 1000 / n,
        "single_cpu_ms_per_request": (t2 - t1) * 1000 / n,
    }
