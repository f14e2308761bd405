"""Chat throughput through the whole system: scripted multi-turn conversations in en/es/fr
(search, add, basket, recommendations, checkout), N at a time, each with its own session.

Prints turns/s and latency beside the gateway's own `/healthz` floor measured in the same run
(the ratio is what to compare across machines), and the CPU each process spent per turn, read
from /proc for the launcher's process tree (Kafka and Redis included when the system is
isolated, which is the default).

Run: .venv/bin/python tests/bench/bench_chat.py [--conversations 32] [--rounds 3]
     MUSEO_GATEWAY_URL=http://127.0.0.1:3300 ... measures a system already running instead
     (CPU per process is then not reported).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deploy.local.system import RunningSystem, running_system  # noqa: E402

SCRIPTS = {
    "en": ["show me mugs", "add the first one", "what's in my basket?",
           "can you recommend something for me?", "checkout"],
    "es": ["busco tazas", "añade el primero", "¿qué hay en mi cesta?",
           "¿me recomiendas algo?", "pagar"],
    "fr": ["je cherche des tasses", "ajoute le premier", "qu'y a-t-il dans mon panier ?",
           "peux-tu me recommander quelque chose ?", "payer"],
}
COUNTRY = {"en": "GB", "es": "ES", "fr": "FR"}
TICKS = os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * p))] * 1000 if values else 0.0


def process_tree(root: int) -> dict[int, str]:
    """pid → short name of `root` and every descendant (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    names: dict[int, str] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            cmd = (Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"))
        except OSError:
            continue
        text = " ".join(c.decode(errors="replace") for c in cmd if c)
        names[pid] = short_name(text)
    return names


def short_name(cmd: str) -> str:
    for marker in ("kafka.Kafka", "redis-server", "deploy.local.launcher"):
        if marker in cmd:
            return marker.split(".")[-1].lower()
    if "-m services." in cmd:
        return cmd.split("-m services.", 1)[1].split()[0]
    return "other"


def cpu_seconds(pids: dict[int, str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for pid, name in pids.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[name] += (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
    return out


async def healthz_floor(base: str, concurrency: int, n: int) -> float:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        async def worker(count: int) -> None:
            for _ in range(count):
                (await client.get("/healthz")).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker(n // concurrency) for _ in range(concurrency)))
        return (n // concurrency * concurrency) / (time.perf_counter() - started)


async def conversation(base: str, lang: str, rounds: int, latencies: list[float],
                       outcomes: Counter[str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(rounds):
            cid = None
            for text in SCRIPTS[lang]:
                body: dict[str, Any] = {"text": text, "conversation_id": cid}
                if cid is None:
                    body["country"] = COUNTRY[lang]
                started = time.perf_counter()
                resp = await client.post("/v1/chat", json=body)
                latencies.append(time.perf_counter() - started)
                if resp.status_code != 200:
                    outcomes[f"http_{resp.status_code}"] += 1
                    continue
                reply = resp.json()
                cid = reply["conversation_id"]
                outcomes["fallback" if reply["fallback_used"] else "ok"] += 1


async def measure(system: RunningSystem, conversations: int, rounds: int) -> None:
    base = system.base_url
    pids = process_tree(system.proc.pid) if system.proc else {}
    langs = list(SCRIPTS)
    # warm-up: one conversation per language (model loads, caches, consumer fetch sessions)
    await asyncio.gather(*(conversation(base, lang, 1, [], Counter()) for lang in langs))
    floor = await healthz_floor(base, conversations, 2000)
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    before = cpu_seconds(pids)
    started = time.perf_counter()
    await asyncio.gather(*(conversation(base, langs[i % 3], rounds, latencies, outcomes)
                           for i in range(conversations)))
    wall = time.perf_counter() - started
    spent = cpu_seconds(pids) - before
    turns = len(latencies)
    rate = turns / wall
    print(f"\nchat: {conversations} concurrent conversations x {rounds} rounds x 5 turns "
          f"(en/es/fr), {turns} turns in {wall:.1f} s; outcomes {dict(outcomes)}")
    print("| measure | value |")
    print("|---|---|")
    print(f"| gateway /healthz floor ({conversations} in flight) | {floor:,.0f} req/s |")
    print(f"| chat turns/s | {rate:,.1f} ({rate / floor:.3f} x floor) |")
    print(f"| chat latency p50 / p95 / p99 | {pct(latencies, .5):.0f} / "
          f"{pct(latencies, .95):.0f} / {pct(latencies, .99):.0f} ms |")
    if spent:
        total = sum(spent.values())
        print(f"| CPU per turn, all processes | {total / turns * 1000:.2f} ms |")
        for name, seconds in spent.most_common():
            print(f"| CPU per turn, {name} | {seconds / turns * 1000:.2f} ms |")
    load = os.getloadavg()[0]
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs while measuring: absolute figures"
          " are only comparable on a quiet machine; the ratio to the floor travels better)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with running_system(timeout=600, isolated=True) as system:
        asyncio.run(measure(system, args.conversations, args.rounds))


if __name__ == "__main__":
    main()
