"""Notification figures: order confirmations/s from `orders` to the SMTP server (Mailpit), p95
from order published to email received, and a run where the provider simulator fails the first
3 attempts of every send (counts of messages lost and sent twice).

Run: .venv/bin/python tests/bench/bench_notifications.py [orders]  (needs Kafka + Redis: make infra-up)
The notification service runs in this process on topics of its own; Mailpit and the simulator
run on free ports. Figures on a shared machine are noisy: compare with the floor (SMTP alone,
measured in the same run).
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")

from deploy.local.infra import InfraConfig  # noqa: E402
from deploy.local.mailpit import mailpit_command, wait_mailpit  # noqa: E402
from tests.integration.helpers_platform import free_port, unique  # noqa: E402
from tests.integration.notify_fixtures import (  # noqa: E402
    SimServer,
    make_order,
    start_stack,
    stop_stack,
)

KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
REDIS = os.environ.get("REDIS_URL") or InfraConfig().redis_url  # the password is in it


async def smtp_floor(smtp_port: int, n: int = 100) -> float:
    """Messages/s of bare aiosmtplib sends to the same Mailpit: the ceiling of the service."""
    started = time.perf_counter()
    for i in range(n):
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "b@museo.example", f"floor{i}@x.example", "f"
        mail.set_content("floor")
        await aiosmtplib.send(mail, hostname="127.0.0.1", port=smtp_port)
    return n / (time.perf_counter() - started)


async def mailbox(http: httpx.AsyncClient, want: int, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    messages: list[dict] = []
    while time.monotonic() < deadline:
        resp = await http.get("/api/v1/search", params={"query": "subject:confirmed",
                                                        "limit": want + 10})
        messages = resp.json()["messages"]
        if len(messages) >= want:
            break
        await asyncio.sleep(0.2)
    return messages


async def email_run(n: int, smtp_port: int, http: httpx.AsyncClient) -> None:
    stack = await start_stack(KAFKA, REDIS, smtp_port=smtp_port)
    try:
        orders = [make_order(f"{unique('b')}@example.com", country="GB", market="UK")
                  for _ in range(n)]
        published: dict[str, float] = {}
        started = time.time()
        for order in orders:
            published[order.order_id] = time.time()
            await stack.publish_order(order)
        messages = await mailbox(http, n, timeout=max(120, n * 2.0))
        received = {m["Subject"].split()[2]: datetime.fromisoformat(
            m["Created"].replace("Z", "+00:00")).timestamp() for m in messages}
        got = [oid for oid in published if oid in received]
        lat = sorted(received[o] - published[o] for o in got)
        span = max(received[o] for o in got) - started if got else float("nan")
        p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
        print(f"orders -> SMTP: {len(got)}/{n} emails received, {len(got) / span:,.1f} "
              f"notifications/s; order -> email received p50 {statistics.median(lat) * 1000:,.0f} ms,"
              f" p95 {p95 * 1000:,.0f} ms")
    finally:
        await stop_stack(stack)


async def flaky_run(n: int) -> None:
    sim = SimServer(None)
    await sim.start()
    stack = await start_stack(KAFKA, REDIS, twilio_base_url=sim.base_url, send_attempts=4,
                              retry_base_s=0.02, retry_cap_s=0.2, fallback={"US": ["sms"]},
                              fallback_default=["sms"])
    try:
        await sim.control(fail_each=3)
        phones = [f"+1202555{i:04d}" for i in range(n)]
        for phone in phones:
            order = make_order(None, phone=phone, market="US")
            await stack.publish_order(order, repeat=2)  # every order delivered twice
        deadline = time.monotonic() + max(60, n * 1.0)
        sent: list[dict] = []
        while time.monotonic() < deadline:
            body = (await sim.http.get("/_sim/messages")).json()
            sent = body["messages"]
            if len(sent) >= n:
                await asyncio.sleep(2)  # let any duplicate show up
                body = (await sim.http.get("/_sim/messages")).json()
                sent = body["messages"]
                break
            await asyncio.sleep(0.3)
        distinct = {m["to"] for m in sent}
        print(f"simulator failing the first 3 attempts of every send: orders={n} (each published "
              f"twice), provider attempts={body['attempts']}, accepted={len(sent)}, "
              f"lost={n - len(distinct & set(phones))}, sent twice={len(sent) - len(distinct)}")
    finally:
        await stop_stack(stack)
        await sim.stop()


async def main(n: int) -> None:
    smtp_port, http_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(mailpit_command(InfraConfig(), smtp_port, http_port,
                                                Path(tmp) / "m.db"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_mailpit(http_port, proc=proc)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}") as http:
                print(f"floor: bare SMTP sends to Mailpit {await smtp_floor(smtp_port):,.1f} msg/s")
                await email_run(n, smtp_port, http)
            await flaky_run(max(20, n // 5))
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
