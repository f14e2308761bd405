"""A tiny MCP stdio server for supervisor tests: `python tests/integration/mcp_fixture_server.py`.

Tools: `echo(text)` -> {"text": TEXT}, `slow_echo(text, delay_s)`, `pid()` -> {"pid": ...},
`crash()` which kills the process mid-call, and `fail(text)` which raises (an isError result).
`--crash-on-start` exits before serving, to exercise the backoff and give-up path.
"""

from __future__ import annotations

import asyncio
import os
import sys

from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel


class Echo(BaseModel):
    text: str
    pid: int


def build() -> MCPServer:
    server = MCPServer(name="museo-test-fixture")

    @server.tool(structured_output=True)
    async def echo(text: str) -> Echo:
        return Echo(text=text, pid=os.getpid())

    @server.tool(structured_output=True)
    async def slow_echo(text: str, delay_s: float = 0.5) -> Echo:
        await asyncio.sleep(delay_s)
        return Echo(text=text, pid=os.getpid())

    @server.tool()
    async def crash() -> str:
        os._exit(3)

    @server.tool()
    async def fail(text: str) -> str:
        raise ValueError(f"refused: {text}")

    return server


if __name__ == "__main__":
    if "--crash-on-start" in sys.argv:
        sys.exit(2)
    build().run("stdio")
