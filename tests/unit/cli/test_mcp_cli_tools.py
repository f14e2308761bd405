"""`museo mcp`: argument typing by schema, scaffold safety, and the worker's metrics read over HTTP."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server
from typer.testing import CliRunner

from clients.cli.main import app
from clients.cli.mcp_scaffold import REGISTRY, ScaffoldError, plan, scaffold
from clients.cli.mcp_tools import (
    McpCliError,
    ServerReport,
    live_status,
    merge_live,
    parse_arguments,
)

SCHEMA = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "language": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "limit": {"type": "integer"},
        "lines": {"type": "array"},
    },
}


def test_string_properties_keep_the_text_and_others_are_read_as_json() -> None:
    args = parse_arguments(
        ["query=42", "language=es", "limit=5", 'lines=[{"sku": "A", "quantity": 2}]'], SCHEMA
    )
    assert args == {
        "query": "42",
        "language": "es",
        "limit": 5,
        "lines": [{"sku": "A", "quantity": 2}],
    }


def test_json_object_and_pairs_merge_and_pairs_win() -> None:
    assert parse_arguments(["limit=3"], SCHEMA, '{"limit": 9, "query": "mug"}') == {
        "limit": 3,
        "query": "mug",
    }


@pytest.mark.parametrize(
    ("pairs", "json_args", "message"),
    [(["novalue"], None, "KEY=VALUE"), ([], "[1]", "JSON object"), ([], "{bad", "not valid")],
)
def test_bad_arguments_are_explained(pairs: list[str], json_args: str | None, message: str) -> None:
    with pytest.raises(McpCliError, match=message):
        parse_arguments(pairs, SCHEMA, json_args)


def test_unknown_argument_is_refused_when_the_schema_is_closed() -> None:
    closed = {**SCHEMA, "additionalProperties": False}
    with pytest.raises(McpCliError, match="unknown argument"):
        parse_arguments(["colour=red"], closed)


def test_scaffold_writes_every_file_and_registers_the_server(tmp_path: Path) -> None:
    written = scaffold("gifts", tmp_path)
    assert set(written) == {*plan("gifts"), REGISTRY}
    server = (tmp_path / "services/mcp_workers/gifts/server.py").read_text()
    assert 'SERVER_NAME = "museo-gifts"' in server and "$" not in server
    entries = json.loads((tmp_path / REGISTRY).read_text())
    assert entries == [
        {
            "name": "gifts",
            "module": "services.mcp_workers.gifts.server",
            "idempotent_tools": ["ping", "echo"],
        }
    ]
    with pytest.raises(ScaffoldError, match="already registered"):
        scaffold("gifts", tmp_path)


@pytest.mark.parametrize("name", ["9lives", "Gifts", "a", "class", "intent", "bad-name"])
def test_scaffold_refuses_bad_or_reserved_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ScaffoldError):
        scaffold(name, tmp_path)
    assert not any(tmp_path.iterdir()), "nothing is written for a refused name"


def test_scaffold_never_overwrites_an_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "libs/contracts/mcp_gifts.py"
    existing.parent.mkdir(parents=True)
    existing.write_text("keep me")
    with pytest.raises(ScaffoldError, match="overwrite"):
        scaffold("gifts", tmp_path)
    assert existing.read_text() == "keep me"
    assert not (tmp_path / "services").exists()


def test_cli_new_reports_a_bad_name_with_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["mcp", "new", "Bad", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a valid server name" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def worker_metrics() -> Iterator[str]:
    """A real Prometheus endpoint carrying the supervisor's metric families."""
    registry = CollectorRegistry()
    up = Gauge("museo_mcp_server_up", "up", ["server"], registry=registry)
    events = Counter("museo_mcp_lifecycle_total", "events", ["server", "event"], registry=registry)
    up.labels("intent").set(1)
    up.labels("gifts").set(0)
    events.labels("intent", "started").inc()
    events.labels("intent", "died").inc(2)
    events.labels("intent", "restarted").inc(2)
    port = _free_port()
    server, thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    yield f"http://127.0.0.1:{port}/metrics"
    server.shutdown()
    thread.join()


def test_live_status_reads_up_and_restarts_from_the_worker(worker_metrics: str) -> None:
    live = live_status(worker_metrics)
    assert live is not None
    assert live["intent"] == {"up": 1, "started": 1, "died": 2, "restarted": 2}
    merged = {r.name: r for r in merge_live([ServerReport("intent", "-m x")], live)}
    assert merged["intent"].live_up is True and merged["intent"].restarts == 2
    assert merged["gifts"].live_up is False and merged["gifts"].command == "(running worker only)"


def test_live_status_is_none_when_no_worker_answers() -> None:
    assert live_status(f"http://127.0.0.1:{_free_port()}/metrics", timeout=1) is None
