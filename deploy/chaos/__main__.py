"""`make chaos`: a whole system of its own (isolated Kafka, Redis, data folder, free ports),
scripted load through the gateway, and each service SIGKILLed in turn; prints one row per kill.

    python -m deploy.chaos [--targets gateway,user_events] [--json FILE]

A phase: load runs, the target's pid (from the launcher's /readyz) gets SIGKILL, the clock runs
until the launcher reports a new pid ready and the gateway's /readyz answers 200, load goes on a
few seconds more and stops; then the profiles of that phase's visitors are read from Redis until
they hold every accepted event (or the fold wait ends).

With MUSEO_KAFKA_BROKERS=3 (`make chaos KAFKA_BROKERS=3`) the last kill is a broker (`kafka-1`,
restarted by the launcher's supervisor); its row also says when every partition had its full
in-sync replica set again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from redis.asyncio import Redis

from deploy.chaos.load import Load
from deploy.chaos.report import AIM_BACK_S, Row, row_from, table
from deploy.local.infra import InfraConfig
from deploy.local.system import RunningSystem, start_system
from libs.profiles.redis_store import RedisProfileStore

INFRA = ("kafka", "redis", "jaeger")  # not killed by default: services only...
BROKER_TARGET = "kafka-1"  # ...but in the 3-broker mode one broker is killed too, last


def is_infra(name: str) -> bool:
    return name in INFRA or name.startswith("kafka-")


def say(msg: str) -> None:
    print(f"[chaos] {msg}", file=sys.stderr, flush=True)


async def launcher_state(client: httpx.AsyncClient, system: RunningSystem) -> dict[str, Any]:
    try:
        resp = await client.get(f"{system.launcher_url}/readyz", timeout=2)
        return resp.json()  # type: ignore[no-any-return]
    except (httpx.HTTPError, ValueError):
        return {"status": "unreachable", "services": {}}


async def gateway_ready(client: httpx.AsyncClient, system: RunningSystem) -> bool:
    try:
        return (await client.get(f"{system.base_url}/readyz", timeout=2)).status_code == 200
    except httpx.HTTPError:
        return False


async def wait_back(client: httpx.AsyncClient, system: RunningSystem, target: str,
                    old_pid: int | None, limit_s: float) -> float | None:
    """Seconds from now until `target` runs under a new pid, every process is ready and the
    gateway answers /readyz; None past `limit_s`."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        state = await launcher_state(client, system)
        svc = state.get("services", {}).get(target, {})
        if (old_pid is None or svc.get("pid") != old_pid) and state.get("status") == "ready" \
                and await gateway_ready(client, system):
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    return None


def cluster(system: RunningSystem) -> InfraConfig:
    """The isolated system's Kafka, as its launcher saw it (ports, data folder, brokers)."""
    env = system.env
    return InfraConfig(kafka_port=int(env["MUSEO_KAFKA_PORT"]),
                       controller_port=int(env["MUSEO_KAFKA_CONTROLLER_PORT"]),
                       data_dir=Path(env["MUSEO_DATA_DIR"]),
                       kafka_brokers=int(env.get("MUSEO_KAFKA_BROKERS", "1") or "1"))


async def out_of_sync(cfg: InfraConfig) -> int | None:
    """Partitions whose in-sync replicas are fewer than their replicas (None: no answer)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=cfg.bootstrap, request_timeout_ms=3000,
                                **cfg.admin_kwargs())
    try:
        await admin.start()
        topics = await admin.describe_topics()
        return sum(1 for topic in topics for p in topic["partitions"]
                   if len(p["isr"]) < len(p["replicas"]))
    except Exception:  # noqa: BLE001 - a cluster in failover may not answer: ask again
        return None
    finally:
        await admin.close()


async def wait_in_sync(system: RunningSystem, since: float, limit_s: float) -> float | None:
    """Seconds from `since` (the kill) until every partition has its full ISR again."""
    cfg = cluster(system)
    while time.monotonic() - since < limit_s:
        if await out_of_sync(cfg) == 0:
            return time.monotonic() - since
        await asyncio.sleep(0.5)
    return None


async def folded_counts(redis: Redis, visitors: list[str]) -> dict[str, int]:
    profiles = await RedisProfileStore(redis).get_many(visitors)
    return {v: p.event_count for v, p in profiles.items()}


async def wait_folded(redis: Redis, load: Load, limit_s: float) -> dict[str, int]:
    """Poll until the profiles hold every accepted event (or stop changing past `limit_s`)."""
    want = sum(load.accepted.values())
    deadline = time.monotonic() + limit_s
    counts = await folded_counts(redis, load.visitors)
    while sum(counts.values()) < want and time.monotonic() < deadline:
        await asyncio.sleep(1)
        counts = await folded_counts(redis, load.visitors)
    await asyncio.sleep(2)  # late duplicates would show up now
    return await folded_counts(redis, load.visitors)


async def phase(system: RunningSystem, redis: Redis, target: str | None,
                args: argparse.Namespace) -> Row:
    load = Load(system.base_url, target or "baseline", deadline_s=args.deadline)
    stop = asyncio.Event()
    running = asyncio.create_task(load.run(stop))
    async with httpx.AsyncClient() as client:
        await asyncio.sleep(args.warm)
        back_s: float | None = 0.0
        isr_s: float | None = None
        if target is not None:
            state = await launcher_state(client, system)
            pid = state["services"][target]["pid"]
            say(f"SIGKILL {target} (pid {pid})")
            os.kill(pid, signal.SIGKILL)
            killed_at = time.monotonic()
            back_s = await wait_back(client, system, target, pid, args.back_limit)
            say(f"{target} back after {back_s if back_s is None else round(back_s, 1)}s")
            if target.startswith("kafka-"):
                isr_s = await wait_in_sync(system, killed_at, args.back_limit)
                say(f"every partition in sync again {isr_s if isr_s is None else round(isr_s, 1)}"
                    f"s after the kill")
        await asyncio.sleep(args.after)
        stop.set()
        await running
        folded = await wait_folded(redis, load, args.fold_wait)
        # the next phase starts from a whole system
        await wait_back(client, system, target or "gateway", None, args.back_limit)
    return row_from(target or "(none: baseline)", back_s, load, folded, isr_s)


async def run(system: RunningSystem, args: argparse.Namespace) -> list[Row]:
    redis = Redis.from_url(system.redis_url)
    try:
        async with httpx.AsyncClient() as client:
            state = await launcher_state(client, system)
        names = [n for n in state["services"] if not is_infra(n)]
        brokers = [BROKER_TARGET] if BROKER_TARGET in state["services"] else []
        targets = args.targets.split(",") if args.targets else [*names, *brokers]
        rows = [await phase(system, redis, None, args)]
        for target in targets:
            if target not in state["services"]:
                raise SystemExit(f"unknown target {target!r}; the system runs {sorted(names)}")
            rows.append(await phase(system, redis, target, args))
            say(table(rows[-1:], "").strip())
        return rows
    finally:
        await redis.aclose()


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m deploy.chaos", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--targets", help="comma-separated processes to kill (default: every service)")
    p.add_argument("--warm", type=float, default=4.0, help="seconds of load before the kill")
    p.add_argument("--after", type=float, default=4.0, help="seconds of load once back")
    p.add_argument("--deadline", type=float, default=15.0,
                   help="a request unanswered after this many seconds counts as timed out")
    p.add_argument("--back-limit", type=float, default=90.0, help="give up waiting after (s)")
    p.add_argument("--fold-wait", type=float, default=90.0, help="wait for folding up to (s)")
    p.add_argument("--start-timeout", type=float, default=900.0)
    p.add_argument("--json", type=Path, help="also write the rows here")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    say("starting an isolated system (own Kafka, Redis, data folder) ...")
    system = start_system(timeout=args.start_timeout, isolated=True, extra_env={
        "MUSEO_SERVICES_TIMEOUT_S": str(args.start_timeout)})
    try:
        rows = asyncio.run(run(system, args))
    finally:
        system.stop()
    brokers = cluster(system).kafka_brokers
    print(table(rows, f"make chaos - {brokers} Kafka broker{'s' if brokers > 1 else ''}; "
                      f"SIGKILL per process under load "
                      f"(aims: back <= {AIM_BACK_S:.0f}s, 0 lost, 0 hung)"))
    if args.json:
        args.json.write_text(json.dumps([r.as_dict() for r in rows], indent=2))
    return 1 if any(r.misses() for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
