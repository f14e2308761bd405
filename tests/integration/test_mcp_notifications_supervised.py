"""The notifications MCP server as the mcp_workers process runs it: registered, spawned over stdio."""

from __future__ import annotations

from services.mcp_workers.settings import McpWorkersSettings, server_specs
from services.mcp_workers.supervisor import McpSupervisor


async def test_the_worker_supervises_it_and_calls_its_tools() -> None:
    specs = [s for s in server_specs(McpWorkersSettings()) if s.name == "notifications"]
    assert specs, "notifications is not registered in services/mcp_workers/servers.json"
    supervisor = McpSupervisor(specs)
    await supervisor.start()
    try:
        assert supervisor.status()["notifications"]["state"] == "up"
        assert supervisor.tools("notifications") == {"ping", "echo"}
        result = await supervisor.call_tool("notifications", "echo", {"text": "bonjour"})
        assert result.structured_content == {"text": "bonjour", "length": 7}
    finally:
        await supervisor.stop()
