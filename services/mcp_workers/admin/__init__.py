"""Admin worker logic: product import and natural-language product drafts (no Kafka here)."""
