"""Storefront domain: catalog search, baskets, checkout links and shop Q&A, plus its MCP server.

Everything except `server.py` is plain Python so the Kafka worker and the MCP server share it.
"""
