"""The notification scheduler on real Redis: due jobs run once even with two pollers, a failing
job is retried and then handed to the dead-letter sink, erasure drops a person's jobs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest_asyncio
from redis.asyncio import Redis

from libs.contracts.notifications import Contact, NotificationRequest
from services.notifications.scheduler import Job, Scheduler
from tests.integration.helpers_platform import unique


@pytest_asyncio.fixture
async def redis(redis_url: str) -> AsyncIterator[tuple[Redis, str]]:
    client = Redis.from_url(redis_url)
    prefix = f"test:{unique('sched')}:"
    yield client, prefix
    async for key in client.scan_iter(match=f"{prefix}*"):
        await client.delete(key)
    await client.aclose()


def job(subject: str = "customer:ana") -> Job:
    rid = unique("r")
    return Job(job_id=f"cart:{rid}", contact=Contact(email="ana@example.es"),
               request=NotificationRequest(request_id=rid, kind="abandoned_cart",
                                           trigger=f"cart:{rid}", subject=subject))


async def test_a_due_job_runs_once_across_two_pollers_and_a_later_one_waits(
        redis: tuple[Redis, str]) -> None:
    client, prefix = redis
    first, second = Scheduler(client, prefix), Scheduler(client, prefix)
    now, later = job(), job()
    await first.schedule(now, time.time() - 1)
    await first.schedule(later, time.time() + 3600)
    ran: list[str] = []

    async def handle(j: Job) -> None:
        ran.append(j.job_id)
        await asyncio.sleep(0.05)

    async def never(j: Job, error: str) -> None:
        raise AssertionError(error)

    counts = await asyncio.gather(first.run_due(handle, never), second.run_due(handle, never))
    assert sorted(counts) == [0, 1] and ran == [now.job_id]
    assert await first.due_at(now.job_id) is None  # done: gone
    assert await first.due_at(later.job_id) is not None


async def test_a_failing_job_comes_back_then_is_given_up(redis: tuple[Redis, str]) -> None:
    client, prefix = redis
    scheduler = Scheduler(client, prefix, max_attempts=2)
    broken = job()
    await scheduler.schedule(broken, time.time() - 1)
    given_up: list[tuple[str, str]] = []

    async def handle(j: Job) -> None:
        raise RuntimeError("template exploded")

    async def give_up(j: Job, error: str) -> None:
        given_up.append((j.job_id, error))

    await scheduler.run_due(handle, give_up)
    retry_at = await scheduler.due_at(broken.job_id)
    assert retry_at is not None and retry_at > time.time()  # backed off, not lost
    await scheduler.run_due(handle, give_up, now=retry_at + 1)
    assert given_up == [(broken.job_id, "RuntimeError: template exploded")]
    assert await scheduler.due_at(broken.job_id) is None


async def test_erasure_drops_the_persons_pending_jobs(redis: tuple[Redis, str]) -> None:
    client, prefix = redis
    scheduler = Scheduler(client, prefix)
    mine, theirs = job("customer:ana"), job("customer:bob")
    for j in (mine, theirs):
        await scheduler.schedule(j, time.time() + 60)
    assert await scheduler.erase("customer:ana") == 1
    assert await scheduler.due_at(mine.job_id) is None
    assert not await client.exists(f"{prefix}job:{mine.job_id}")
    assert await scheduler.due_at(theirs.job_id) is not None


async def test_a_job_its_handler_schedules_again_is_kept_for_then(
        redis: tuple[Redis, str]) -> None:
    client, prefix = redis
    scheduler = Scheduler(client, prefix)
    again = job()
    await scheduler.schedule(again, time.time() - 1)
    later = time.time() + 7200

    async def handle(j: Job) -> None:  # still night where they are: deferred once more
        await scheduler.schedule(j, later)

    async def never(j: Job, error: str) -> None:
        raise AssertionError(error)

    assert await scheduler.run_due(handle, never) == 1
    assert await scheduler.due_at(again.job_id) == later
    assert await client.exists(f"{prefix}job:{again.job_id}")
