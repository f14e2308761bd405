"""Catalog helpers shared by services: read model, text analysis, BM25 and the demo catalog.

Plain Python with no broker or Redis dependency, so every service can build its own read model
from the compacted `catalog.products` topic and unit tests need nothing running.
"""
