"""`museo mcp new/call/inspect` as a developer runs them, on a scratch copy of the repository:
the scaffolded server's own tests pass, the worker's configuration supervises it over stdio,
and `call`/`inspect` reach it through the same supervisor."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """libs, services, clients and the pytest config, so the scaffold writes nothing real."""
    copy = tmp_path_factory.mktemp("repo")
    for folder in ("libs", "services", "clients"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=IGNORE)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    (copy / "services/mcp_workers/servers.json").write_text("[]\n")
    return copy


def made_files(repo: Path) -> list[str]:
    return [str(p) for p in repo.rglob("*gift_wrap*") if p.suffix == ".py"] + [
        str(p) for p in (repo / "services/mcp_workers/gift_wrap").glob("*.py")
    ]


def museo(repo: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MUSEO_MCP_SERVERS"}
    env |= {"PYTHONPATH": str(repo), "COLUMNS": "200", "MUSEO_MCP_METRICS_URL":
            f"http://127.0.0.1:{_closed_port()}/metrics"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "clients.cli.main", "mcp", *args],
        cwd=repo, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def test_new_scaffolds_a_server_whose_own_tests_pass(repo: Path) -> None:
    made = museo(repo, "new", "gift_wrap", "--root", str(repo))
    assert made.returncode == 0, made.stderr
    assert "services/mcp_workers/servers.json" in made.stdout
    registered = json.loads((repo / "services/mcp_workers/servers.json").read_text())
    assert [e["name"] for e in registered] == ["gift_wrap"]
    tests = [
        "tests/unit/workers/test_mcp_gift_wrap_server.py",
        "tests/integration/test_mcp_gift_wrap_supervised.py",
    ]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=repo, env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
    assert "4 passed" in run.stdout
    ruff = Path(sys.executable).with_name("ruff")
    lint = subprocess.run(
        [str(ruff), "check", "--config", str(ROOT / "pyproject.toml"), *made_files(repo)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout
    again = museo(repo, "new", "gift_wrap", "--root", str(repo))
    assert again.returncode == 2 and "already registered" in again.stderr


def test_call_types_arguments_by_the_tool_schema(repo: Path) -> None:
    called = museo(repo, "call", "gift_wrap", "echo", "--arg", "text=42")
    assert called.returncode == 0, called.stderr
    assert json.loads(called.stdout) == {"text": "42", "length": 2}  # a string stays a string


def test_call_reports_a_tool_error_with_exit_1_and_unknown_names_with_exit_2(repo: Path) -> None:
    refused = museo(repo, "call", "gift_wrap", "echo", "--arg", "text=")
    assert refused.returncode == 1
    assert "echo returned an error" in refused.stderr
    missing_tool = museo(repo, "call", "gift_wrap", "nope")
    assert missing_tool.returncode == 2 and "no tool 'nope'" in missing_tool.stderr
    missing_server = museo(repo, "call", "nosuch", "ping")
    assert missing_server.returncode == 2 and "no MCP server 'nosuch'" in missing_server.stderr


def test_inspect_lists_tools_and_health_and_says_when_no_worker_runs(repo: Path) -> None:
    shown = museo(repo, "inspect", "gift_wrap", "--json")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    [server] = report["servers"]
    assert server["name"] == "gift_wrap" and server["state"] == "up"
    assert server["health"] == "healthy" and server["tools"] == ["echo", "ping"]
    assert report["worker"]["reachable"] is False
    table = museo(repo, "inspect", "gift_wrap")
    assert table.returncode == 0 and "no running mcp_workers" in table.stdout
