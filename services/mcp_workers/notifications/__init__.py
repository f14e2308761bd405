"""The notifications MCP server (stdio). Run it with `python -m services.mcp_workers.notifications`."""
