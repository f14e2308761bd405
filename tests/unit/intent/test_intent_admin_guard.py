"""The admin guard: shopper wording never yields an admin intent, admin wording still does."""

from __future__ import annotations

import numpy as np
import pytest

from libs.contracts.intent import ADMIN_INTENTS, IntentRequest
from libs.nlu.entities import extract_entities
from libs.nlu.guard import admin_worded, shopper_only
from libs.nlu.patterns import match_patterns
from services.mcp_workers.intent.cache import TTLCache
from services.mcp_workers.intent.data import load_corpus
from services.mcp_workers.intent.model import IntentModel
from services.mcp_workers.intent.pipeline import IntentAnalyzer


class AdminSure(IntentModel):
    """A model that reads every message as create_product at 0.96 (the reported bug)."""

    def __init__(self) -> None:
        self.classes = ["create_product", "product_details", "search_products", "out_of_scope"]
        self._p = np.array([[0.96, 0.03, 0.008, 0.002]])

    def probabilities(self, texts: list[str]) -> np.ndarray:  # type: ignore[override]
        return np.repeat(self._p, len(texts), axis=0)


@pytest.mark.parametrize("text", [
    "details of product reference 22423", "detalles del producto referencia 22423",
    "détails du produit référence 22423", "a gift for my mum who loves Monet",
    "is the Monet umbrella any good?",
])
def test_a_shopper_message_is_never_read_as_admin(text: str) -> None:
    analyzer = IntentAnalyzer(model=AdminSure(), cache=TTLCache(ttl=0))
    result = analyzer.analyze_sync(IntentRequest(text=text))
    assert result.intent not in ADMIN_INTENTS
    assert all(a.intent not in ADMIN_INTENTS for a in result.alternatives)


def test_admin_wording_keeps_the_admin_reading() -> None:
    analyzer = IntentAnalyzer(model=AdminSure(), cache=TTLCache(ttl=0), use_patterns=False)
    text = "create a new product Monet umbrella"
    result = analyzer.analyze_sync(IntentRequest(text=text, audience="admin"))
    assert result.intent == "create_product" and result.confidence >= 0.9


def test_the_guard_covers_the_corpus_admin_phrasings() -> None:
    admin = [e for e in load_corpus() if e.intent in ADMIN_INTENTS]
    covered = sum(admin_worded(e.text) for e in admin) / len(admin)
    assert covered >= 0.98


def test_shopper_only_renormalises_what_is_left() -> None:
    out = dict(shopper_only([("create_product", 0.6), ("search_products", 0.3),
                             ("product_details", 0.1)]))
    assert out.keys() == {"search_products", "product_details"}
    assert out["search_products"] == pytest.approx(0.75)


@pytest.mark.parametrize("text", ["order my usual", "can I get my usual order",
                                  "pide lo de siempre", "comme d'habitude s'il vous plait"])
def test_order_my_usual_is_a_buy_again_recommendation(text: str) -> None:
    hit = match_patterns(text)
    assert hit is not None and hit.intent == "recommendations"
    assert hit.entities.reorder


def test_ordinary_requests_are_not_reorders() -> None:
    assert not extract_entities("recommend me a mug").reorder
    assert not extract_entities("add the usual suspects poster to my basket").reorder
