"""The hygiene check recognises what tests and benches leave in a broker or Redis."""

from __future__ import annotations

from deploy.local.hygiene import leftover_keys, leftover_topics


def test_test_topics_are_told_from_the_systems_own() -> None:
    topics = ["events.raw", "catalog.products", "gateway.replies.local-3300", "test.echo.ab12",
              "bench-events-1a2b", "events-9f", "privacy-x", "recreq-y", "catalog-z", "orders"]
    assert leftover_topics(topics) == ["bench-events-1a2b", "catalog-z", "events-9f", "privacy-x",
                                   "recreq-y", "test.echo.ab12"]


def test_test_keys_are_told_from_real_ones() -> None:
    keys = ["profile:e2e-1a2b", "profile:visitor-42", "cart:abc", "profile:chaos-baseline-x-1",
            "test:lock", "conv:bench-3"]
    assert leftover_keys(keys) == ["conv:bench-3", "profile:chaos-baseline-x-1", "profile:e2e-1a2b",
                               "test:lock"]
