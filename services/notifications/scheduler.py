"""Notifications to send later: abandoned-cart reminders (after a delay) and marketing messages
that fell in the recipient's quiet hours.

Jobs live in Redis, so a restart or a second instance loses none: a sorted set `<p>due` (score =
when) and the job itself at `<p>job:<id>`, plus `<p>jobs:<subject>` (what erasure removes: a job
holds contact data). A poller takes due jobs with a lease (their score moves `lease_s` ahead in
one Lua step, so two instances never take the same one); a job that ends is removed, a job whose
handler raised comes back after a backoff, and one that failed `max_attempts` times is handed to
the dead-letter sink. A crash mid-send leaves the lease to expire; the per-(trigger, channel)
idempotency claim keeps that second run from sending twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from pydantic import BaseModel
from redis.asyncio import Redis

from libs.contracts.notifications import Contact, NotificationRequest

log = logging.getLogger(__name__)
KEEP_S = 30 * 86400

# Due jobs (score <= now), at most ARGV[2], each leased until ARGV[3].
_TAKE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[3], id) end
return ids
"""


class Job(BaseModel):
    job_id: str
    request: NotificationRequest
    contact: Contact | None = None
    attempts: int = 0


Handler = Callable[[Job], Awaitable[None]]
GiveUp = Callable[[Job, str], Awaitable[None]]


class Scheduler:
    def __init__(self, redis: Redis, prefix: str = "notif:", lease_s: float = 60.0,
                 max_attempts: int = 5) -> None:
        self.redis, self.p = redis, prefix
        self.lease_s, self.max_attempts = lease_s, max_attempts
        self._take = redis.register_script(_TAKE)
        self._task: asyncio.Task[None] | None = None

    async def schedule(self, job: Job, due: float) -> None:
        """Add or move `job` (by id) to run at `due` (epoch seconds)."""
        subject = job.request.subject
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(f"{self.p}job:{job.job_id}", job.model_dump_json(), ex=KEEP_S)
            pipe.zadd(f"{self.p}due", {job.job_id: due})
            pipe.sadd(f"{self.p}jobs:{subject}", job.job_id)
            pipe.expire(f"{self.p}jobs:{subject}", KEEP_S)
            await pipe.execute()

    async def cancel(self, job_id: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(f"{self.p}due", job_id)
            pipe.delete(f"{self.p}job:{job_id}")
            await pipe.execute()

    async def due_at(self, job_id: str) -> float | None:
        score = await self.redis.zscore(f"{self.p}due", job_id)
        return None if score is None else float(score)

    async def take(self, now: float | None = None, limit: int = 50) -> list[Job]:
        now = time.time() if now is None else now
        ids = await self._take(keys=[f"{self.p}due"], args=[now, limit, now + self.lease_s])
        jobs = []
        for raw_id in ids:
            job_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
            raw = await self.redis.get(f"{self.p}job:{job_id}")
            if raw is None:  # cancelled or erased meanwhile
                await self.redis.zrem(f"{self.p}due", job_id)
                continue
            jobs.append(Job.model_validate_json(raw))
        return jobs

    async def run_due(self, handle: Handler, give_up: GiveUp, now: float | None = None) -> int:
        """Run every job due now; the number run. A job its handler scheduled again (same id,
        new time: a message deferred once more) is left for that time."""
        now = time.time() if now is None else now
        jobs = await self.take(now)
        leased = now + self.lease_s
        for job in jobs:
            try:
                await handle(job)
            except Exception as exc:  # noqa: BLE001 - retried later, or dead-lettered
                job.attempts += 1
                if job.attempts >= self.max_attempts:
                    log.exception("scheduled job %s failed for good", job.job_id)
                    await give_up(job, f"{type(exc).__name__}: {exc}")
                    await self.cancel(job.job_id)
                else:
                    log.warning("scheduled job %s failed (%s); retrying", job.job_id, exc)
                    await self.schedule(job, time.time() + min(300.0, 2.0 ** job.attempts))
                continue
            due = await self.due_at(job.job_id)
            if due is not None and abs(due - leased) < 1e-3:  # not moved by the handler
                await self.cancel(job.job_id)
        return len(jobs)

    async def erase(self, subject: str) -> int:
        """Drop the person's pending jobs (they hold their contact data)."""
        ids = await self.redis.smembers(f"{self.p}jobs:{subject}")  # type: ignore[misc]
        for raw_id in ids:
            await self.cancel(raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id))
        await self.redis.delete(f"{self.p}jobs:{subject}")
        return len(ids)

    def start(self, handle: Handler, give_up: GiveUp, interval_s: float = 1.0) -> None:
        async def loop() -> None:
            while True:
                try:
                    await self.run_due(handle, give_up)
                except Exception:  # noqa: BLE001 - Redis away: try again next tick
                    log.exception("scheduler tick failed")
                await asyncio.sleep(interval_s)

        self._task = asyncio.create_task(loop(), name="notifications-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
