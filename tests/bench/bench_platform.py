"""Platform benchmark: raw Kafka request/reply floor vs the gateway path, in one run.

    python tests/bench/bench_platform.py [--requests N --concurrency C --floor N]

(a) floor: raw aiokafka request -> echo consumer -> reply topic -> caller, sequential, loopback;
(b) gateway: HTTP GET /v1/markets/resolve -> Kafka -> markets -> Kafka -> HTTP, with the gateway
    and markets worker as real subprocesses: sequential latency, then throughput at a concurrency.
Prints a table and writes `.local/bench/platform.json`. Needs the local Kafka (and Redis).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / ".local/bench/platform.json"
BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {"n": len(ms), "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "p99_ms": pct(ms, 99),
            "mean_ms": statistics.fmean(ms), "max_ms": max(ms)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- (a) the floor: raw aiokafka request/reply --------------------------------------------------

async def floor(n: int, warmup: int = 50) -> dict[str, float]:
    run = uuid.uuid4().hex[:8]
    req_topic, rep_topic = f"bench.floor.req.{run}", f"bench.floor.rep.{run}"
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    await admin.create_topics([NewTopic(t, 1, 1) for t in (req_topic, rep_topic)])
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, linger_ms=0, acks=1)
    echo_producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, linger_ms=0, acks=1)
    echo = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=None, fetch_max_wait_ms=5,
                            enable_auto_commit=False)
    caller = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=None, fetch_max_wait_ms=5,
                              enable_auto_commit=False)
    tasks: list[asyncio.Task[None]] = []
    try:
        for client in (producer, echo_producer, echo, caller):
            await client.start()
        for consumer, topic in ((echo, req_topic), (caller, rep_topic)):
            tp = TopicPartition(topic, 0)
            consumer.assign([tp])
            await consumer.seek_to_end(tp)
            await consumer.position(tp)
        pending: dict[bytes, asyncio.Future[None]] = {}

        async def echo_loop() -> None:
            async for rec in echo:
                await echo_producer.send_and_wait(rep_topic, rec.value, key=rec.key)

        async def reply_loop() -> None:
            async for rec in caller:
                fut = pending.pop(rec.key or b"", None)
                if fut and not fut.done():
                    fut.set_result(None)

        tasks = [asyncio.create_task(echo_loop()), asyncio.create_task(reply_loop())]
        samples: list[float] = []
        for i in range(warmup + n):
            cid = uuid.uuid4().hex.encode()
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            pending[cid] = fut
            started = time.perf_counter()
            await producer.send_and_wait(req_topic, b'{"phone": "+33612345678"}', key=cid)
            await asyncio.wait_for(fut, 10)
            if i >= warmup:
                samples.append(time.perf_counter() - started)
        return summary(samples)
    finally:
        for task in tasks:
            task.cancel()
        for client in (caller, echo, echo_producer, producer):
            with contextlib.suppress(Exception):
                await client.stop()
        with contextlib.suppress(Exception):
            await admin.delete_topics([req_topic, rep_topic])
        await admin.close()


# --- (b) the gateway path, with real subprocesses -----------------------------------------------

class Services:
    def __init__(self) -> None:
        self.port = free_port()
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs = ROOT / ".local/bench"

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        tag = uuid.uuid4().hex[:8]
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP, "MUSEO_LOG_LEVEL": "WARNING",
               "PYTHONPATH": str(ROOT)}
        for module, extra in (("services.markets", {"MUSEO_INSTANCE_ID": f"bench-markets-{tag}"}),
                              ("services.gateway", {"MUSEO_PORT": str(self.port),
                                                    "MUSEO_INSTANCE_ID": f"bench-gw-{tag}"})):
            log = open(self.logs / f"{module.split('.')[-1]}.log", "wb")  # noqa: SIM115
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", module], cwd=ROOT, env={**env, **extra},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self.procs.clear()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


URL = "/v1/markets/resolve?phone=%2B33612345678"


async def wait_ready(client: httpx.AsyncClient, services: Services, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in services.procs):
            raise RuntimeError(f"a service exited early; see {services.logs}/*.log")
        with contextlib.suppress(httpx.HTTPError):
            resp = await client.get(URL, timeout=5)  # also waits for the markets group to form
            if resp.status_code == 200:
                return
        await asyncio.sleep(0.3)
    raise TimeoutError("gateway/markets not ready")


async def gateway(n: int, concurrency: int, throughput_n: int) -> dict[str, Any]:
    services = Services()
    services.start()
    try:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=services.base_url, limits=limits, timeout=15) as client:
            await wait_ready(client, services)
            for _ in range(50):
                (await client.get(URL)).raise_for_status()
            samples: list[float] = []
            for _ in range(n):
                started = time.perf_counter()
                resp = await client.get(URL)
                samples.append(time.perf_counter() - started)
                assert resp.status_code == 200, resp.text
            seq = summary(samples)

            todo = iter(range(throughput_n))
            errors = 0
            conc_samples: list[float] = []

            async def worker() -> None:
                nonlocal errors
                for _ in todo:
                    started = time.perf_counter()
                    resp = await client.get(URL)
                    conc_samples.append(time.perf_counter() - started)
                    errors += resp.status_code != 200

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
        return {"sequential": seq, "concurrent": {
            "concurrency": concurrency, "requests": throughput_n, "errors": errors,
            "seconds": elapsed, "rps": throughput_n / elapsed, **summary(conc_samples)}}
    finally:
        services.stop()


def table(result: dict[str, Any]) -> str:
    f, g = result["floor"], result["gateway"]["sequential"]
    c = result["gateway"]["concurrent"]
    rows = [
        ("path", "n", "p50 ms", "p95 ms", "p99 ms"),
        ("floor: raw aiokafka req/reply", str(f["n"]), f"{f['p50_ms']:.2f}", f"{f['p95_ms']:.2f}",
         f"{f['p99_ms']:.2f}"),
        ("gateway HTTP->Kafka->markets (seq)", str(g["n"]), f"{g['p50_ms']:.2f}",
         f"{g['p95_ms']:.2f}", f"{g['p99_ms']:.2f}"),
        (f"gateway at concurrency {c['concurrency']}", str(c["n"]), f"{c['p50_ms']:.2f}",
         f"{c['p95_ms']:.2f}", f"{c['p99_ms']:.2f}"),
    ]
    width = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(width[i]) if i == 0 else cell.rjust(width[i])
                       for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    r = result["ratios"]
    lines += ["", f"gateway/floor  p50 x{r['p50']:.2f}   p95 x{r['p95']:.2f}",
              f"throughput     {c['rps']:.0f} req/s at concurrency {c['concurrency']} "
              f"({c['requests']} requests, {c['errors']} errors, {c['seconds']:.2f} s)"]
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    floor_result = await floor(args.floor)
    gw = await gateway(args.requests, args.concurrency, args.throughput)
    seq = gw["sequential"]
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "bootstrap": BOOTSTRAP,
        "python": sys.version.split()[0], "floor": floor_result, "gateway": gw,
        "ratios": {"p50": seq["p50_ms"] / floor_result["p50_ms"],
                   "p95": seq["p95_ms"] / floor_result["p95_ms"]},
        "wall_seconds": time.perf_counter() - started,
    }


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="sequential gateway requests")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--throughput", type=int, default=2000, help="requests at concurrency")
    parser.add_argument("--floor", type=int, default=500, help="raw round trips after warm-up")
    parser.add_argument("--budget", type=float, default=90.0, help="give up after this many seconds")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        result = asyncio.run(asyncio.wait_for(main(args), args.budget))
    except KeyboardInterrupt:
        print("interrupted; subprocesses stopped", file=sys.stderr)
        sys.exit(130)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))
    print(table(result))
    print(f"\nwall {result['wall_seconds']:.1f} s; JSON: {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    cli()
