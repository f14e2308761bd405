"""The whole stack under load, as `make run` starts it, with its floor measured in the same run.

    .venv/bin/python tests/bench/bench_stack.py [--seconds 15 --concurrency 32 --json FILE]

Starts an isolated system (own Kafka, Redis, data folder, free ports; rate limits off), lets it
settle, then measures: the idle stack's CPU; the gateway's own `/healthz` (the HTTP floor); one
Kafka hop (`/v1/markets/resolve`); catalog search; recommendations; scripted chat conversations
in en/es/fr (search, add, basket, recommendations, checkout); Web Pixels ingest in batches of
100, accepted (202) and folded into profiles (count in = count out). Every row gives
throughput, latency percentiles, the ratio to the floor, and CPU per request summed over every
process of the stack (and the biggest spenders). Cache hit rates come from the services' own
counters. Figures, not assertions: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deploy.local.system import RunningSystem, start_system  # noqa: E402
from libs.profiles.redis_store import RedisProfileStore  # noqa: E402
from tests.bench.stack_load import (  # noqa: E402
    Http,
    LoadResult,
    cpu_by_process,
    cpu_delta,
    json_body,
    run_load,
)
from tests.bench.stack_report import row_seconds, table  # noqa: E402
from tests.integration.test_events_ingest import product_viewed  # noqa: E402

SESSION = "x-museo-session"
QUERIES = ["mug", "tazas", "poster", "candle", "bougie", "print", "bag", "monet", "cup", "tote"]
SCRIPTS = {
    "en": ["show me mugs", "add the second one", "what's in my basket?",
           "can you recommend something for me?", "checkout"],
    "es": ["busco tazas", "añade la primera", "¿qué hay en mi cesta?",
           "¿qué me recomiendas?", "pagar"],
    "fr": ["je cherche des bougies", "ajoute le premier", "qu'y a-t-il dans mon panier ?",
           "que me conseillez-vous ?", "payer"],
}
COUNTRY = {"en": "GB", "es": "ES", "fr": "FR"}


def say(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ scenario steps


def get(path: str, expect: int = 200) -> Any:
    async def step(conn: Http, state: dict[str, Any]) -> bool:
        status, _, _ = await conn.request("GET", path)
        return status == expect
    return step


async def search(conn: Http, state: dict[str, Any]) -> bool:
    words = state.setdefault("words", itertools.cycle(QUERIES))
    status, _, _ = await conn.request("GET", f"/v1/catalog/search?q={next(words)}&limit=10")
    return status == 200


async def session_of(conn: Http, state: dict[str, Any]) -> dict[str, str]:
    if "session" not in state:
        _, headers, _ = await conn.request("GET", "/v1/me")
        state["session"] = headers.get(SESSION, "")
    return {SESSION: state["session"]}


async def recommendations(conn: Http, state: dict[str, Any]) -> bool:
    headers = await session_of(conn, state)
    status, _, _ = await conn.request("GET", "/v1/recommendations?limit=10", headers=headers)
    return status == 200


def chat_step(counter: itertools.count[int]) -> Any:
    async def step(conn: Http, state: dict[str, Any]) -> bool:
        """One turn of a scripted conversation; a finished one starts over in another language."""
        if not state.get("script"):
            lang = list(SCRIPTS)[next(counter) % 3]
            state.update(script=list(SCRIPTS[lang]), lang=lang, conversation=None)
            state.pop("session", None)  # a new shopper: a new session, an empty basket
        headers = await session_of(conn, state)
        body: dict[str, Any] = {"text": state["script"].pop(0), "language": state["lang"],
                                "country": COUNTRY[state["lang"]]}
        if state["conversation"]:
            body["conversation_id"] = state["conversation"]
        status, _, data = await conn.request(
            "POST", "/v1/chat", json_body(body), {**headers, "content-type": "application/json"})
        if status == 200:
            state["conversation"] = json.loads(data)["conversation_id"]
        return status == 200
    return step


def ingest_step(accepted: dict[str, int]) -> Any:
    async def step(conn: Http, state: dict[str, Any]) -> bool:
        visitor = state.setdefault("visitor", f"bench-{uuid.uuid4().hex[:12]}")
        batch = [product_viewed(visitor, str(1000 + i)) for i in range(100)]
        status, _, data = await conn.request(
            "POST", "/v1/events", json_body(batch), {"content-type": "application/json"})
        if status == 202:
            accepted[visitor] = accepted.get(visitor, 0) + int(json.loads(data)["accepted"])
        return status == 202
    return step


async def folded(system: RunningSystem, visitors: list[str]) -> int:
    """Events folded into these visitors' profiles, read from Redis as the services store them."""
    redis = Redis.from_url(system.redis_url)
    try:
        profiles = await RedisProfileStore(redis).get_many(visitors)
    finally:
        await redis.aclose()
    return sum(p.event_count for p in profiles.values())


# ------------------------------------------------------------------ the system's processes


def processes(system: RunningSystem) -> dict[str, int]:
    state = httpx.get(f"{system.launcher_url}/readyz", timeout=10).json()
    return {name: int(s["pid"]) for name, s in state["services"].items() if s.get("pid")}


def scrape(url: str) -> str:
    try:
        return httpx.get(url, timeout=5).text
    except httpx.HTTPError:
        return ""


def metric_sum(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def metrics_urls(system: RunningSystem) -> dict[str, str]:
    state = httpx.get(f"{system.launcher_url}/readyz", timeout=10).json()
    return {name: s["metrics"] for name, s in state["services"].items() if s.get("metrics")}


def counters(system: RunningSystem) -> dict[str, float]:
    texts = {name: scrape(url) for name, url in metrics_urls(system).items()}
    every = "\n".join(texts.values())
    out = {}
    for cache in ("recommendations", "intent"):
        for outcome in ("hit", "miss"):
            out[f"{cache}_{outcome}"] = metric_sum(every, "museo_cache_lookups_total",
                                                   cache=cache, outcome=outcome)
    return out


# ------------------------------------------------------------------ measuring


async def measure(system: RunningSystem, name: str, step: Any, concurrency: int,
                  seconds: float) -> dict[str, Any]:
    host, port = "127.0.0.1", int(system.base_url.rsplit(":", 1)[1])
    pids = processes(system)
    before = cpu_by_process(pids)
    load: LoadResult = await run_load(host, port, step, concurrency, seconds, warmup_s=0)
    spent = cpu_delta(before, cpu_by_process(pids))
    ok = max(1, load.done - load.errors)
    row = {"name": name, "concurrency": concurrency, "requests": load.done,
           "errors": load.errors, "rate": load.rate, "p50": load.pct(50), "p95": load.pct(95),
           "p99": load.pct(99), "cpu_ms": 1000 * sum(spent.values()) / ok,
           "cpu_ms_by_process": {k: 1000 * v / ok for k, v in spent.items() if v > 0},
           "client_cpu_ms": 1000 * load.client_cpu_s / ok}
    say(f"{name}: {load.rate:,.0f}/s p95 {row['p95']:.0f} ms, {row['cpu_ms']:.2f} ms CPU/req, "
        f"{load.errors} errors")
    return row


async def warm(system: RunningSystem, concurrency: int) -> None:
    """A few seconds of every path first: the first request of each pays imports and joins."""
    host, port = "127.0.0.1", int(system.base_url.rsplit(":", 1)[1])
    for step in (get("/v1/markets/resolve?country=FR"), search, recommendations,
                 chat_step(itertools.count())):
        await run_load(host, port, step, min(concurrency, 8), 3, warmup_s=0)


def idle(system: RunningSystem, seconds: float) -> dict[str, float]:
    pids = processes(system)
    before = cpu_by_process(pids)
    time.sleep(seconds)
    return {k: v / seconds for k, v in cpu_delta(before, cpu_by_process(pids)).items()}


async def ingest(system: RunningSystem, concurrency: int, seconds: float,
                 fold_wait_s: float = 120) -> dict[str, Any]:
    accepted: dict[str, int] = {}
    began = time.monotonic()
    row = await measure(system, "ingest (POST /v1/events, 100/batch)", ingest_step(accepted),
                        concurrency, seconds)
    events_in = sum(accepted.values())
    deadline = time.monotonic() + fold_wait_s
    while (out := await folded(system, list(accepted))) < events_in:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    all_in = time.monotonic() - began
    await asyncio.sleep(2)  # late duplicates would show up now
    out = await folded(system, list(accepted))
    row.update(events_accepted=events_in, events_folded=out,
               accepted_per_s=events_in / row_seconds(row, seconds), folded_per_s=out / all_in)
    say(f"ingest: {events_in:,} accepted, {out:,} folded")
    return row


async def run(system: RunningSystem, seconds: float, concurrency: int) -> dict[str, Any]:
    say("warming every path")
    await warm(system, concurrency)
    say("idle stack: 20 s with no traffic")
    await asyncio.sleep(5)
    idle_cores = idle(system, 20)
    before = counters(system)
    rows = [await measure(system, "gateway /healthz (HTTP floor)", get("/healthz"),
                          concurrency, seconds),
            await measure(system, "one Kafka hop (/v1/markets/resolve)",
                          get("/v1/markets/resolve?country=FR"), concurrency, seconds),
            await measure(system, "catalog search", search, concurrency, seconds),
            await measure(system, "recommendations", recommendations, concurrency, seconds),
            await measure(system, "chat turn (scripted en/es/fr)", chat_step(itertools.count()),
                          concurrency, seconds),
            await ingest(system, min(concurrency, 16), seconds)]
    after = counters(system)
    caches = {k: after[k] - before[k] for k in after}
    return {"rows": rows, "idle_cores": idle_cores, "caches": caches}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", type=Path, default=Path(".local/bench/stack.json"))
    args = parser.parse_args()
    say("starting an isolated system (own Kafka, Redis, ports; rate limits off)")
    system = start_system(timeout=600, isolated=True,
                          extra_env={"MUSEO_RATE_LIMITS_ENABLED": "false"})
    try:
        result = asyncio.run(run(system, args.seconds, args.concurrency))
    finally:
        system.stop()
    print(table(result["rows"], result["idle_cores"], result["caches"]))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
