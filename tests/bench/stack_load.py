"""Load and CPU accounting for `bench_stack.py`: a lean HTTP/1.1 keep-alive client and per-process
CPU from /proc.

The client is raw asyncio streams, not httpx: at a thousand requests a second httpx alone would
take most of a core on this 2-core machine, and the figures are about the stack, not the client.
Its own CPU is still measured and reported (`client_cpu_s`), so the reader can see what it took.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


class Http:
    """One keep-alive connection; `request` answers (status, headers, body)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        got: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            got[name.strip().lower()] = value.strip()
        data = await self.reader.readexactly(int(got.get("content-length", "0")))
        if got.get("connection", "").lower() == "close":
            await self.close()
        return status, got, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


# A worker's step: given its connection and a per-worker state dict, make one request and say
# whether it succeeded. Scripted conversations keep their state (session, conversation id) there.
Step = Callable[[Http, dict[str, Any]], Awaitable[bool]]


@dataclass
class LoadResult:
    done: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def run_load(host: str, port: int, step: Step, concurrency: int, seconds: float,
                   warmup_s: float = 2.0) -> LoadResult:
    """`concurrency` workers repeat `step` for `warmup_s` (not counted), then `seconds`."""
    result = LoadResult()
    start = time.monotonic()
    counting_from = start + warmup_s
    stop_at = counting_from + seconds
    cpu_before = _own_cpu()

    async def worker() -> None:
        conn = Http(host, port)
        state: dict[str, Any] = {}
        try:
            while (now := time.monotonic()) < stop_at:
                try:
                    ok = await step(conn, state)
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                    await conn.close()
                    ok = False
                ended = time.monotonic()
                if now >= counting_from:
                    result.done += 1
                    result.errors += 0 if ok else 1
                    result.latencies_ms.append((ended - now) * 1000)
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = time.monotonic() - counting_from
    result.client_cpu_s = _own_cpu() - cpu_before
    return result


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def json_body(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


# ------------------------------------------------------------------ CPU per process


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def cpu_by_process(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process and all its descendants (the MCP worker's
    stdio servers count for it)."""
    table: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            table[int(entry)] = stat
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    totals = {}
    for name, root in roots.items():
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            if pid in table:
                total += table[pid][1]
                todo += children.get(pid, [])
        totals[name] = total
    return totals


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after.get(name, 0.0) - before.get(name, 0.0) for name in before}
