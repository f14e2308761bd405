"""`python -m services.mcp_workers.notifications` runs the notifications MCP server over stdio."""

from services.mcp_workers.notifications.server import main

main()
