"""Every fenced block of README.md and docs/*.md, run against the whole live system.

One system for the module (the `system` fixture). The docs' URLs and data paths are pointed at
its ports and folders (tests/docsnippets.py `rewrite`); nothing else is filled in but the
`<access token>` of a WebSocket transcript. A block that cannot run says so in the doc
(`<!-- not-run: why -->`); Kotlin and Swift are skipped here (no toolchains) and checked
statically by tests/unit/test_docs_clients.py.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.docsnippets import (
    NO_TOOLCHAIN,
    NODE,
    PYTHON,
    ROOT,
    SHELL,
    Snippet,
    all_snippets,
    contains_lines,
    mismatch,
    previous,
    rewrite,
    ws_session,
)
from tests.e2e.conftest import System
from tests.e2e.node_ws import node_env, script

SNIPPETS = all_snippets()
TIMEOUT_S = 120  # a hang guard per command, not a speed check: a loaded CI machine is slow
# stdout of each block run so far, for the `<!-- output -->` block after it
OUTPUTS: dict[str, str] = {}
# curl as a script means it: fail on an HTTP error status, quietly, within a deadline
SHELL_PREAMBLE = ('set -euo pipefail\n'
                  'curl() { command curl -sS --fail-with-body --max-time 60 "$@"; }\n')


@pytest.fixture(scope="module")
def env(system: System) -> dict[str, str]:
    return {k: v for k, v in system.env.items() if k != "MUSEO_GATEWAY_URL"}


@pytest.fixture(scope="module")
def admin_token(system: System) -> str:
    secret = (system.auth_dir / "museo-admin.secret").read_text().strip()
    resp = httpx.post(f"{system.base_url}/oauth/token", auth=("museo-admin", secret),
                      data={"grant_type": "client_credentials"}, timeout=20)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def run(argv: list[str], env: dict[str, str], snippet: Snippet, **kw: Any) -> str:
    done = subprocess.run(argv, cwd=kw.pop("cwd", ROOT), env=env, capture_output=True,
                          text=True, timeout=kw.pop("timeout", TIMEOUT_S),
                          stdin=subprocess.DEVNULL, **kw)
    assert done.returncode == 0, (
        f"{snippet.id} exited {done.returncode}\n--- stdout\n{done.stdout[-3000:]}"
        f"\n--- stderr\n{done.stderr[-3000:]}")
    return done.stdout


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.id for s in SNIPPETS])
def test_snippet(snippet: Snippet, system: System, env: dict[str, str],
                 admin_token: str) -> None:
    refusal = snippet.refusal()
    assert refusal is None, refusal
    if snippet.marker == "not-run":
        pytest.skip(f"marked not-run in the doc: {snippet.note}")
    if snippet.language in NO_TOOLCHAIN:
        pytest.skip(f"{snippet.language}: {NO_TOOLCHAIN[snippet.language]} "
                    "(static checks: tests/unit/test_docs_clients.py)")
    body = rewrite(snippet.body, env)
    if snippet.marker == "output":
        check_output(snippet, body, system)
    elif snippet.marker == "ws-session":
        replay(snippet, body.replace("<access token>", admin_token), system)
    elif snippet.language in SHELL:
        commands = shell_commands(snippet, body)
        OUTPUTS[snippet.id] = run(["bash", "-c", SHELL_PREAMBLE + commands], env, snippet,
                                  timeout=TIMEOUT_S * command_count(commands))
    elif snippet.language in PYTHON:
        OUTPUTS[snippet.id] = run([str(ROOT / ".venv/bin/python"), "-c", body], env, snippet)
    elif snippet.language in NODE:
        path = script(env, body)
        try:
            OUTPUTS[snippet.id] = run(["node", str(path)], node_env(env), snippet)
        finally:
            path.unlink()
    else:  # json
        check_json(snippet, body, env)


def command_count(script: str) -> int:
    """Commands in a block (its lines that are neither blank, comments nor continuations)."""
    lines = [ln.strip() for ln in script.splitlines()]
    continued = sum(1 for ln in lines if ln.endswith("\\"))
    return max(1, sum(1 for ln in lines if ln and not ln.startswith("#")) - continued)


def shell_commands(snippet: Snippet, body: str) -> str:
    """A `console` block's commands are its `$ ` lines; other shells run as they are."""
    if snippet.language != "console":
        return body
    return "\n".join(ln[2:] for ln in body.splitlines() if ln.startswith("$ "))


def check_output(snippet: Snippet, body: str, system: System) -> None:
    if snippet.note == "make run":
        actual, source = "".join(system.output), "the launcher's output"
    else:
        before = previous(snippet, SNIPPETS)
        assert before is not None, f"{snippet.id}: an output block with no block before it"
        if before.id not in OUTPUTS:
            pytest.skip(f"{before.id} did not run")
        actual, source = OUTPUTS[before.id], f"the output of {before.id}"
    missing = contains_lines(body, actual)
    assert missing is None, f"{snippet.id}: {missing!r} not in {source}:\n{actual[-3000:]}"


def replay(snippet: Snippet, body: str, system: System) -> None:
    """Send each `→` frame; each `←` frame must arrive (answers may come in any order)."""
    url = system.base_url.replace("http://", "ws://") + "/ws"
    received: list[Any] = []
    with connect(url, open_timeout=20, max_size=2**22) as ws:
        for step in ws_session(body):
            if step.send is not None:
                ws.send(step.send)
                continue
            deadline = time.monotonic() + 30
            while not any(mismatch(step.expect, frame) is None for frame in received):
                left = deadline - time.monotonic()
                assert left > 0, (f"{snippet.id}: no frame like {step.expect!r}; got:\n"
                                  + "\n".join(json.dumps(f)[:400] for f in received[-8:])
                                  + "\nclosest: " + str(closest(step.expect, received)))
                try:
                    received.append(json.loads(ws.recv(timeout=left)))
                except TimeoutError:
                    continue
            received.remove(next(f for f in received if mismatch(step.expect, f) is None))


def closest(expected: Any, frames: list[Any]) -> str | None:
    same = [f for f in frames if isinstance(f, dict) and isinstance(expected, dict)
            and f.get("type") == expected.get("type")]
    return mismatch(expected, same[-1]) if same else None


def check_json(snippet: Snippet, body: str, env: dict[str, str]) -> None:
    """JSON parses; an MCP client config's servers answer `initialize` and list tools."""
    config = json.loads(body)
    for name, server in config.get("mcpServers", {}).items():
        tools = (remote_tools(server["url"]) if "url" in server
                 else stdio_tools(server["command"], server["args"], env))
        assert tools, f"{snippet.id}: MCP server {name} lists no tools"


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                         "clientInfo": {"name": "docs-test", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
LIST_TOOLS = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
STDIO_TIMEOUT_S = 120  # a stdio server starts in ~5 s; a loaded CI machine is far slower


def remote_tools(url: str) -> list[str]:
    """What any Streamable HTTP client does first, with nothing but the URL of the config."""
    headers = {"accept": "application/json, text/event-stream"}
    with httpx.Client(timeout=30, headers=headers) as http:
        init = http.post(url, json=INITIALIZE)
        assert init.status_code == 200, init.text
        if sid := init.headers.get("mcp-session-id"):
            http.headers["mcp-session-id"] = sid
        http.post(url, json=INITIALIZED)
        listed = http.post(url, json=LIST_TOOLS)
        assert listed.status_code == 200, listed.text
        return [t["name"] for t in rpc_result(listed.text)["tools"]]


def rpc_result(text: str) -> dict[str, Any]:
    """A JSON-RPC result from a JSON body or from the `data:` lines of an SSE stream."""
    lines = [ln[5:].strip() for ln in text.splitlines() if ln.startswith("data:")] or [text]
    for line in lines:
        message = json.loads(line)
        if "result" in message:
            return dict(message["result"])
    raise AssertionError(f"no JSON-RPC result in {text[:500]!r}")


def stdio_tools(command: str, args: list[str], env: dict[str, str]) -> list[str]:
    """Start the server as Claude Desktop would (paths relative to the checkout, as the doc
    says, from a folder holding an empty `catalog.jsonl`) and list its tools over stdio.

    Like a real client it keeps stdin open until the answer arrives, then closes it (the MCP
    stdio shutdown): closing stdin first lets the server end before it answers."""
    exe = command if os.path.isabs(command) else str(ROOT / command)
    with tempfile.TemporaryDirectory() as cwd, tempfile.TemporaryFile("w+") as err:
        Path(cwd, "catalog.jsonl").write_text("")
        proc = subprocess.Popen([exe, *args], cwd=cwd, env={**env, "PYTHONPATH": str(ROOT)},
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                text=True)
        assert proc.stdin is not None and proc.stdout is not None
        listed: list[dict[str, Any]] = []
        timer = threading.Timer(STDIO_TIMEOUT_S, proc.kill)  # a hung server fails, not hangs
        timer.start()
        try:
            proc.stdin.write("".join(json.dumps(m) + "\n" for m in (INITIALIZE, INITIALIZED,
                                                                       LIST_TOOLS)))
            proc.stdin.flush()
            for line in proc.stdout:  # ends at EOF: the server exited or the timer killed it
                answer = json.loads(line) if line.startswith("{") else {}
                if answer.get("id") == 2 and "result" in answer:
                    listed.append(answer)
                    break
        finally:
            timer.cancel()
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            err.seek(0)
            stderr = err.read()
    assert listed, f"{shlex.join([command, *args])}: no tools/list answer\n{stderr[-2000:]}"
    return [t["name"] for t in listed[0]["result"]["tools"]]
