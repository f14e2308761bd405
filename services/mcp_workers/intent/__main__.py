"""`python -m services.mcp_workers.intent` runs the intent MCP server over stdio."""

from services.mcp_workers.intent.server import main

main()
