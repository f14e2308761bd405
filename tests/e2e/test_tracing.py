"""One chat turn is one trace across services (traceparent crosses every Kafka hop)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from libs.telemetry.tracing import trace_id_of


def spans_of(trace_file: Path, trace_id: str) -> list[dict[str, Any]]:
    if not trace_file.exists():
        return []
    spans = (json.loads(line) for line in trace_file.read_text().splitlines() if line.strip())
    return [s for s in spans if s["trace_id"] == trace_id]


def test_a_chat_turn_is_one_trace_across_services(client: httpx.Client, trace_file: Path) -> None:
    # A first turn warms every hop (the intent server's first prediction, the consumers'
    # first fetches): on a loaded machine a cold intent call can miss its 3 s deadline, and the
    # chat then answers with its in-process fallback, with no intent span to find.
    client.post("/v1/chat", json={"text": "hello", "country": "FR"})
    client.cookies.clear()
    resp = client.post("/v1/chat", json={"text": "show me mugs", "country": "FR"})
    assert resp.status_code == 200, resp.text
    assert not resp.json().get("fallback_used"), "the intent service did not answer in time"
    trace_id = trace_id_of(resp.headers.get("traceparent"))
    assert trace_id, "the answer names its trace"
    wanted = {"gateway", "markets", "mcp_workers"}
    spans: list[dict[str, Any]] = []
    for _ in range(100):  # span processors flush every 200 ms; a busy machine is slower
        spans = spans_of(trace_file, trace_id)
        root_seen = any(s["parent_id"] is None for s in spans)  # the request's span ends last
        names = {s["name"] for s in spans}
        handled = {"intent.requests handle", "storefront.requests handle"} <= names
        if root_seen and handled and wanted <= {s["service"] for s in spans}:
            break  # each process exports its spans in its own batches: wait for all of them
        time.sleep(0.2)
    services = {s["service"] for s in spans}
    assert wanted <= services, f"services in the trace: {services}"
    roots = [s for s in spans if s["parent_id"] is None]
    assert [r["name"] for r in roots] == ["POST /v1/chat"], "one root: the HTTP request"
    by_id = {s["span_id"] for s in spans}
    assert all(s["parent_id"] in by_id for s in spans if s["parent_id"]), "no orphan span"
    names = sorted({s["name"] for s in spans})
    assert "intent.requests handle" in names, "\n".join(names)
    assert "storefront.requests handle" in names, names
