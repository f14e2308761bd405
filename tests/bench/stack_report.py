"""The table `bench_stack.py` prints: every row against the HTTP floor of the same run."""

from __future__ import annotations

from typing import Any


def row_seconds(row: dict[str, Any], seconds: float) -> float:
    return row["requests"] / row["rate"] if row["rate"] else seconds


def table(rows: list[dict[str, Any]], idle_cores: dict[str, float],
          caches: dict[str, float]) -> str:
    floor = rows[0]["rate"]
    out = [f"{'request':<40} {'req/s':>8} {'x floor':>8} {'p50 ms':>7} {'p95 ms':>7} "
           f"{'p99 ms':>7} {'err':>5} {'CPU ms/req':>10}  biggest spenders (ms/req)"]
    for r in rows:
        top = sorted(r["cpu_ms_by_process"].items(), key=lambda kv: -kv[1])[:4]
        spenders = ", ".join(f"{k} {v:.2f}" for k, v in top)
        out.append(f"{r['name']:<40} {r['rate']:>8,.0f} {r['rate'] / floor:>8.2f} "
                   f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} {r['errors']:>5} "
                   f"{r['cpu_ms']:>10.2f}  {spenders}")
        if "events_accepted" in r:
            out.append(f"{'':<40} events: {r['accepted_per_s']:,.0f}/s accepted, "
                       f"{r['events_accepted']:,} in, {r['events_folded']:,} folded "
                       f"({r['folded_per_s']:,.0f}/s end to end)")
    total = sum(idle_cores.values())
    top = sorted(idle_cores.items(), key=lambda kv: -kv[1])[:5]
    out.append(f"idle stack: {100 * total:.1f}% of one core "
               f"({', '.join(f'{k} {100 * v:.1f}%' for k, v in top)})")
    for cache in ("recommendations", "intent"):
        hit, miss = caches.get(f"{cache}_hit", 0.0), caches.get(f"{cache}_miss", 0.0)
        if hit + miss:
            out.append(f"{cache} cache: {100 * hit / (hit + miss):.1f}% hits "
                       f"({hit:,.0f} of {hit + miss:,.0f} look-ups during the run)")
    client = ", ".join(f"{r['name'].split()[0]} {r['client_cpu_ms']:.2f}" for r in rows)
    out.append(f"load client's CPU (not counted above), ms/req: {client}")
    return "\n".join(out)
