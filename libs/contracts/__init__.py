"""Message contracts: topic names next to one pydantic model per message kind."""
