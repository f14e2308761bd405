"""`museo mcp new NAME`: a new stdio MCP server in the project's style, registered for the worker.

Writes the server package (official SDK `MCPServer`, `ping` + one example tool with structured
output), its contract module (the pydantic models of the tools' results), a unit test (in-process
client) and an integration test (a real subprocess under `McpSupervisor`), then adds the server to
`services/mcp_workers/servers.json`, which the mcp_workers process supervises by default.
Nothing is overwritten: an existing name or file stops the command before anything is written.
"""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path
from string import Template

REPO_ROOT = Path(__file__).resolve().parents[2]
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
RESERVED = {"intent", "storefront", "admin", "bridge", "settings", "supervisor", "servers"}
REGISTRY = Path("services/mcp_workers/servers.json")

INIT = '''"""The $name MCP server (stdio). Run it with `python -m services.mcp_workers.$name`."""
'''

MAIN = '''"""`python -m services.mcp_workers.$name` runs the $name MCP server over stdio."""

from services.mcp_workers.$name.server import main

main()
'''

SERVER = '''"""MCP server (official SDK, stdio): $name.

    python -m services.mcp_workers.$name

Supervised by the mcp_workers process (registered in services/mcp_workers/servers.json); call it
by hand with `museo mcp call $name echo --arg text=hello`. Tools: `ping()` -> Health;
`echo(text)` -> EchoResult. Replace `echo` with the server's own tools; results are the pydantic
models of libs/contracts/mcp_$name.py, so they reach clients as structuredContent.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from libs.contracts.mcp_$name import EchoResult, Health

SERVER_NAME = "museo-$name"


def build_server() -> MCPServer:
    """The server with its tools; nothing connects until a client talks to it."""
    server = MCPServer(name=SERVER_NAME, instructions="$title tools of the Museo shop.")

    @server.tool(description="Health check of the $name server.", structured_output=True)
    async def ping() -> Health:
        return Health(status="ok", server=SERVER_NAME)

    @server.tool(description="Echo a text back with its length (example).", structured_output=True)
    async def echo(text: Annotated[str, Field(min_length=1, max_length=2000)]) -> EchoResult:
        return EchoResult(text=text, length=len(text))

    return server


def main() -> None:
    build_server().run("stdio")


if __name__ == "__main__":
    main()
'''

CONTRACT = '''"""Contract of the $name MCP server: the structured results of its tools."""

from __future__ import annotations

from pydantic import BaseModel


class Health(BaseModel):
    status: str
    server: str


class EchoResult(BaseModel):
    text: str
    length: int
'''

UNIT_TEST = '''"""The $name MCP server's tools through the SDK's in-process client."""

from __future__ import annotations

from mcp import Client

from libs.contracts.mcp_$name import EchoResult
from services.mcp_workers.$name.server import build_server


async def test_lists_its_tools_with_output_schemas() -> None:
    async with Client(build_server()) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"ping", "echo"}
    assert all(t.output_schema is not None for t in tools.values())


async def test_echo_returns_the_contract_as_structured_content() -> None:
    async with Client(build_server()) as client:
        result = await client.call_tool("echo", {"text": "hola"})
    assert not result.is_error
    assert EchoResult.model_validate(result.structured_content) == EchoResult(text="hola", length=4)


async def test_echo_refuses_an_empty_text() -> None:
    async with Client(build_server()) as client:
        result = await client.call_tool("echo", {"text": ""})
    assert result.is_error
'''

INTEGRATION_TEST = '''"""The $name MCP server as the mcp_workers process runs it: registered, spawned over stdio."""

from __future__ import annotations

from services.mcp_workers.settings import McpWorkersSettings, server_specs
from services.mcp_workers.supervisor import McpSupervisor


async def test_the_worker_supervises_it_and_calls_its_tools() -> None:
    specs = [s for s in server_specs(McpWorkersSettings()) if s.name == "$name"]
    assert specs, "$name is not registered in services/mcp_workers/servers.json"
    supervisor = McpSupervisor(specs)
    await supervisor.start()
    try:
        assert supervisor.status()["$name"]["state"] == "up"
        assert supervisor.tools("$name") == {"ping", "echo"}
        result = await supervisor.call_tool("$name", "echo", {"text": "bonjour"})
        assert result.structured_content == {"text": "bonjour", "length": 7}
    finally:
        await supervisor.stop()
'''


class ScaffoldError(Exception):
    """The name is not usable or a file would be overwritten."""


def plan(name: str) -> dict[Path, str]:
    """Relative path -> content of every file the scaffold writes."""
    values = {"name": name, "title": name.replace("_", " ").capitalize()}
    files = {
        f"services/mcp_workers/{name}/__init__.py": INIT,
        f"services/mcp_workers/{name}/__main__.py": MAIN,
        f"services/mcp_workers/{name}/server.py": SERVER,
        f"libs/contracts/mcp_{name}.py": CONTRACT,
        f"tests/unit/workers/test_mcp_{name}_server.py": UNIT_TEST,
        f"tests/integration/test_mcp_{name}_supervised.py": INTEGRATION_TEST,
    }
    return {Path(p): Template(t).substitute(values) for p, t in files.items()}


def check_name(name: str, root: Path) -> None:
    if not NAME_RE.match(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"{name!r} is not a valid server name: lower-case letters, digits and _, "
            "starting with a letter, 2 to 30 characters"
        )
    if name in RESERVED:
        raise ScaffoldError(f"{name!r} is reserved (a built-in server or module of mcp_workers)")
    registry = root / REGISTRY
    registered = json.loads(registry.read_text()) if registry.is_file() else []
    if any(entry.get("name") == name for entry in registered):
        raise ScaffoldError(f"{name!r} is already registered in {REGISTRY}")
    if (root / "services/mcp_workers" / name).exists():
        raise ScaffoldError(f"services/mcp_workers/{name} already exists")


def scaffold(name: str, root: Path = REPO_ROOT) -> list[Path]:
    """Write the files and register the server; the written paths (relative to root)."""
    check_name(name, root)
    files = plan(name)
    clashes = [str(p) for p in files if (root / p).exists()]
    if clashes:
        raise ScaffoldError(f"would overwrite {', '.join(clashes)}")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    registry = root / REGISTRY
    entries = json.loads(registry.read_text()) if registry.is_file() else []
    entries.append(
        {"name": name, "module": f"services.mcp_workers.{name}.server",
         "idempotent_tools": ["ping", "echo"]}
    )  # fmt: skip
    registry.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return [*files, REGISTRY]
