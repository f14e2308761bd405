"""The 100,000-row import through the running system: upload over HTTP, parse, write to Kafka.

Run: .venv/bin/python tests/bench/bench_import_http.py [--rows 100000] [--variants 4]
Uses MUSEO_GATEWAY_URL when set, else starts a whole system of its own (own Kafka, Redis and
data folder on free ports), so the 25,000 imported products never reach the developer's catalog.
Prints upload time, import throughput (rows/s, until every product is on `catalog.products`),
a re-import of the same file (must change nothing), and the peak RSS of the mcp_workers process
(the importer streams the file, so memory follows the catalog, not the file).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deploy.local.system import running_system  # noqa: E402
from tests.bench.bench_import import write_csv  # noqa: E402


def token(base_url: str, auth_dir: Path) -> dict[str, str]:
    secret = (auth_dir / "museo-admin.secret").read_text().strip()
    resp = httpx.post(
        f"{base_url}/oauth/token",
        auth=("museo-admin", secret),
        data={"grant_type": "client_credentials", "scope": "catalog:import"},
        timeout=30,
    )
    resp.raise_for_status()
    return {"authorization": f"Bearer {resp.json()['access_token']}"}


def peak_rss_mb(module: str) -> float | None:
    """VmHWM of the newest process running `python -m <module>` (the launcher's)."""
    best: tuple[float, float] | None = None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if module.encode() not in cmd:
                continue
            started = os.stat(f"/proc/{pid}").st_mtime
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        hwm = next(
            (
                int(line.split()[1]) / 1024
                for line in status.splitlines()
                if line.startswith("VmHWM")
            ),
            None,
        )
        if hwm is not None and (best is None or started > best[0]):
            best = (started, hwm)
    return best[1] if best else None


def run_import(
    client: httpx.Client, headers: dict[str, str], path: Path
) -> tuple[float, float, dict]:
    t0 = time.perf_counter()
    with path.open("rb") as fh:
        resp = client.post(
            "/v1/admin/imports", files={"file": (path.name, fh, "text/csv")}, headers=headers
        )
    resp.raise_for_status()
    uploaded = time.perf_counter() - t0
    job_id = resp.json()["job_id"]
    while True:
        job = client.get(f"/v1/admin/imports/{job_id}", headers=headers).json()
        if job["state"] in ("done", "failed"):
            return uploaded, time.perf_counter() - t0, job
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--variants", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_system(isolated=True) as system:
        path = Path(tmp) / "bench_products.csv"
        write_csv(path, args.rows, args.variants)
        size_mb = path.stat().st_size / 1e6
        headers = token(system.base_url, system.auth_dir)
        with httpx.Client(base_url=system.base_url, timeout=120) as client:
            uploaded, total, job = run_import(client, headers, path)
            report = job.get("report") or {}
            print(f"file: {args.rows:,} rows, {size_mb:.1f} MB; state {job['state']}")
            print(
                f"upload {uploaded:.2f}s; import done after {total:.2f}s: {args.rows / total:,.0f} rows/s "
                f"({report.get('products_changed', 0):,} products written, {report.get('errors_total', 0)} bad rows)"
            )
            _, again, job2 = run_import(client, headers, path)
            changed = (job2.get("report") or {}).get("products_changed")
            print(
                f"re-import of the same file: {again:.2f}s, products changed: {changed} (must be 0)"
            )
        rss = peak_rss_mb("services.mcp_workers")
        print(
            f"mcp_workers peak RSS (whole process: catalog read model, MCP servers' parent): "
            f"{rss:.0f} MB"
            if rss
            else "mcp_workers peak RSS: n/a (external system)"
        )


if __name__ == "__main__":
    main()
